// A heap that becomes unreachable without close() is collected, with its
// memory, and this thread leaves it as close() would: its cache goes back to
// the pools, its thread slot is free. A Pool still in use keeps its heap.

import v8 from "node:v8";
import vm from "node:vm";
import { describe, expect, it } from "vitest";
import { Heap, type Pool } from "wasm-pools";
import { expectConsistent } from "../support/consistency.js";
import { liveThreads } from "../support/thread-slots.js";

v8.setFlagsFromString("--expose-gc");
const collectGarbage = vm.runInNewContext("gc") as () => void;

/** Collects garbage and lets finalizers run until `done()` holds, at most `rounds` times; returns whether it held. */
async function collectUntil(done: () => boolean, rounds = 200): Promise<boolean> {
  for (let round = 0; round < rounds && !done(); round++) {
    collectGarbage();
    await new Promise((resolve) => setImmediate(resolve));
  }
  return done();
}

describe("heaps dropped without close()", () => {
  it("are collected, and so are their memories: 12 heaps that touched 16 MiB each", async () => {
    let finalized = 0;
    let memoriesFreed = 0;
    const watch = new FinalizationRegistry<number>(() => finalized++);
    const watchMemories = new FinalizationRegistry<number>(() => memoriesFreed++);
    const rssBefore = process.memoryUsage().rss;
    // In a function of its own: locals of the test's own frame may live on across its awaits.
    const makeAndDrop = async (n: number): Promise<void> => {
      const heap = await Heap.create({ maxBytes: 64 << 20, initialBytes: 16 << 20 });
      const pool = heap.createPool("p", 4096);
      const objects = Array.from({ length: 3500 }, () => pool.alloc());
      for (const object of objects) pool.free(object);
      watch.register(heap, n);
      watchMemories.register(heap.memory, n);
    };
    for (let n = 0; n < 12; n++) await makeAndDrop(n);
    expect(await collectUntil(() => finalized === 12 && memoriesFreed === 12)).toBe(true);
    console.log(
      `dropped heaps: 12 of 12 collected with their memories; RSS ${((process.memoryUsage().rss - rssBefore) / 2 ** 20).toFixed(0)} MiB above the start`,
    );
  });

  it("an attached heap dropped on this thread gives its cache and its slot back", async () => {
    const heap = await Heap.create();
    const pool = heap.createPool("p", 64);
    const fill = async (): Promise<void> => {
      const other = await Heap.attach(heap.handle());
      const theirs = other.pool("p");
      const objects = Array.from({ length: 50 }, () => theirs.alloc());
      for (const object of objects) theirs.free(object);
    };
    await fill();
    expect(pool.stats().cached).toBeGreaterThanOrEqual(50);
    expect(liveThreads(heap)).toBe(2);
    expect(await collectUntil(() => liveThreads(heap) === 1)).toBe(true);
    expect(pool.stats().cached).toBe(0);
    expectConsistent(heap);
    heap.close();
  });

  it("a pool still held keeps its heap: it goes on working after collections", async () => {
    const make = async (): Promise<Pool> => (await Heap.create()).createPool("p", 64);
    const pool = await make();
    for (let round = 0; round < 20; round++) {
      collectGarbage();
      await new Promise((resolve) => setImmediate(resolve));
    }
    const object = pool.alloc();
    pool.free(object);
    expect(pool.stats().used).toBe(0);
  });
});
