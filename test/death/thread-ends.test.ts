// A thread's end reaches every heap it attached, whoever started it: nested
// workers whose parent is terminated, workers that attached twice or to two
// heaps, workers killed together, workers the test itself never watched.

import { Worker } from "node:worker_threads";
import { describe, expect, it, vi } from "vitest";
import { Heap, InvalidArgumentError, LockTimeoutError, PoolInUseError } from "wasm-pools";
import { H_BACKING_LOCK, T_DEATH_POINTS, T_DIE_AT, THREAD_SLOT_SIZE, THREADS_START } from "../../dist/layout.js";
import { expectConsistent } from "../support/consistency.js";
import { countReaches, liveThreads, slotOf, words } from "../support/thread-slots.js";
import type { EndsTask } from "../workers/ends-worker.js";

const WORKER = new URL("../../build/test/workers/ends-worker.js", import.meta.url);

async function heapWithPool(): Promise<Heap> {
  const heap = await Heap.create({ maxBytes: 64 << 20 });
  heap.createPool("p", 64, { shared: true });
  return heap;
}

/** Starts a worker of ends-worker.ts; it counts itself in `signals[0]` once it is ready. */
function start(task: Omit<EndsTask, "signals">, signals: Int32Array): Worker {
  const worker = new Worker(WORKER, { workerData: { ...task, signals } satisfies EndsTask });
  failures.set(worker, new Promise((_, reject) => worker.once("error", reject)));
  return worker;
}

/** Each started worker's first uncaught error. */
const failures = new WeakMap<Worker, Promise<never>>();

/** Resolves once `count` workers are ready; rejects with the first error of one of `workers`. */
async function ready(workers: Worker[], signals: Int32Array, count: number): Promise<void> {
  await Promise.race([countReaches(signals, 0, count), ...workers.map((worker) => failures.get(worker)!)]);
}

/** The owner part of the backing allocator's lock word (0: free). */
function lockOwner(heap: Heap): number {
  return Atomics.load(new Uint32Array(heap.memory.buffer), H_BACKING_LOCK >>> 2) & 0xffff;
}

/**
 * A second heap thread on this thread that stops dead (deathPoints test
 * switch) inside a refill, holding the backing allocator's lock: a holder
 * that looks alive. Returns its heap thread id and its lock owner value.
 */
async function victimHoldingBackingLock(heap: Heap): Promise<{ victim: number; owner: number }> {
  for (let k = 1; k < 64; k++) {
    const victim = await Heap.attach(heap.handle());
    const slot = slotOf(heap, victim.threadId);
    const mem = words(heap);
    mem[(slot + T_DIE_AT) >>> 2] = mem[(slot + T_DEATH_POINTS) >>> 2]! + k;
    expect(() => victim.pool("p").alloc()).toThrow(/stopped dead/);
    const owner = (slot - THREADS_START) / THREAD_SLOT_SIZE + 1;
    if (lockOwner(heap) === owner) return { victim: victim.threadId, owner };
    heap.reclaimThread(victim.threadId);
  }
  throw new Error("no death point of a refill holds the backing lock");
}

function signalWords(): Int32Array {
  return new Int32Array(new SharedArrayBuffer(4));
}

async function terminated(worker: Worker): Promise<void> {
  const exited = new Promise((resolve) => worker.once("exit", resolve));
  await worker.terminate();
  await exited;
}

describe("a thread's end reaches every heap it attached", () => {
  it("nested workers: the parent is terminated, its worker (and that one's worker) stop with it and are reclaimed", async () => {
    const heap = await heapWithPool();
    const signals = signalWords();
    const worker = start({ handles: [heap.handle()], depth: 2, gcEvery: 64 }, signals);
    await ready([worker], signals, 3);
    expect(liveThreads(heap)).toBe(4);
    await terminated(worker);
    // Reclaimed within the exit event, or a few milliseconds later when a lock was busy.
    await vi.waitFor(() => expect(liveThreads(heap)).toBe(1), { timeout: 5000, interval: 5 });
    // Each worker held one object, and at most 3 more in its hands when it stopped: every cache came back.
    expect(heap.pool("p").stats().used).toBeGreaterThanOrEqual(3);
    expect(heap.pool("p").stats().used).toBeLessThanOrEqual(3 * 4);
    expectConsistent(heap);
    heap.close();
  });

  it("a worker attached twice to one heap and once to another: every slot of it is reclaimed", async () => {
    const first = await heapWithPool();
    const second = await heapWithPool();
    const signals = signalWords();
    const worker = start({ handles: [first.handle(), second.handle()], attachTwice: true, depth: 0, gcEvery: 0, idle: true }, signals);
    await ready([worker], signals, 1);
    expect([liveThreads(first), liveThreads(second)]).toEqual([3, 2]);
    await terminated(worker);
    await vi.waitFor(() => expect([liveThreads(first), liveThreads(second)]).toEqual([1, 1]), { timeout: 5000, interval: 5 });
    expect([first.pool("p").stats().used, second.pool("p").stats().used]).toEqual([2, 1]);
    expectConsistent(first);
    expectConsistent(second);
    first.close();
    second.close();
  });

  it("workers terminated together, churning with gc: every one is reclaimed, none waits out another's lock", async () => {
    const heap = await heapWithPool();
    for (let round = 0; round < 3; round++) {
      const signals = signalWords();
      const workers = Array.from({ length: 8 }, () => start({ handles: [heap.handle()], depth: 0, gcEvery: 8 }, signals));
      await ready(workers, signals, 8);
      await Promise.all(workers.map(terminated));
      await vi.waitFor(() => expect(liveThreads(heap)).toBe(1), { timeout: 5000, interval: 5 });
    }
    expect(heap.pool("p").stats().used).toBeGreaterThanOrEqual(24);
    expect(heap.pool("p").stats().used).toBeLessThanOrEqual(24 * 4);
    expectConsistent(heap);
    heap.close();
  });

  it("a heap that the starting thread has closed hears of the end through the thread that keeps it open", async () => {
    const heap = await heapWithPool();
    const signals = signalWords();
    const keeper = start({ handles: [heap.handle()], depth: 0, gcEvery: 0, idle: true }, signals);
    const victim = start({ handles: [heap.handle()], depth: 0, gcEvery: 0 }, signals);
    await ready([keeper, victim], signals, 2);
    // Only the keeper has the heap open now: this thread's exit event can reach it only through the keeper's thread.
    heap.close();
    expect(liveThreads(heap)).toBe(2);
    await terminated(victim);
    await vi.waitFor(() => expect(liveThreads(heap)).toBe(1), { timeout: 5000, interval: 5 });
    await terminated(keeper);
  });
});

describe("a reclaim never waits out a lock whose holder may be dead", () => {
  it("a worker's end is heard while another thread, not yet known dead, holds the backing lock: put off, then done", async () => {
    const heap = await Heap.create({ maxBytes: 64 << 20, unsafeTestSwitches: { deathPoints: true } });
    heap.createPool("p", 64);
    const signals = signalWords();
    const worker = start({ handles: [heap.handle()], depth: 0, gcEvery: 0, idle: true }, signals);
    await ready([worker], signals, 1);
    const { victim, owner } = await victimHoldingBackingLock(heap);
    expect(lockOwner(heap)).toBe(owner);
    // Its reclaim needs the backing lock: the old code waited 3 s here, on the thread that delivers
    // exit events, then gave up and left the slot dead for good.
    await terminated(worker);
    expect(liveThreads(heap)).toBe(3);
    // Now the holder is known to be gone: its reclaim rolls its section back, and takes up the one put off.
    expect(heap.reclaimThread(victim)).toBe(true);
    await vi.waitFor(() => expect(liveThreads(heap)).toBe(1), { timeout: 5000, interval: 5 });
    expect(lockOwner(heap)).toBe(0);
    expectConsistent(heap);
    heap.close();
  });
});

describe("a thread that gives up while attaching", () => {
  it("leaves no slot behind: the one it claimed is free again", async () => {
    const heap = await Heap.create({ maxBytes: 64 << 20, unsafeTestSwitches: { deathPoints: true, shortPatience: true } });
    heap.createPool("p", 64);
    const { victim } = await victimHoldingBackingLock(heap);
    expect(liveThreads(heap)).toBe(2);
    // Its cache block is taken under the backing lock, which the stopped victim holds: it gives up.
    await expect(Heap.attach(heap.handle())).rejects.toThrow(LockTimeoutError);
    expect(liveThreads(heap)).toBe(2);
    expect(heap.reclaimThread(victim)).toBe(true);
    expect(liveThreads(heap)).toBe(1);
    expectConsistent(heap);
    heap.close();
  });
});

describe("a live holder is never taken for dead", () => {
  it("two workers alloc bursts from a pool found by name, with gc, while it is destroyed and made again: no one gives up", async () => {
    const heap = await Heap.create({ maxBytes: 64 << 20 });
    const signals = new Int32Array(new SharedArrayBuffer(12));
    heap.createPool("p", 64);
    let pool = heap.createPool("load", 64);
    const workers = [0, 1].map(() => start({ handles: [heap.handle()], depth: 0, gcEvery: 16, byName: true }, signals));
    await ready(workers, signals, 2);
    const sizes = [8, 24, 64, 200, 1024, 40];
    let destroyed = 0;
    let mine = 0;
    const end = performance.now() + 3000;
    while (performance.now() < end) {
      try {
        pool.destroy();
        destroyed++;
        pool = heap.createPool("load", sizes[destroyed % sizes.length]!);
      } catch (error) {
        if (error instanceof LockTimeoutError) mine++;
        else if (!(error instanceof PoolInUseError)) throw error;
      }
      // Let the workers run between destroys (pacing, not synchronisation), as the destroy tests do.
      await new Promise((resolve) => setImmediate(resolve));
    }
    Atomics.store(signals, 2, 1);
    await Promise.all(workers.map((worker) => new Promise((resolve) => worker.once("exit", resolve))));
    expect({ mine, workers: Atomics.load(signals, 1) }).toEqual({ mine: 0, workers: 0 });
    expect(destroyed).toBeGreaterThan(30);
    expectConsistent(heap);
    heap.close();
  });
});

describe("reclaimThread", () => {
  it("after the exit event: a worker reclaimed already gives false, by its Worker or its heap id; an id never handed out throws", async () => {
    const heap = await heapWithPool();
    const signals = signalWords();
    const worker = start({ handles: [heap.handle()], depth: 0, gcEvery: 0 }, signals);
    await ready([worker], signals, 1);
    const heapIds = [2];
    await terminated(worker);
    expect(worker.threadId).toBe(-1);
    expect(heap.reclaimThread(worker)).toBe(false);
    for (const id of heapIds) expect(heap.reclaimThread(id)).toBe(false);
    expect(() => heap.reclaimThread(1000)).toThrow(InvalidArgumentError);
    expect(() => heap.reclaimThread({ threadId: -1 })).toThrow(/not started by this thread/);
    heap.close();
  });
});

describe("every walk is bounded", () => {
  it("a dead worker whose cached chain loops (a write after free) is reclaimed: the pool is marked corrupt, the reclaim ends", async () => {
    const heap = await heapWithPool();
    const signals = signalWords();
    const worker = start({ handles: [heap.handle()], depth: 0, gcEvery: 0, cycle: true }, signals);
    await ready([worker], signals, 1);
    await terminated(worker);
    await vi.waitFor(() => expect(liveThreads(heap)).toBe(1), { timeout: 5000, interval: 5 });
    expect(() => heap.check()).toThrow(/corrupt/);
    heap.close();
  });
});
