/* Cases 9-11 (native reference): malloc of random sizes 16-1024 bytes, from
 * the same xorshift stream as the JS cases (a table of 4096 sizes).
 * usage: randsize pair <samples> <pairs>     ns per malloc+free pair
 *        randsize hold <samples> <rounds>    ns per pair, 10,000 held at the peak
 *        randsize overhead <blocks>          {"reservedPerRequested": r}: bytes
 *                                             glibc holds (mallinfo2's uordblks,
 *                                             chunk headers included) per byte asked */
#include <malloc.h>
#include <string.h>
#include "common.h"

#define SIZES 4096
#define HELD 10000

static size_t sizes[SIZES];

static void fill_sizes(void) {
  unsigned random = 0x9e3779b9u;
  for (int i = 0; i < SIZES; i++) sizes[i] = 16 + xorshift32(&random) % 1009;
}

int main(int argc, char **argv) {
  fill_sizes();
  const char *mode = argc > 1 ? argv[1] : "pair";
  if (strcmp(mode, "overhead") == 0) {
    long blocks = arg_or(argc, argv, 2, 100000);
    void **held = malloc(sizeof(void *) * (size_t)blocks);
    size_t before = mallinfo2().uordblks;
    double requested = 0;
    for (long i = 0; i < blocks; i++) {
      held[i] = bench_malloc(sizes[i % SIZES]);
      requested += (double)sizes[i % SIZES];
    }
    size_t after = mallinfo2().uordblks;
    printf("{\"reservedPerRequested\":%.4f}\n", (double)(after - before) / requested);
    for (long i = 0; i < blocks; i++) bench_free(held[i]);
    free(held);
    return 0;
  }
  int samples = (int)arg_or(argc, argv, 2, 20);
  long count = arg_or(argc, argv, 3, 1000000);
  double results[1000];
  static void *held[HELD];
  for (int s = 0; s < samples && s < 1000; s++) {
    double start = now_ns();
    if (strcmp(mode, "hold") == 0) {
      for (long r = 0; r < count; r++) {
        for (int i = 0; i < HELD; i++) held[i] = bench_malloc(sizes[(r * HELD + i) % SIZES]);
        for (int i = 0; i < HELD; i++) bench_free(held[i]);
      }
      results[s] = (now_ns() - start) / (double)(count * HELD);
    } else {
      for (long i = 0; i < count; i++) bench_free(bench_malloc(sizes[i % SIZES]));
      results[s] = (now_ns() - start) / (double)count;
    }
  }
  print_samples(results, samples < 1000 ? samples : 1000);
  return 0;
}
