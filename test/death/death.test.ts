// Worker death on real threads, and waits that must give up cleanly (a
// holder that is slow, not dead: slow-holder.test.ts).
//
// A worker stopped by terminate() may die anywhere. Its Node exit event
// makes every heap of the thread that started it reclaim it: locks it held
// are taken over (a half-done section of the backing allocator is rolled
// back), what it had in transit and in its cache goes back to the pools,
// and its thread slot is free again. What it costs: the objects it held.
// A waiter that sees a holder show no sign of life, when nobody has said
// that holder is dead, gives up after about 3 seconds with LockTimeoutError,
// having released everything its call held.

import { describe, expect, it, vi } from "vitest";
import { Heap, LockTimeoutError, type Pool } from "wasm-pools";
import { H_BACKING_LOCK, T_DEATH_POINTS, T_DIE_AT, T_READ_HOLD, THREAD_SLOT_SIZE, THREADS_START } from "../../dist/layout.js";
import { expectExactAccounting, makeSignals, runTogether, startWorker, stop } from "../support/pool-workers.js";
import { EXHAUSTIVE, randomFor, replayHint } from "../support/sampling.js";
import { liveThreads, slotOf, words } from "../support/thread-slots.js";
import { SIGNAL_GO, SIGNAL_STOP } from "../workers/pool-worker-protocol.js";

/**
 * A second thread of the heap (an instance in this JS thread) that stops
 * dead at the first death point where `held(slot)` is true, and is not
 * reclaimed: to everyone else it looks alive.
 */
async function victimStoppedWhere(
  heap: Heap,
  work: (victim: Heap, pool: Pool) => void,
  poolName: string,
  held: (slot: number) => boolean,
  options?: { cacheBytes?: number },
): Promise<Heap> {
  for (let k = 1; k < 500; k++) {
    const victim = await Heap.attach(heap.handle(), options);
    const slot = slotOf(heap, victim.threadId);
    const mem = words(heap);
    mem[(slot + T_DIE_AT) >>> 2] = mem[(slot + T_DEATH_POINTS) >>> 2]! + k;
    try {
      work(victim, victim.pool(poolName));
    } catch {
      if (held(slot)) return victim;
      heap.reclaimThread(victim.threadId);
      continue;
    }
    mem[(slot + T_DIE_AT) >>> 2] = 0;
    victim.close();
  }
  throw new Error("no death point holds what was wanted");
}

function ownerValueOf(heap: Heap, threadId: number): number {
  return (slotOf(heap, threadId) - THREADS_START) / THREAD_SLOT_SIZE + 1;
}

describe("a holder that looks alive but never moves", () => {
  it("a reader stopped inside a pop: flush and gc give up with LockTimeoutError having released everything, and work once it is reclaimed", async () => {
    const heap = await Heap.create({ cacheBytes: 0, unsafeTestSwitches: { deathPoints: true } });
    const pool = heap.createPool("orphaned", 64);
    for (const ptr of Array.from({ length: 100 }, () => pool.alloc())) pool.free(ptr);
    const victim = await victimStoppedWhere(
      heap,
      (_, p) => p.free(p.alloc()),
      "orphaned",
      (slot) => words(heap)[(slot + T_READ_HOLD) >>> 2] !== 0,
      { cacheBytes: 0 },
    );
    const reader = `held by heap thread ${victim.threadId} \\(for reading\\)`;
    expect(() => pool.flush()).toThrow(new RegExp(`^pool "orphaned"'s flush lock, ${reader}, showed no sign of life for about 3 seconds`));
    // heap.gc() holds the registry lock while it waits for that flush lock: it must let go of it when it gives up.
    expect(() => heap.gc()).toThrow(LockTimeoutError);
    heap.createPool("after", 8).free(heap.pool("after").alloc());
    pool.free(pool.alloc());
    heap.reclaimThread(victim.threadId);
    pool.flush();
    heap.gc();
    expectExactAccounting(heap);
    expect(pool.stats()).toMatchObject({ used: 0, allocated: 0 });
  }, 30_000);

  it("a holder of the backing allocator's lock: a refill gives up naming it and its holder, and works once it is reclaimed", async () => {
    const heap = await Heap.create({ cacheBytes: 0, unsafeTestSwitches: { deathPoints: true } });
    const pool = heap.createPool("p", 64);
    let owner = 0;
    const victim = await victimStoppedWhere(
      heap,
      (_, p) => p.free(p.alloc()),
      "p",
      (slot) => {
        owner = (slot - THREADS_START) / THREAD_SLOT_SIZE + 1;
        return (words(heap)[H_BACKING_LOCK >>> 2]! & 0xffff) === owner;
      },
    );
    expect(ownerValueOf(heap, victim.threadId)).toBe(owner);
    expect(() => pool.alloc()).toThrow(
      new RegExp(`^the backing allocator's lock, held by heap thread ${victim.threadId}, showed no sign of life`),
    );
    expect(pool.stats()).toMatchObject({ allocated: 0, used: 0, failed: 0 });
    heap.reclaimThread(victim.threadId);
    pool.free(pool.alloc());
    expectExactAccounting(heap);
  }, 30_000);
});

describe("workers terminated at random moments", () => {
  it("are reclaimed by the exit event: survivors never wait on them, slots are reused, nothing is lost but what they held", async () => {
    // test:all kills more than the 256 thread slots: only reuse of reclaimed slots lets every attach succeed.
    // npm test kills a sample, at moments drawn from the run's seed, and sees each victim take a slot an earlier one had.
    const kills = EXHAUSTIVE ? 300 : 12;
    const moment = randomFor("terminated workers' moments");
    const victimSlots: number[] = [];
    const heap = await Heap.create();
    const pools = [heap.createPool("p", 64), heap.createPool("q", 24)];
    const baseline = heap.stats().backingUsedBytes;
    const signals = makeSignals();
    // What every worker sees, the killed ones included: [0] doubles, [1] errors.
    const published = new Int32Array(new SharedArrayBuffer(8));
    let crashes = 0;
    const churner = { kind: "churn", operations: 1e12, hold: 8, stopOnDouble: true, published } as const;
    const survivors = [
      startWorker(heap, signals, 0, { ...churner, poolName: "p", seed: 1 }),
      startWorker(heap, signals, 1, { ...churner, poolName: "q", seed: 2, cacheBytes: 0 }),
      startWorker(heap, signals, 2, { kind: "flusher", poolName: "p", operations: 0, hold: 0, seed: 0 }),
      startWorker(heap, signals, 3, { ...churner, poolName: "p", seed: 3, malloc: true }),
    ];
    const reports = runTogether(signals, survivors);
    await Promise.all(survivors.map((survivor) => survivor.ready));
    for (let round = 0; round < kills; round++) {
      const own = makeSignals();
      Atomics.store(own, SIGNAL_GO, 1);
      const victim = startWorker(heap, own, 10 + round, {
        ...churner,
        poolName: round % 2 === 0 ? "p" : "q",
        // One victim in three churns heap.malloc's classes and large blocks.
        malloc: round % 3 === 1,
        seed: 100 + round,
        cacheBytes: [0, 1024, 256 << 10][round % 3],
      });
      victim.report.catch(() => {}); // it never reports: what it saw is in `published`
      victim.worker.once("error", () => crashes++);
      await victim.ready;
      victimSlots.push(slotOf(heap, await victim.threadId));
      // A moment picked at random while it churns beside the others.
      await new Promise((resolve) => setTimeout(resolve, moment() % 13));
      await victim.worker.terminate();
      // The exit event has been handled: its slot is free again (or in a few milliseconds, when a lock its
      // reclaim needed was busy: a reclaim never waits long on the thread that hears of ends).
      await vi.waitFor(() => expect(liveThreads(heap)).toBe(5), { timeout: 5000, interval: 2 });
    }
    stop(signals, SIGNAL_STOP);
    // Reclaimed slots were taken again: far fewer slots than victims.
    expect(new Set(victimSlots).size).toBeLessThan(Math.min(kills, 10));
    for (const report of await reports) {
      expect(report.lockTimeout).toBeUndefined();
      expect(report.doubles).toBe(0);
      expect(report.errors).toBe(0);
    }
    expect({ doubles: published[0], errors: published[1], crashes }).toEqual({ doubles: 0, errors: 0, crashes: 0 });
    expectExactAccounting(heap);
    // What the victims held (at most `hold` objects or blocks each, and one in flight) is all that is out.
    const classes = heap.pools().filter((pool) => pool.name.startsWith("malloc:"));
    expect(classes.length).toBeGreaterThan(10);
    for (const pool of pools) expect(pool.stats().used).toBeLessThanOrEqual(kills * 9);
    expect(classes.reduce((sum, pool) => sum + pool.stats().used, 0) + heap.stats().largeBlocks).toBeLessThanOrEqual(kills * 9);
    heap.gc();
    const stats = heap.stats();
    expect(stats.cachedBytes).toBe(0);
    // No dead cache piles up: only the objects and blocks they held stay allocated.
    expect(stats.backingUsedBytes - baseline).toBeLessThanOrEqual(
      [...pools, ...classes].reduce((sum, pool) => sum + pool.stats().used * (pool.size + 8), 0) + stats.largeBytes + 16 * 4096,
    );
    console.log(
      `worker death: ${kills} workers killed at random moments and reclaimed on their exit event, in ${new Set(victimSlots).size} thread slots; survivors unaffected (${replayHint()})`,
    );
  }, 300_000);
});
