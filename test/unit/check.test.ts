// heap.check(): it passes on a heap in any honest state, and each kind of
// damage it looks for is reported by name. Damage is done by hand to the
// shared memory, then undone so that the heap can close.

import { describe, expect, it } from "vitest";
import { Heap, HeapCorruptError, type Pool } from "wasm-pools";
import { CHUNK_HEADER, H_BACKING_USED_BYTES, P_HEAD, P_USED, POOL_SLOT_SIZE, POOLS_START } from "../../dist/layout.js";

async function busyHeap(): Promise<{ heap: Heap; pools: Pool[] }> {
  const heap = await Heap.create();
  const pools = [heap.createPool("a", 64), heap.createPool("b", 24, { shared: true }), heap.createPool("c", 3000, { minAvail: 3 })];
  const held: Array<[Pool, number]> = [];
  for (let i = 0; i < 300; i++) for (const pool of pools) held.push([pool, pool.alloc()]);
  held.forEach(([pool, ptr], n) => n % 3 !== 0 && pool.free(ptr));
  return { heap, pools };
}

/** Changes the u32 at `address`, runs `check`, then puts the word back. */
function damaged(heap: Heap, address: number, value: number, check: () => void): void {
  const words = new Uint32Array(heap.memory.buffer);
  const before = words[address >>> 2]!;
  words[address >>> 2] = value;
  try {
    check();
  } finally {
    words[address >>> 2] = before;
  }
}

describe("heap.check", () => {
  it("passes and counts what it walked, after allocations, frees, flush, gc and destroy", async () => {
    const { heap, pools } = await busyHeap();
    const report = heap.check();
    expect(report.pools).toBe(3);
    expect(report.freeListObjects + report.cachedObjects).toBe(pools.reduce((sum, p) => sum + p.stats().free + p.stats().cached, 0));
    expect(report.chunks).toBeGreaterThan(900);
    pools[0]!.flush();
    heap.gc();
    expect(heap.check().freeListObjects).toBe(3); // pool c keeps its minAvail
    heap.close();
  });

  it("names a free-list link that leaves the arena", async () => {
    const { heap, pools } = await busyHeap();
    heap.gc(); // pool c keeps its 3 minAvail objects on its shared list
    const c = pools[2]!;
    const head = POOLS_START + c.id * POOL_SLOT_SIZE + P_HEAD;
    const first = new Uint32Array(heap.memory.buffer)[head >>> 2]!;
    expect(first).not.toBe(0);
    damaged(heap, first, 12, () => {
      expect(() => heap.check()).toThrow(HeapCorruptError);
      expect(() => heap.check()).toThrow(/pool 2's free list: 12 is not an object address inside the arena/);
    });
    heap.check();
    heap.close();
  });

  it("names an object that sits on two lists", async () => {
    const { heap, pools } = await busyHeap();
    const c = pools[2]!;
    heap.gc();
    const head = POOLS_START + c.id * POOL_SLOT_SIZE + P_HEAD;
    const words = new Uint32Array(heap.memory.buffer);
    const first = words[head >>> 2]!;
    const second = words[first >>> 2]!;
    expect(second).not.toBe(0);
    // second -> first makes a cycle: first is met twice.
    damaged(heap, second, first, () => expect(() => heap.check()).toThrow(new RegExp(`${first} is also pool 2's free list`)));
    heap.close();
  });

  it("names counters that do not add up", async () => {
    const { heap, pools } = await busyHeap();
    const used = POOLS_START + pools[0]!.id * POOL_SLOT_SIZE + P_USED;
    const words = new Uint32Array(heap.memory.buffer);
    damaged(heap, used, words[used >>> 2]! + 1, () => expect(() => heap.check()).toThrow(/pool 0: allocated .* but the free list holds/));
    damaged(heap, H_BACKING_USED_BYTES, words[H_BACKING_USED_BYTES >>> 2]! + 8, () =>
      expect(() => heap.check()).toThrow(/used chunks add up to \d+ bytes, the counter says/),
    );
    heap.close();
  });

  it("names a chunk whose size breaks the chain", async () => {
    const { heap, pools } = await busyHeap();
    const ptr = pools[0]!.alloc();
    const header = ptr - CHUNK_HEADER;
    const words = new Uint32Array(heap.memory.buffer);
    damaged(heap, header, (words[header >>> 2]! & 7) | 0x7ffffff8, () => expect(() => heap.check()).toThrow(/the chunk at \d+ has a size/));
    pools[0]!.free(ptr);
    heap.close();
  });
});
