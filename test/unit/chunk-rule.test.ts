// The chunk rule (src/chunks.ts, assembly/chunks.ts): an object belongs to
// a pool only if its chunk is exactly the size that pool makes. A free of
// an object of another size is refused with InvalidPointerError on every
// path (the JS hit path, the core's, the batch loop, a miss) and changes
// nothing: the pool's stats and heap.check() stay as they were.

import { describe, expect, it } from "vitest";
import { Heap, type HeapOptions, InvalidPointerError, type Pool } from "wasm-pools";

/** What a refused call must leave as it was. */
function snapshot(heap: Heap, pools: Pool[]): unknown {
  const { cachedBytes, usedBytes, allocatedBytes, backingUsedBytes, backingFreeBytes } = heap.stats();
  return { pools: pools.map((pool) => pool.stats()), cachedBytes, usedBytes, allocatedBytes, backingUsedBytes, backingFreeBytes };
}

function expectRefused(heap: Heap, pools: Pool[], what: string, call: () => unknown): void {
  const before = snapshot(heap, pools);
  heap.check();
  expect(call, what).toThrow(InvalidPointerError);
  expect(snapshot(heap, pools), what).toEqual(before);
  heap.check();
}

const heaps: [string, HeapOptions][] = [
  ["the JS hit paths", {}],
  ["the core alone (noJsHitPath)", { unsafeTestSwitches: { noJsHitPath: true } }],
  ["no cache", { cacheBytes: 0 }],
];

describe("a free of an object of another size", () => {
  for (const [label, options] of heaps) {
    it(`is refused and changes nothing: ${label}`, async () => {
      const heap = await Heap.create(options);
      const small = heap.createPool("small", 64);
      const large = heap.createPool("large", 72);
      const pools = [small, large];
      // Both pools hold objects handed out and objects in this thread's cache (current entries).
      const smalls = [small.alloc(), small.alloc(), small.alloc()];
      const larges = [large.alloc(), large.alloc(), large.alloc()];
      small.free(smalls.pop()!);
      large.free(larges.pop()!);
      const [s, l] = [smalls[0]!, larges[0]!];
      expectRefused(heap, pools, "a 72-byte object into the 64-byte pool", () => small.free(l));
      expectRefused(heap, pools, "a 64-byte object into the 72-byte pool", () => large.free(s));
      expectRefused(heap, pools, "freeMany of a 72-byte object into the 64-byte pool", () => small.freeMany(Uint32Array.of(l)));
      // A miss: the entry is no longer current after a flush.
      small.flush();
      expectRefused(heap, pools, "after a flush (the core's miss path)", () => small.free(l));
      for (const ptr of smalls) small.free(ptr);
      for (const ptr of larges) large.free(ptr);
      small.destroy();
      large.destroy();
      heap.check();
    });
  }

  it("through heap.malloc's classes is refused too (a class pool's handle, heap.free of a block no class made)", async () => {
    const heap = await Heap.create();
    const block = heap.malloc(72); // class 72
    const other = heap.malloc(64); // class 64, its pool now made
    heap.free(heap.malloc(64)); // the class's cache holds a free block
    const class64 = heap.pool("malloc:64");
    const class72 = heap.pool("malloc:72");
    const odd = heap.createPool("odd", 136); // 136 bytes: no class has that size
    const oddObject = odd.alloc();
    const pools = [class64, class72, odd];
    expectRefused(heap, pools, "a block of class 72 into class 64's pool", () => class64.free(block));
    expectRefused(heap, pools, "heap.free of a 136-byte pool object", () => heap.free(oddObject));
    heap.free(block);
    heap.free(other);
    odd.free(oddObject);
    heap.check();
  });
});
