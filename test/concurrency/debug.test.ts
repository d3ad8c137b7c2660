// Debug options poison and tag (HAProxy's -dM flags): off by default; on,
// objects are filled with a byte on alloc and free, and an owner tag after
// each object lets free() refuse an object of another pool. The heap stays
// consistent after every refusal.

import { describe, expect, it } from "vitest";
import { DoubleFreeError, Heap, InvalidArgumentError, InvalidPointerError, PoolMismatchError } from "wasm-pools";
import { expectConsistent } from "../support/consistency.js";
import { expectExactAccounting, makeSignals, runTogether, startWorker, stop, sum } from "../support/pool-workers.js";
import { SIGNAL_STOP } from "../workers/pool-worker-protocol.js";

describe("debug poison", () => {
  for (const cacheBytes of [0, 256 << 10]) {
    it(`fills objects with the byte on alloc and on free (cacheBytes ${cacheBytes})`, async () => {
      const heap = await Heap.create({ cacheBytes, debug: { poison: 0xa5 } });
      const pool = heap.createPool("p", 40);
      const ptrs = Array.from({ length: 50 }, () => pool.alloc());
      for (const ptr of ptrs) {
        expect(heap.bytes(ptr, 40).every((byte) => byte === 0xa5)).toBe(true);
        heap.bytes(ptr, 40).fill(1);
      }
      for (const ptr of ptrs) pool.free(ptr);
      // The first word links the free object; the rest is poison.
      for (const ptr of ptrs) expect(heap.bytes(ptr + 4, 36).every((byte) => byte === 0xa5)).toBe(true);
      const out = new Uint32Array(20);
      pool.allocMany(20, out);
      for (const ptr of out) expect(heap.bytes(ptr, 40).every((byte) => byte === 0xa5)).toBe(true);
      pool.freeMany(out);
      expectConsistent(heap);
    });
  }

  it("is off by default: a freed object keeps what was written in it", async () => {
    const heap = await Heap.create();
    const pool = heap.createPool("p", 40);
    const ptr = pool.alloc();
    heap.bytes(ptr, 40).fill(1);
    pool.free(ptr);
    expect(heap.bytes(ptr + 4, 36).every((byte) => byte === 1)).toBe(true);
  });
});

describe("debug tag", () => {
  for (const cacheBytes of [0, 256 << 10]) {
    it(`refuses an object of another pool of the same size, which the untagged heap cannot tell (cacheBytes ${cacheBytes})`, async () => {
      const heap = await Heap.create({ cacheBytes, debug: { tag: true } });
      const a = heap.createPool("a", 64);
      const b = heap.createPool("b", 64);
      const ptr = a.alloc();
      expect(() => b.free(ptr)).toThrow(PoolMismatchError);
      expect(() => b.free(ptr)).toThrow(/ptr: \d+ was handed out by another pool, not by pool "b"/);
      expect(() => b.freeMany(Uint32Array.of(b.alloc(), ptr))).toThrow(/ptrs\[1\]: .*another pool/);
      expectConsistent(heap);
      a.free(ptr);
      expect(() => a.free(ptr)).toThrow(DoubleFreeError);
      const q = a.alloc();
      expect(() => a.free(q + 8)).toThrow(InvalidPointerError);
      a.free(q);
      expect(a.stats().used).toBe(0);
      expect(b.stats().used).toBe(0);
      expectConsistent(heap);
    });
  }

  it("gives each object 8 more bytes for its tag", async () => {
    const sizes = [];
    for (const debug of [undefined, { tag: true }]) {
      const heap = await Heap.create({ cacheBytes: 0, debug });
      const pool = heap.createPool("p", 64);
      const before = heap.stats().backingUsedBytes;
      const ptrs = Array.from({ length: 16 }, () => pool.alloc());
      sizes.push((heap.stats().backingUsedBytes - before) / pool.stats().allocated);
      for (const p of ptrs) pool.free(p);
    }
    expect(sizes).toEqual([72, 80]);
  });

  it("refuses debug options of the wrong type", async () => {
    for (const debug of [{ poison: 256 }, { poison: -1 }, { poison: 1.5 }, { tag: "yes" }, { uaf: 1 }]) {
      await expect(Heap.create({ debug: debug as never })).rejects.toThrow(InvalidArgumentError);
    }
  });
});

describe("the debug modes under concurrent flush and gc", () => {
  const MODES: [string, { tag?: boolean; poison?: number }][] = [
    ["tag", { tag: true }],
    ["poison", { poison: 0x5a }],
    ["tag and poison", { tag: true, poison: 0x5a }],
  ];
  for (const [mode, debug] of MODES) {
    it(`${mode}: 2 workers churn one pool while a third flushes it and gcs the heap: no double hand-out, no error, exact accounting`, async () => {
      const heap = await Heap.create({ debug });
      heap.createPool("shared", 64);
      const signals = makeSignals();
      const churners = [0, 1].map((n) =>
        startWorker(heap, signals, n, { kind: "churn", poolName: "shared", operations: 300_000, hold: 16, seed: 70 + n, cacheBytes: 1024 }),
      );
      const flusher = startWorker(heap, signals, 2, { kind: "flusher", poolName: "shared", operations: 0, hold: 0, seed: 0 });
      const all = runTogether(signals, [...churners, flusher]);
      const done = await Promise.all(churners.map((worker) => worker.report));
      // The flusher runs from GO until the churners are done: every flush and gc it counts overlapped their work.
      stop(signals, SIGNAL_STOP);
      const flushed = await flusher.report;
      await all;
      expect(sum(done, "doubles")).toBe(0);
      expect(sum(done, "errors")).toBe(0);
      expect({ flushes: flushed.flushes > 0, gcs: flushed.gcs > 0 }).toEqual({ flushes: true, gcs: true });
      expectExactAccounting(heap);
      console.log(
        `debug ${mode}: ${flushed.flushes} flushes and ${flushed.gcs} gcs during ${sum(done, "allocs") + sum(done, "frees")} operations`,
      );
    });
  }
});
