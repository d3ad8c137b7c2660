// Fault injection (HAProxy's tune.fail-alloc): a share of refills from the
// backing allocator fail on purpose. The failures show in `failed` and in
// the ring of recent failures, a seed makes them repeat, and under them
// nothing leaks and the accounting stays exact, on one thread and on several.

import { describe, expect, it } from "vitest";
import { Heap, InvalidArgumentError, OutOfMemoryError, type Pool } from "wasm-pools";
import { expectConsistent } from "../support/consistency.js";
import { expectExactAccounting, makeSignals, runTogether, startWorker, stop, sum } from "../support/pool-workers.js";
import { SIGNAL_STOP } from "../workers/pool-worker-protocol.js";

/** Random allocs and frees on one thread; returns the operation numbers at which an alloc failed. */
function churn(pool: Pool, operations: number, seed: number): { failedAt: number[]; held: number[] } {
  let state = seed;
  const random = () => {
    state = (Math.imul(state, 1103515245) + 12345) >>> 0;
    return state >>> 8;
  };
  const held: number[] = [];
  const failedAt: number[] = [];
  for (let i = 0; i < operations; i++) {
    if (held.length === 0 || random() % 3 !== 0) {
      const ptr = pool.tryAlloc();
      if (ptr === 0) failedAt.push(i);
      else held.push(ptr);
    } else pool.free(held.splice(random() % held.length, 1)[0]!);
  }
  return { failedAt, held };
}

describe("fault injection", () => {
  it("fails that share of refills, counts each failure, and leaks nothing", async () => {
    for (const cacheBytes of [0, 256 << 10]) {
      const heap = await Heap.create({ failRate: 40, seed: 7, cacheBytes });
      const baseline = heap.stats().backingUsedBytes; // this thread's cache block
      const pool = heap.createPool("p", 64);
      const { failedAt, held } = churn(pool, 20_000, 1);
      expect(failedAt.length, `cacheBytes ${cacheBytes}`).toBeGreaterThan(10);
      const stats = heap.stats();
      expect(stats.pools[0]!.failed).toBe(failedAt.length);
      expect(stats.failures).toBe(failedAt.length);
      expect(stats.faultInjection).toEqual({ failRate: 40, seed: 7 });
      expect(stats.recentFailures).toHaveLength(12);
      expect(stats.recentFailures.every((f) => f.poolId === pool.id && f.reason === "injected")).toBe(true);
      // Through alloc(), an injected failure surfaces as OutOfMemoryError.
      expect(() => {
        for (;;) held.push(pool.alloc());
      }).toThrow(OutOfMemoryError);
      expectConsistent(heap);
      for (const ptr of held) pool.free(ptr);
      heap.gc();
      expect(pool.stats()).toMatchObject({ allocated: 0, used: 0, cached: 0 });
      expect(heap.stats().backingUsedBytes).toBe(baseline);
      heap.check();
      heap.close();
    }
  });

  it("repeats the same failures with the same seed, and others with another", async () => {
    const failuresWith = async (seed: number) => {
      const heap = await Heap.create({ failRate: 25, seed });
      const { failedAt } = churn(heap.createPool("p", 64), 20_000, 3);
      heap.close();
      return failedAt;
    };
    const first = await failuresWith(11);
    expect(first.length).toBeGreaterThan(0);
    expect(await failuresWith(11)).toEqual(first);
    expect(await failuresWith(12)).not.toEqual(first);
  });

  it("records the reason of real failures too: the pool's limit and the heap's maxBytes", async () => {
    const heap = await Heap.create({ maxBytes: 4 << 20, cacheBytes: 0 });
    const limited = heap.createPool("limited", 64, { limit: 10 });
    const huge = heap.createPool("huge", 1 << 20);
    const kept = Array.from({ length: 10 }, () => limited.alloc());
    expect(limited.tryAlloc()).toBe(0);
    const big: number[] = [];
    for (let p = huge.tryAlloc(); p !== 0; p = huge.tryAlloc()) big.push(p);
    expect(heap.stats().recentFailures).toEqual([
      { poolId: limited.id, reason: "limit" },
      { poolId: huge.id, reason: "memory" },
    ]);
    expect(heap.stats().faultInjection.failRate).toBe(0);
    for (const p of kept) limited.free(p);
    for (const p of big) huge.free(p);
    expectConsistent(heap);
  });

  it("refuses a failRate outside 0-100 % and a seed that is not a u32", async () => {
    for (const failRate of [-1, 101, Number.NaN, Number.POSITIVE_INFINITY, "5"]) {
      await expect(Heap.create({ failRate: failRate as number })).rejects.toThrow(/options.failRate: expected a percentage from 0 to 100/);
    }
    for (const seed of [-1, 2 ** 32, 1.5, "1"]) {
      await expect(Heap.create({ failRate: 1, seed: seed as number })).rejects.toThrow(InvalidArgumentError);
    }
    expect((await Heap.create({ failRate: 0.5 })).stats().faultInjection.failRate).toBe(0.5);
  });

  it("under injected failures, 4 workers and a flusher keep every object with one owner and the accounting exact", async () => {
    const heap = await Heap.create({ failRate: 50, seed: 99 });
    const pool = heap.createPool("shared", 64);
    const signals = makeSignals();
    const churners = Array.from({ length: 4 }, (_, n) =>
      startWorker(heap, signals, n, { kind: "churn", poolName: "shared", operations: 300_000, hold: 64, seed: 500 + n, cacheBytes: 1024 }),
    );
    const flusher = startWorker(heap, signals, 4, { kind: "flusher", poolName: "shared", operations: 0, hold: 0, seed: 0 });
    const all = runTogether(signals, [...churners, flusher]);
    const reports = await Promise.all(churners.map((w) => w.report));
    stop(signals, SIGNAL_STOP);
    await all;
    expect(sum(reports, "doubles")).toBe(0);
    expect(sum(reports, "failures")).toBeGreaterThan(0);
    expect(pool.stats().failed).toBe(sum(reports, "failures"));
    expect(pool.stats()).toMatchObject({ used: 0, cached: 0 });
    expectExactAccounting(heap);
    heap.gc();
    expect(pool.stats().allocated).toBe(0);
    heap.check();
    console.log(
      `fault injection: ${sum(reports, "allocs") + sum(reports, "frees")} operations, ${sum(reports, "failures")} injected failures, 0 double hand-outs`,
    );
  });
});
