// A heap of nearly 4 GiB: every 32-bit word the wrapper reads (chunk sizes,
// addresses, counters) can pass 2 GiB and must be read unsigned. One heap,
// with blocks and pool objects above 2 GiB in use and a free chunk of more
// than 2 GiB; heap.check(), dump() and stats() must see it healthy.

import { describe, expect, it } from "vitest";
import { Heap, HeapCorruptError } from "wasm-pools";

const GiB = 2 ** 30;
const MAX_BYTES = 4 * GiB - 65536;
/** The largest block heap.malloc makes: 1 GiB less a large block's mark. */
const LARGEST = GiB - 8;

describe("a heap past 2 GiB", () => {
  it("is healthy to heap.check(), dump() and stats() with blocks above 2 GiB and a free chunk of more than 2 GiB", async () => {
    let heap: Heap | undefined = await Heap.create({ maxBytes: MAX_BYTES });
    try {
      const [a, b, c] = [heap.malloc(LARGEST), heap.malloc(LARGEST), heap.malloc(LARGEST)];
      expect(c).toBeGreaterThan(2 * GiB);
      // Objects above 2 GiB, in use: a pool's, a size class's, written and read through views.
      const pool = heap.createPool("high", 64);
      const object = pool.alloc();
      const small = heap.malloc(100);
      expect(Math.min(object, small)).toBeGreaterThan(2 * GiB);
      heap.bytes(object, 64).fill(7);
      heap.array(Float64Array, small, 4).set([1, 2, 3, 4]);
      expect(heap.bytes(object, 64).every((byte) => byte === 7)).toBe(true);
      expect([...heap.array(Float64Array, small, 4)]).toEqual([1, 2, 3, 4]);
      expect(heap.usableSize(c)).toBe(LARGEST);

      const inUse = heap.stats();
      expect(inUse.memoryBytes).toBeGreaterThan(3 * GiB);
      expect(inUse.largeBlocks).toBe(3);
      expect(inUse.largeBytes).toBeGreaterThan(3 * GiB);
      expect(inUse.backingUsedBytes).toBeGreaterThan(3 * GiB);
      expect(heap.check().chunks).toBeGreaterThan(3);

      // Two adjacent 1 GiB blocks freed: one free chunk of more than 2 GiB.
      heap.free(a);
      heap.free(b);
      const freed = heap.stats();
      expect(freed.backingFreeBytes).toBeGreaterThan(2 * GiB);
      expect(freed.largeBytes).toBeGreaterThan(GiB);
      expect(freed.largeBytes).toBeLessThan(2 * GiB);
      expect(() => heap!.check()).not.toThrow();
      expect(heap.dump()).toMatch(/Large blocks of malloc: 1 \(1024\.0 MiB\)/);
      expect(heap.dump()).toMatch(/\d+\.\d MiB free for reuse/);

      // A broken size word of the big free chunk is still caught.
      const words = new Uint32Array(heap.memory.buffer);
      const header = (a - 16) / 4; // the free chunk's size word (the first block's chunk header, before its mark)
      const size = words[header]!;
      expect(size).toBeGreaterThan(2 * GiB);
      words[header] = size + 8;
      expect(() => heap!.check()).toThrow(HeapCorruptError);
      words[header] = size;
      heap.check();

      // The big free chunk serves again.
      const again = heap.malloc(LARGEST);
      expect(again).toBe(a);
      heap.free(again);
      pool.free(object);
      heap.free(small);
      heap.free(c);
      pool.destroy();
      heap.gc();
      const empty = heap.stats();
      expect([empty.largeBlocks, empty.largeBytes, empty.allocatedBytes]).toEqual([0, 0, 0]);
      heap.check();
    } finally {
      heap?.close();
      heap = undefined;
    }
  });
});
