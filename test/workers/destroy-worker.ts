// The worker of test/concurrency/destroy.test.ts: runs against pools that the main
// thread destroys and creates again while this worker uses them.
//
//   drain: fills its cache with `fill` objects of pool "small", then, on the
//          test's word, gives them back (by close(), or by its first alloc
//          after the test ran gc) while the test destroys "small" as soon as
//          it may and creates "big".
//   load:  allocs and frees bursts from the pool named "load", looked up by
//          name again and again, claiming every object, until told to stop.

import { parentPort, workerData } from "node:worker_threads";
import { Heap, type Pool, PoolDestroyedError, PoolNotFoundError } from "wasm-pools";
import { Claims, Holding } from "./claims.js";
import { type DrainRound, type DrainTask, GO, type LoadReport, type LoadTask, ROUND, STOP } from "./destroy-protocol.js";

const task = workerData as DrainTask | LoadTask;

function waitWhile(signals: Int32Array, slot: number, value: number): void {
  while (Atomics.load(signals, slot) === value) Atomics.wait(signals, slot, value);
}

/** The payload size of the chunk that holds `ptr` (its size word, less the flag bits and the header). */
function payloadOf(heap: Heap, ptr: number, chunkHeader: number): number {
  const header = new Uint32Array(heap.memory.buffer)[(ptr - chunkHeader) >>> 2]!;
  return (header & ~7) - chunkHeader;
}

async function drain(t: DrainTask): Promise<void> {
  let heap = await Heap.attach(t.handle, { cacheBytes: t.cacheBytes });
  const ptrs = new Uint32Array(t.fill);
  for (let round = 1; round <= t.rounds; round++) {
    // The test made a new "small" for this round (and counted the bytes of the last one).
    waitWhile(t.signals, ROUND, round - 1);
    if (heap.closed) heap = await Heap.attach(t.handle, { cacheBytes: t.cacheBytes });
    const small = heap.pool("small");
    const got = small.allocMany(t.fill, ptrs);
    small.freeMany(ptrs, got);
    parentPort!.postMessage({ type: "filled", got });
    waitWhile(t.signals, GO, round - 1);
    const result: DrainRound = {};
    if (t.mode === "close") heap.close();
    else {
      try {
        const ptr = small.alloc();
        const payload = payloadOf(heap, ptr, t.chunkHeader);
        result.alloc = payload >= 8 && payload < 24 ? "small object" : "other pool's object";
        try {
          small.free(ptr);
        } catch (error) {
          result.freeFailed = String(error);
        }
        // Its alloc may have come before the destroy and refilled this cache: give that back too.
        heap.gc();
      } catch (error) {
        if (!(error instanceof PoolDestroyedError)) throw error;
        result.alloc = "destroyed";
      }
    }
    parentPort!.postMessage({ type: "drained", result });
  }
  waitWhile(t.signals, STOP, 0);
  if (!heap.closed) heap.close();
}

async function load(t: LoadTask): Promise<void> {
  const heap = await Heap.attach(t.handle, { cacheBytes: t.cacheBytes });
  const claims = new Claims(heap.memory, t.workerNumber);
  const held = new Holding(claims);
  const report: LoadReport = { allocs: 0, frees: 0, destroyedAllocs: 0, freeErrors: [], doubles: 0 };
  const batch = new Uint32Array(16);
  let seed = t.workerNumber * 7919 + 1;
  const random = (): number => {
    seed ^= seed << 13;
    seed ^= seed >>> 17;
    seed ^= seed << 5;
    return seed >>> 0;
  };
  parentPort!.postMessage({ type: "ready" });
  while (Atomics.load(t.signals, STOP) === 0) {
    let pool: Pool;
    try {
      pool = heap.pool("load");
    } catch (error) {
      if (!(error instanceof PoolNotFoundError)) throw error;
      continue;
    }
    const burst = 1 + (random() % 48);
    try {
      if (random() % 4 === 0) {
        const got = pool.allocMany(Math.min(burst, batch.length), batch);
        for (let i = 0; i < got; i++) held.add(batch[i]!);
        report.allocs += got;
      } else {
        for (let i = 0; i < burst; i++) {
          held.add(pool.alloc());
          report.allocs++;
        }
      }
    } catch (error) {
      if (!(error instanceof PoolDestroyedError)) throw error;
      report.destroyedAllocs++;
    }
    // Every object held goes back through the handle it came from, destroyed meanwhile or not.
    while (held.size > 0) {
      const ptr = held.take(held.size - 1);
      if (ptr === 0) continue;
      try {
        pool.free(ptr);
        report.frees++;
      } catch (error) {
        report.freeErrors.push(String(error));
      }
    }
  }
  report.doubles = claims.doubles;
  heap.close();
  parentPort!.postMessage({ type: "report", report });
}

if (task.kind === "drain") await drain(task);
else await load(task);
