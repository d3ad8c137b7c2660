// Pool incarnations: a handle names one incarnation of a pool slot, and no
// number of creates in that slot makes it name a later one
// (docs/internals.md §7). Every call a handle makes is tried on a stale
// handle whose slot holds a live pool of the same size, through the JS hit
// paths (the thread's entry holds the live pool's objects) and the core.

import { describe, expect, it } from "vitest";
import { Heap, type Pool, PoolDestroyedError, PoolNotFoundError } from "wasm-pools";
import { GENERATION_LAST, P_GENERATION, POOL_SLOT_SIZE, POOLS_START } from "../../dist/layout.js";

/** Creates a slot sees before its generation would wrap in a 23-bit field (the layout before ABI 8). */
const OLD_LIMIT = 2 ** 23 - 1;

function generationWord(heap: Heap, id: number): Uint32Array {
  return new Uint32Array(heap.memory.buffer, POOLS_START + id * POOL_SLOT_SIZE + P_GENERATION, 1);
}

/** Every call of a stale handle, each of which must be refused and change nothing. */
function staleCalls(stale: Pool, staleOwner: Pool, held: number): [string, () => unknown][] {
  return [
    ["alloc", () => stale.alloc()],
    ["tryAlloc", () => stale.tryAlloc()],
    ["allocZeroed", () => stale.allocZeroed()],
    ["free of the live pool's object", () => stale.free(held)],
    ["allocMany", () => stale.allocMany(4, new Uint32Array(4))],
    ["freeMany of the live pool's object", () => stale.freeMany(Uint32Array.of(held))],
    ["flush", () => stale.flush()],
    ["stats", () => stale.stats()],
    ["freeListLength", () => stale.freeListLength()],
    ["destroy (an adopted registration)", () => staleOwner.destroy()],
  ];
}

describe("a stale handle", () => {
  it(`never reaches the pool that now holds its slot, after more than ${OLD_LIMIT} creates there`, async () => {
    const heap = await Heap.create({ maxBytes: 64 << 20 });
    const creator = heap.createPool("old", 256);
    const stale = heap.pool("old");
    const staleOwner = heap.adoptPool("old");
    stale.free(stale.alloc());
    creator.destroy();
    // The slot's generation as OLD_LIMIT - 1 more create-destroy rounds leave it
    // (those rounds change nothing else the slot keeps): one more create is
    // the slot's 2^23rd, past what a 23-bit generation tells apart.
    const word = generationWord(heap, stale.id);
    word[0] = word[0]! + OLD_LIMIT - 1;
    const live = heap.createPool("new", 256);
    expect(live.id).toBe(stale.id);
    // The live pool's objects: two handed out, some in this thread's cache (the JS hit paths' entry).
    const held = live.alloc();
    const other = live.alloc();
    live.free(live.alloc());
    const before = live.stats();
    for (const [what, call] of staleCalls(stale, staleOwner, held)) {
      expect(call, what).toThrow(PoolDestroyedError);
      expect(live.stats(), what).toEqual(before);
      heap.check();
    }
    live.free(held);
    live.free(other);
    live.destroy();
    heap.check();
  });
});

describe("a slot at the top of its generations", () => {
  it("is spent after its last generation: never taken again, and its stale handles stay refused", async () => {
    // Every slot starts 3 creates below its last generation.
    const heap = await Heap.create({ unsafeTestSwitches: { generationsNearTop: true } });
    const stale: Pool[] = [];
    for (const name of ["a", "b"]) {
      const pool = heap.createPool(name, 64);
      expect(pool.id).toBe(0);
      stale.push(heap.pool(name));
      pool.destroy();
    }
    const last = heap.createPool("c", 64);
    expect(last.id).toBe(0);
    expect(generationWord(heap, 0)[0]).toBe(GENERATION_LAST);
    const lookup = heap.pool("c");
    stale.push(lookup);
    const out = last.alloc();
    last.destroy({ force: true });
    // The retired incarnation still takes its object back; then its slot is free, and spent.
    lookup.free(out);
    expect(heap.stats().retiredPools).toBe(0);
    const next = heap.createPool("d", 64);
    expect(next.id).toBe(1);
    expect(() => heap.pool(0)).toThrow(PoolNotFoundError);
    const held = next.alloc();
    for (const pool of stale) {
      expect(() => pool.alloc()).toThrow(PoolDestroyedError);
      expect(() => pool.free(held)).toThrow(PoolDestroyedError);
    }
    // Slot 0 stays out of use however often others are made and destroyed.
    for (let i = 0; i < 3; i++) {
      const pool = heap.createPool("e", 64);
      expect(pool.id).toBe(2);
      pool.destroy();
    }
    next.free(held);
    next.destroy();
    heap.check();
  });
});
