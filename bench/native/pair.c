/* Case 1 (native reference): one malloc(64) + free pair, repeated.
 * usage: pair <samples> <pairs per sample>; prints ns per pair. */
#include "common.h"

int main(int argc, char **argv) {
  int samples = (int)arg_or(argc, argv, 1, 20);
  long pairs = arg_or(argc, argv, 2, 1000000);
  double results[1000];
  for (int s = 0; s < samples && s < 1000; s++) {
    double start = now_ns();
    for (long i = 0; i < pairs; i++) bench_free(bench_malloc(64));
    results[s] = (now_ns() - start) / (double)pairs;
  }
  print_samples(results, samples < 1000 ? samples : 1000);
  return 0;
}
