/* Case 2 (native reference): malloc 10,000 objects of 64 bytes, then free
 * them all, repeated. usage: hold <samples> <rounds per sample>; prints ns
 * per object (one malloc and one free). */
#include "common.h"

#define HELD 10000

int main(int argc, char **argv) {
  int samples = (int)arg_or(argc, argv, 1, 20);
  long rounds = arg_or(argc, argv, 2, 100);
  static void *held[HELD];
  double results[1000];
  for (int s = 0; s < samples && s < 1000; s++) {
    double start = now_ns();
    for (long r = 0; r < rounds; r++) {
      for (int i = 0; i < HELD; i++) held[i] = bench_malloc(64);
      for (int i = 0; i < HELD; i++) bench_free(held[i]);
    }
    results[s] = (now_ns() - start) / (double)(rounds * HELD);
  }
  print_samples(results, samples < 1000 ? samples : 1000);
  return 0;
}
