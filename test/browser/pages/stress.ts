// The browser stress page: workers churn one pool and grow the memory while
// the page (which may not block) flushes and gcs that pool in a loop. The
// outcome goes to globalThis.result for the test to read.

import { Heap } from "../../../dist/index.js";
import { flushAndGcUntil } from "../../workers/flush-while.js";
import { BIG_POOL, BIG_SIZE, GO, SHARED_POOL, type StressReply, type StressResult, type StressStart } from "./stress-page-protocol.js";

const params = new URLSearchParams(location.search);
const WORKERS = Number(params.get("workers") ?? 4);
const OPERATIONS = Number(params.get("operations") ?? 500_000);
const BIG_OBJECTS = Number(params.get("big") ?? 256);
const INITIAL_BYTES = 1 << 20;

const publish = (result: StressResult | { error: string }): void => {
  (globalThis as { result?: unknown }).result = result;
  document.getElementById("log")!.textContent = JSON.stringify(result, null, 2);
};

async function main(): Promise<void> {
  const heap = await Heap.create({ initialBytes: INITIAL_BYTES, maxBytes: 256 << 20 });
  const shared = heap.createPool(SHARED_POOL, 64);
  heap.createPool(BIG_POOL, BIG_SIZE);
  const signals = new Int32Array(new SharedArrayBuffer(4));
  const workers = Array.from(
    { length: WORKERS },
    () => new Worker(new URL("./stress-page-worker.js", import.meta.url), { type: "module" }),
  );
  const ready: Promise<void>[] = [];
  const reports = workers.map((worker, number) => {
    let attached!: () => void;
    ready.push(new Promise((resolve) => (attached = resolve)));
    return new Promise<Extract<StressReply, { type: "report" }>>((resolve, reject) => {
      worker.onmessage = ({ data }: MessageEvent<StressReply>) => {
        if (data.type === "ready") attached();
        else if (data.type === "report") resolve(data);
        else reject(new Error(`worker ${number}: ${data.message}`));
      };
      worker.onerror = (event) => reject(new Error(`worker ${number}: ${event.message}`));
      const start: StressStart = {
        handle: heap.handle(),
        number,
        operations: OPERATIONS,
        bigObjects: BIG_OBJECTS,
        signals: signals.buffer as SharedArrayBuffer,
      };
      worker.postMessage(start);
    });
  });
  await Promise.all(ready);
  Atomics.store(signals, GO, 1);
  Atomics.notify(signals, GO);

  // Flush and gc from the page until every worker has reported.
  const { reports: finished, flushes, gcs } = await flushAndGcUntil(reports, shared, heap);
  const stats = shared.stats();
  publish({
    workers: WORKERS,
    operations: finished.reduce((sum, r) => sum + r.allocs + r.frees, 0),
    doubles: finished.reduce((sum, r) => sum + r.doubles, 0),
    flushes,
    gcs,
    used: stats.used,
    cached: stats.cached,
    allocated: stats.allocated,
    freeListLength: shared.freeListLength(),
    initialMemoryBytes: INITIAL_BYTES,
    finalMemoryBytes: heap.stats().memoryBytes,
    memoryBytesSeen: finished.map((r) => r.memoryBytesSeen),
    badBigObjects: finished.reduce((sum, r) => sum + r.badBigObjects, 0),
  });
  workers.forEach((worker) => worker.terminate());
}

main().catch((error: unknown) => publish({ error: String(error) }));
