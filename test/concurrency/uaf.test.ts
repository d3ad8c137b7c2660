// HAProxy's flush-lock bug ("BUG/MEDIUM: memory: Add a rwlock before freeing
// memory"), reproduced and shown fixed. A pop reads `next` from the head
// object before its CAS; without the lock, flush or gc can give that object
// back in between. In wasm that read cannot fault, so the debug option `uaf`
// emulates unmapping (a quarantine of released objects, marked) and makes
// such a read throw UseAfterFreeError naming the pool.

import { describe, expect, it } from "vitest";
import { Heap } from "wasm-pools";
import { expectExactAccounting, makeSignals, runTogether, startWorker, stop, sum } from "../support/pool-workers.js";
import { SIGNAL_STOP, type WorkerReport } from "../workers/pool-worker-protocol.js";

/** Two workers pop and push one pool (no cache: every alloc pops the shared list) while a third flushes and gcs it. */
async function popWhileFlushing(heap: Heap, operations: number, stopOnUseAfterFree: boolean) {
  heap.createPool("shared", 64);
  const signals = makeSignals();
  const spec = { kind: "churn", poolName: "shared", operations, hold: 8, cacheBytes: 0, stopOnUseAfterFree } as const;
  const churners = [startWorker(heap, signals, 0, { ...spec, seed: 11 }), startWorker(heap, signals, 1, { ...spec, seed: 12 })];
  const flusher = startWorker(heap, signals, 2, { kind: "flusher", poolName: "shared", operations: 0, hold: 0, seed: 0, cacheBytes: 0 });
  const all = runTogether(signals, [...churners, flusher]);
  const reports: WorkerReport[] = await Promise.all(churners.map((w) => w.report));
  stop(signals, SIGNAL_STOP);
  const [flushReport] = (await all).slice(2);
  return { reports, flushes: flushReport!.flushes, operations: sum(reports, "allocs") + sum(reports, "frees") };
}

describe("the flush lock against use after free (debug uaf)", () => {
  it("with the lock: 2,000,000 operations while flush and gc run, and no released object is ever read", async () => {
    const heap = await Heap.create({ debug: { uaf: true } });
    const { reports, flushes, operations } = await popWhileFlushing(heap, 1_000_000, false);
    // A UseAfterFreeError would have failed a worker; none did.
    expect(reports.map((r) => r.useAfterFree ?? 0)).toEqual([0, 0]);
    expect(sum(reports, "doubles")).toBe(0);
    expect(flushes).toBeGreaterThan(100);
    expect(operations).toBeGreaterThanOrEqual(2_000_000 * 0.9);
    expectExactAccounting(heap);
    console.log(`uaf with the flush lock: ${operations} operations, ${flushes} flushes and gcs, 0 reads of released objects`);
  });

  it("without the lock (test switch): a pop reads a released object, and the error names the pool", async () => {
    const heap = await Heap.create({ debug: { uaf: true }, unsafeTestSwitches: { noFlushLock: true } });
    // The race window is a few instructions wide: it was seen after 0.4 to 10 million operations.
    const budget = 30_000_000;
    const { reports, flushes, operations } = await popWhileFlushing(heap, budget, true);
    const hits = reports.reduce((n, r) => n + (r.useAfterFree ?? 0), 0);
    expect(hits, `no read of a released object within ${2 * budget} operations`).toBeGreaterThan(0);
    const message = reports.find((r) => r.useAfterFreeMessage)!.useAfterFreeMessage!;
    expect(message).toMatch(/^pool "shared" \(id 0\): a pop read object \d+ after flush or gc had given it back/);
    console.log(`uaf without the flush lock: caught after ${operations} operations and ${flushes} flushes: ${message}`);
  });

  it("is off by default and refuses a debug option of the wrong type", async () => {
    await expect(Heap.create({ debug: { uaf: 1 as never } })).rejects.toThrow(/options.debug.uaf: expected a boolean/);
    await expect(Heap.create({ debug: "uaf" as never })).rejects.toThrow(/options.debug: expected an options object/);
    // Off: what flush gives back goes to the backing allocator's bins at once.
    // On: it waits in the quarantine, still counted as used memory.
    for (const debug of [undefined, { uaf: true }]) {
      const heap = await Heap.create({ debug, cacheBytes: 0 });
      const pool = heap.createPool("p", 64);
      const ptrs = Array.from({ length: 100 }, () => pool.alloc());
      for (const p of ptrs) pool.free(p);
      const before = heap.stats().backingUsedBytes;
      pool.flush();
      expect(pool.stats().allocated).toBe(0);
      if (debug) expect(heap.stats().backingUsedBytes).toBe(before);
      else expect(heap.stats().backingUsedBytes).toBeLessThan(before);
      heap.check();
    }
  });
});
