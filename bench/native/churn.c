/* Case 3 (native reference): <threads> threads churn malloc(64)/free, each
 * holding a window of 16 objects and replacing the oldest at every step.
 * usage: churn <samples> <pairs per thread> <threads>; prints wall-clock ns
 * per pair over all threads. */
#include <pthread.h>
#include "common.h"

#define WINDOW 16

static long pairs;
static pthread_barrier_t start;

static void *churn(void *unused) {
  (void)unused;
  void *window[WINDOW] = {0};
  pthread_barrier_wait(&start);
  for (long i = 0; i < pairs; i++) {
    int at = (int)(i % WINDOW);
    if (window[at]) bench_free(window[at]);
    window[at] = bench_malloc(64);
  }
  for (int i = 0; i < WINDOW; i++) bench_free(window[i]);
  return NULL;
}

int main(int argc, char **argv) {
  int samples = (int)arg_or(argc, argv, 1, 10);
  pairs = arg_or(argc, argv, 2, 1000000);
  int threads = (int)arg_or(argc, argv, 3, 2);
  pthread_t ids[64];
  double results[1000];
  if (threads > 64) threads = 64;
  for (int s = 0; s < samples && s < 1000; s++) {
    pthread_barrier_init(&start, NULL, (unsigned)threads + 1);
    for (int t = 0; t < threads; t++) pthread_create(&ids[t], NULL, churn, NULL);
    pthread_barrier_wait(&start);
    double begin = now_ns();
    for (int t = 0; t < threads; t++) pthread_join(ids[t], NULL);
    results[s] = (now_ns() - begin) / (double)(pairs * threads);
    pthread_barrier_destroy(&start);
  }
  print_samples(results, samples < 1000 ? samples : 1000);
  return 0;
}
