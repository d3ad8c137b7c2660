/* Shared by the native reference programs of the benchmark: timing, a
 * malloc/free V8-style that the optimiser cannot elide, and the output every
 * program prints, one JSON line {"nsPerOp":[sample, ...]}. */
#ifndef WASM_POOLS_BENCH_COMMON_H
#define WASM_POOLS_BENCH_COMMON_H

#include <stdio.h>
#include <stdlib.h>
#include <time.h>

/* Called through volatile pointers so that gcc -O2 cannot pair and drop
 * a malloc with its free (it does for plain calls). */
static void *(*volatile bench_malloc)(size_t) = malloc;
static void (*volatile bench_free)(void *) = free;

static inline double now_ns(void) {
  struct timespec t;
  clock_gettime(CLOCK_MONOTONIC, &t);
  return (double)t.tv_sec * 1e9 + (double)t.tv_nsec;
}

/* argv[index] as a positive long, or fallback. */
static inline long arg_or(int argc, char **argv, int index, long fallback) {
  return argc > index ? strtol(argv[index], NULL, 10) : fallback;
}

static inline void print_samples(const double *samples, int count) {
  printf("{\"nsPerOp\":[");
  for (int i = 0; i < count; i++) printf(i ? ",%.4f" : "%.4f", samples[i]);
  printf("]}\n");
}

/* xorshift32: the same small random stream the JS workers use. */
static inline unsigned xorshift32(unsigned *state) {
  unsigned x = *state;
  x ^= x << 13;
  x ^= x >> 17;
  x ^= x << 5;
  return *state = x;
}

#endif
