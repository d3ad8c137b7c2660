/* Case 4 (native reference, mimalloc-bench's xmalloc-test shape): one thread
 * mallocs 64-byte objects and passes them through a single-producer
 * single-consumer ring to another thread, which frees them. The ring is
 * published in batches of 32, as the JS version does.
 * usage: prodcons <samples> <objects per sample>; prints ns per object. */
#include <pthread.h>
#include <stdatomic.h>
#include "common.h"

#define CAPACITY 4096
#define PUBLISH_EVERY 32

static long objects;
static void *slots[CAPACITY];
static _Atomic long head, tail; /* consumed, produced */

static void *produce(void *unused) {
  (void)unused;
  long produced = 0;
  while (produced < objects) {
    while (produced - atomic_load_explicit(&head, memory_order_acquire) >= CAPACITY) {}
    slots[produced % CAPACITY] = bench_malloc(64);
    produced++;
    if (produced % PUBLISH_EVERY == 0 || produced == objects) atomic_store_explicit(&tail, produced, memory_order_release);
  }
  return NULL;
}

static void *consume(void *unused) {
  (void)unused;
  long consumed = 0;
  while (consumed < objects) {
    long available = atomic_load_explicit(&tail, memory_order_acquire);
    if (available == consumed) continue;
    for (; consumed < available; consumed++) bench_free(slots[consumed % CAPACITY]);
    atomic_store_explicit(&head, consumed, memory_order_release);
  }
  return NULL;
}

int main(int argc, char **argv) {
  int samples = (int)arg_or(argc, argv, 1, 10);
  objects = arg_or(argc, argv, 2, 2000000);
  double results[1000];
  for (int s = 0; s < samples && s < 1000; s++) {
    pthread_t producer, consumer;
    atomic_store(&head, 0);
    atomic_store(&tail, 0);
    double begin = now_ns();
    pthread_create(&consumer, NULL, consume, NULL);
    pthread_create(&producer, NULL, produce, NULL);
    pthread_join(producer, NULL);
    pthread_join(consumer, NULL);
    results[s] = (now_ns() - begin) / (double)objects;
  }
  print_samples(results, samples < 1000 ? samples : 1000);
  return 0;
}
