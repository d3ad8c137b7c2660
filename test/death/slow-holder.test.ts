// A holder that is slow, not dead: a waiter behind a long flush must never
// give up while the flush shows progress. With the shortPatience test switch
// a waiter gives up after about 20 ms of silence, so this file runs alone
// (vitest.config.ts): on cores shared with other files, the flushing thread
// itself could be kept off the CPU for longer than that.

import { describe, expect, it } from "vitest";
import { Heap } from "wasm-pools";
import { coreConstant } from "../support/core-constants.js";
import { expectExactAccounting, go, makeSignals, runTogether, startWorker, stop } from "../support/pool-workers.js";
import { slotOf, words } from "../support/thread-slots.js";
import { SIGNAL_STOP } from "../workers/pool-worker-protocol.js";

const T_HEARTBEAT = await coreConstant("T_HEARTBEAT");

/** Quiet 10 ms slices a waiter with short patience sits through before it gives up (300 / 150 in assembly/locks.ts and thread.ts). */
const SHORT_PATIENCE_SLICES = 2;

describe("a holder that is slow, not dead", () => {
  it("a flush of 4 million objects keeps showing progress: a reader waiting behind it never gives up", async () => {
    // Waiters give up after about 20 ms of silence here; the flush takes far longer than that.
    const heap = await Heap.create({ cacheBytes: 0, maxBytes: 256 << 20, unsafeTestSwitches: { shortPatience: true } });
    const pool = heap.createPool("big", 8);
    const batch = new Uint32Array(4 << 20);
    expect(pool.allocMany(batch.length, batch)).toBe(batch.length);
    pool.freeMany(batch);
    const signals = makeSignals();
    const progress = new Int32Array(new SharedArrayBuffer(4));
    const reader = startWorker(heap, signals, 0, {
      kind: "churn",
      progress,
      poolName: "big",
      operations: 1e12,
      hold: 4,
      seed: 3,
      cacheBytes: 0,
      stopOnDouble: true,
      survivesDeadLocks: true,
    });
    const report = runTogether(signals, [reader]);
    await reader.ready;
    go(signals);
    const heartbeat = (slotOf(heap, await reader.threadId) + T_HEARTBEAT) >>> 2;
    // Flush only once the reader churns (it holds objects), so that it meets the flush.
    while (pool.stats().used === 0);
    const mem = words(heap);
    const [opsBefore, beatsBefore] = [Atomics.load(progress, 0), Atomics.load(mem, heartbeat)];
    const started = performance.now();
    pool.flush();
    const flushMs = performance.now() - started;
    const opsDuring = Atomics.load(progress, 0) - opsBefore;
    const beatsDuring = Atomics.load(mem, heartbeat) - beatsBefore;
    stop(signals, SIGNAL_STOP);
    const [result] = await report;
    expect(result!.lockTimeout).toBeUndefined();
    expect(result!.errors).toBe(0);
    console.log(
      `slow holder: a flush of ${batch.length} objects took ${flushMs.toFixed(0)} ms; the reader began ${opsDuring} operations meanwhile, ` +
        `and its heartbeat moved ${beatsDuring} times; it never gave up`,
    );
    // The reader waited: it stood nearly still behind the flush (fewer operations than one per hundred objects flushed;
    // alone, it begins about a million in that time).
    expect(opsDuring).toBeLessThan(batch.length / 100);
    // And it waited longer than its patience: its heartbeat moves only when, waiting, it saw the holder move (once per
    // 10 ms slice at most: its reads of the pool do not beat), and short patience gives up after 2 quiet slices.
    expect(beatsDuring).toBeGreaterThan(SHORT_PATIENCE_SLICES);
    expectExactAccounting(heap);
  }, 60_000);
});
