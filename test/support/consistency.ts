// The checks every test runs after rejected calls: a heap that refused bad
// input must be exactly as usable as before.

import { expect } from "vitest";
import type { Heap } from "wasm-pools";

/** heap.check() passes, allocated == used + cached + |free list| per pool, byte totals add up, and every pool below its limits still allocates and frees. */
export function expectConsistent(heap: Heap): void {
  // Every list, cache and chunk walked (throws HeapCorruptError naming what is broken).
  heap.check();
  const stats = heap.stats();
  for (const pool of heap.pools()) {
    const s = pool.stats();
    expect({ pool: s.name, allocated: s.allocated }).toEqual({ pool: s.name, allocated: s.used + s.cached + pool.freeListLength() });
    const ptr = pool.tryAlloc();
    if (ptr !== 0) pool.free(ptr);
    else {
      const atLimit = (s.limit !== 0 && s.allocated >= s.limit) || stats.memoryBytes === stats.maxBytes;
      expect(atLimit, `pool ${s.name} cannot allocate below its limit and maxBytes`).toBe(true);
    }
  }
  expect(stats.backingUsedBytes).toBeGreaterThanOrEqual(stats.allocatedBytes);
  expect(stats.allocatedBytes).toBeGreaterThanOrEqual(stats.usedBytes);
  expect(stats.memoryBytes).toBeLessThanOrEqual(stats.maxBytes);
}
