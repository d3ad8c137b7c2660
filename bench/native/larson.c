/* Case 5 (native reference): a Larson-like server load. <threads> threads
 * share an array of 1024 slots per thread. At each step a thread mallocs
 * 16-1024 random bytes and swaps the object into a slot (3 times in 4 in its
 * own part of the array, otherwise anywhere), then frees what it swapped out,
 * which another thread may have allocated.
 * usage: larson <samples> <steps per thread> <threads>; prints wall-clock ns
 * per step over all threads. */
#include <pthread.h>
#include <stdatomic.h>
#include <stdint.h>
#include "common.h"

#define SLOTS_PER_THREAD 1024

static long steps;
static int threads;
static _Atomic(uintptr_t) *slots;
static pthread_barrier_t start;

static void *work(void *arg) {
  long number = (long)(intptr_t)arg;
  unsigned random = 0x9e3779b9u ^ (unsigned)(number * 7919 + 1);
  long total = (long)threads * SLOTS_PER_THREAD;
  pthread_barrier_wait(&start);
  for (long i = 0; i < steps; i++) {
    unsigned r = xorshift32(&random);
    size_t size = 16 + r % 1009;
    long slot = (r >> 12) % 4 != 0 ? number * SLOTS_PER_THREAD + (long)((r >> 16) % SLOTS_PER_THREAD)
                                     : (long)(xorshift32(&random) % (unsigned)total);
    uintptr_t old = atomic_exchange(&slots[slot], (uintptr_t)bench_malloc(size));
    if (old) bench_free((void *)old);
  }
  return NULL;
}

int main(int argc, char **argv) {
  int samples = (int)arg_or(argc, argv, 1, 10);
  steps = arg_or(argc, argv, 2, 1000000);
  threads = (int)arg_or(argc, argv, 3, 2);
  if (threads > 64) threads = 64;
  long total = (long)threads * SLOTS_PER_THREAD;
  slots = calloc((size_t)total, sizeof *slots);
  pthread_t ids[64];
  double results[1000];
  for (int s = 0; s < samples && s < 1000; s++) {
    pthread_barrier_init(&start, NULL, (unsigned)threads + 1);
    for (int t = 0; t < threads; t++) pthread_create(&ids[t], NULL, work, (void *)(intptr_t)t);
    pthread_barrier_wait(&start);
    double begin = now_ns();
    for (int t = 0; t < threads; t++) pthread_join(ids[t], NULL);
    results[s] = (now_ns() - begin) / (double)(steps * threads);
    pthread_barrier_destroy(&start);
  }
  for (long i = 0; i < total; i++) free((void *)slots[i]);
  free(slots);
  print_samples(results, samples < 1000 ? samples : 1000);
  return 0;
}
