/* Case 7 (native reference): malloc 24, 256 and 2048 bytes in turn, then
 * free the three in the same order, repeated.
 * usage: interleaved <samples> <rounds per sample>; prints ns per pair
 * (one malloc and one free; a round is three pairs). */
#include "common.h"

int main(int argc, char **argv) {
  int samples = (int)arg_or(argc, argv, 1, 20);
  long rounds = arg_or(argc, argv, 2, 1000000);
  double results[1000];
  for (int s = 0; s < samples && s < 1000; s++) {
    double start = now_ns();
    for (long r = 0; r < rounds; r++) {
      void *a = bench_malloc(24);
      void *b = bench_malloc(256);
      void *c = bench_malloc(2048);
      bench_free(a);
      bench_free(b);
      bench_free(c);
    }
    results[s] = (now_ns() - start) / (double)(rounds * 3);
  }
  print_samples(results, samples < 1000 ? samples : 1000);
  return 0;
}
