// Worker death. A worker stopped by terminate() may die anywhere, inside a
// pop or while it holds a lock. Nothing may then wait forever: a lock that
// stays held makes its waiters give up after about 3 seconds with
// LockTimeoutError naming it, and reclaimThread(id) releases the flush-lock
// hold of a worker that died inside a pop. What the dead worker cost: the
// objects it held stay allocated, its cache comes back on reclaimThread.

import { describe, expect, it } from "vitest";
import { Heap, LockTimeoutError } from "wasm-pools";
import {
  H_BACKING_LOCK,
  P_FLUSH_LOCK,
  POOL_SLOT_SIZE,
  POOLS_START,
  T_ID,
  T_READ_HOLD,
  T_STATE,
  THREAD_LIVE,
  THREAD_SLOT_SIZE,
  THREADS_START,
} from "../dist/layout.js";
import { makeSignals, runTogether, startWorker, stop } from "./support/workers.js";
import { SIGNAL_STOP } from "./workers/protocol.js";

function words(heap: Heap): Int32Array {
  return new Int32Array(heap.memory.buffer);
}

function threadSlotOf(heap: Heap, threadId: number): number {
  const w = words(heap);
  for (let index = 0; index < 256; index++) {
    const slot = THREADS_START + index * THREAD_SLOT_SIZE;
    if (w[(slot + T_STATE) >>> 2] === THREAD_LIVE && w[(slot + T_ID) >>> 2] === threadId) return slot;
  }
  throw new Error(`no live thread ${threadId}`);
}

describe("a lock left held", () => {
  it("by a dead reader: flush gives up with LockTimeoutError naming the pool's flush lock, and the heap stays usable", async () => {
    const heap = await Heap.create();
    const pool = heap.createPool("orphaned", 64);
    const lock = (POOLS_START + pool.id * POOL_SLOT_SIZE + P_FLUSH_LOCK) >>> 2;
    Atomics.add(words(heap), lock, 1); // a reader that will never leave
    let error: unknown;
    try {
      pool.flush();
    } catch (caught) {
      error = caught;
    }
    expect(error).toBeInstanceOf(LockTimeoutError);
    expect((error as Error).message).toMatch(/^pool "orphaned"'s flush lock has not changed hands for about 3 seconds/);
    // The waiting writer withdrew: readers are not blocked behind it, and once the reader leaves, flush works.
    pool.free(pool.alloc());
    Atomics.sub(words(heap), lock, 1);
    pool.flush();
    heap.check();
  }, 30_000);

  it("by a dead holder of the backing allocator's lock: a refill gives up with LockTimeoutError naming it", async () => {
    const heap = await Heap.create({ cacheBytes: 0 });
    const pool = heap.createPool("p", 64);
    Atomics.store(words(heap), H_BACKING_LOCK >>> 2, 1);
    expect(() => pool.alloc()).toThrow(/the backing allocator's lock has not changed hands/);
    Atomics.store(words(heap), H_BACKING_LOCK >>> 2, 0);
    pool.free(pool.alloc()); // usable again once the lock is free
  }, 30_000);

  it("by a worker terminated inside a pop: reclaimThread releases its hold and flush proceeds at once", async () => {
    const heap = await Heap.create();
    const pool = heap.createPool("p", 64);
    const signals = makeSignals();
    const worker = startWorker(heap, signals, 0, { kind: "churn", poolName: "p", operations: 1, hold: 1, seed: 1, cacheBytes: 0 });
    const threadId = await worker.threadId;
    const slot = threadSlotOf(heap, threadId);
    await worker.worker.terminate();
    // The state a death between taking the read lock and releasing it leaves: a reader counted, and recorded in its slot.
    const lock = (POOLS_START + pool.id * POOL_SLOT_SIZE + P_FLUSH_LOCK) >>> 2;
    Atomics.add(words(heap), lock, 1);
    Atomics.store(words(heap), (slot + T_READ_HOLD) >>> 2, POOLS_START + pool.id * POOL_SLOT_SIZE);
    heap.reclaimThread(threadId);
    expect(Atomics.load(words(heap), lock)).toBe(0);
    pool.flush();
    heap.gc();
    pool.free(pool.alloc());
    heap.check();
  });
});

describe("workers terminated at random moments", () => {
  it("never hang the others: flush, gc, reclaimThread and the surviving workers all finish, or give up with LockTimeoutError", async () => {
    const rounds = 20;
    let diedInsidePop = 0;
    let lostLocks = 0;
    let survivorOperations = 0;
    for (let round = 0; round < rounds; round++) {
      const heap = await Heap.create();
      const pool = heap.createPool("p", 64);
      const signals = makeSignals();
      // stopOnDouble: the survivor stops at SIGNAL_STOP (and counts, not throws, pool errors).
      const spec = {
        kind: "churn",
        poolName: "p",
        operations: 50_000_000,
        hold: 8,
        cacheBytes: round % 2 === 0 ? 0 : 1024,
        stopOnDouble: true,
        survivesDeadLocks: true,
      } as const;
      const victim = startWorker(heap, signals, 0, { ...spec, seed: round });
      const survivor = startWorker(heap, signals, 1, { ...spec, seed: 1000 + round });
      const flusher = startWorker(heap, signals, 2, {
        kind: "flusher",
        poolName: "p",
        operations: 0,
        hold: 0,
        seed: 0,
        cacheBytes: 0,
        survivesDeadLocks: true,
      });
      const all = runTogether(signals, [survivor, flusher]);
      const victimId = await victim.threadId;
      victim.report.catch(() => {}); // it will never report
      // A moment picked at random, while the three run.
      await new Promise((resolve) => setTimeout(resolve, 5 + ((round * 7919) % 40)));
      const slot = threadSlotOf(heap, victimId);
      await victim.worker.terminate();
      if (Atomics.load(words(heap), (slot + T_READ_HOLD) >>> 2) !== 0) diedInsidePop++;
      let lost = false;
      try {
        heap.reclaimThread(victimId);
        pool.flush();
        heap.gc();
      } catch (error) {
        // The victim died holding the backing allocator's or the registry's lock: bounded, named, not recoverable.
        expect(error).toBeInstanceOf(LockTimeoutError);
        expect((error as Error).message).toMatch(/^the (backing allocator's|pool registry's) lock has not changed hands/);
        lost = true;
      }
      stop(signals, SIGNAL_STOP);
      const reports = await all;
      for (const report of reports) {
        if (report.lockTimeout !== undefined) lost = true;
        else {
          expect(report.doubles).toBe(0);
          expect(report.errors).toBe(0);
        }
      }
      survivorOperations += reports[0]!.allocs + reports[0]!.frees;
      if (lost) {
        lostLocks++;
        continue; // the heap is to be abandoned, as the README says
      }
      // Still usable: allocate and free from the main thread.
      const ptrs = Array.from({ length: 1000 }, () => pool.alloc());
      for (const ptr of ptrs) pool.free(ptr);
    }
    console.log(
      `worker death: ${rounds} workers killed at random moments, ${diedInsidePop} inside a pop holding the flush lock ` +
        `(released by reclaimThread), ${lostLocks} holding an unrecoverable lock (LockTimeoutError), survivors did ${survivorOperations} operations`,
    );
  }, 300_000);
});
