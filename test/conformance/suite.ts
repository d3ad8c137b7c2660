// The conformance suite, written once for every engine: a heap on this
// thread; a sample of bad inputs; then, where this thread may share the heap,
// workers that attach and churn one pool with ownership claims while this
// thread flushes and gcs it and the memory grows, and a worker that ends
// without closing its heap. It measures and reports; engines.test.ts judges
// the report the same way for every target.

import type { Heap } from "../../dist/index.js";
import { tryBadInputs } from "./bad-inputs.js";
import { wasmPools } from "./library.js";
import { BIG_POOL, BIG_SIZE, type ConformanceReport, LEAVER_POOL, SHARED_POOL, type WorkerReply } from "./protocol.js";
import type { TestThread, ThreadStarter } from "./threads.js";

export interface SuiteOptions {
  /** What the engine says it is, for the report. */
  engine: string;
  startThread: ThreadStarter;
}

const INITIAL_BYTES = 1 << 20;
/** Workers that churn the shared pool (and one more that ends without closing its heap). */
const WORKERS = 2;
/** Allocs or frees each churning worker makes. */
const OPERATIONS = 200_000;
/** 4 KiB objects each churning worker holds at once: 1 MiB, so the memory must grow. */
const BIG_OBJECTS = 256;
/** How long a worker that ended without closing its heap may take to give its cache back. */
const LEAVER_PATIENCE_MS = 10_000;

const WORKER_SCRIPT = new URL("./worker.js", import.meta.url);
const tick = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** The next reply of `thread` of type `type`; rejects on an error reply. */
function nextReply<T extends WorkerReply["type"]>(thread: TestThread, type: T): Promise<Extract<WorkerReply, { type: T }>> {
  return new Promise((resolve, reject) => {
    thread.onReply((reply) => {
      if (reply.type === type) resolve(reply as Extract<WorkerReply, { type: T }>);
      else if (reply.type === "error") reject(new Error(`worker: ${reply.message}`));
    });
  });
}

function singleThreadObjects(heap: Heap): number {
  const pool = heap.createPool("single", 32);
  const ptrs = Array.from({ length: 1000 }, () => pool.alloc());
  ptrs.forEach((ptr, n) => heap.bytes(ptr, 32).fill(n & 0xff));
  const intact = ptrs.filter((ptr, n) => heap.bytes(ptr, 32).every((byte) => byte === (n & 0xff))).length;
  for (const ptr of ptrs) pool.free(ptr);
  pool.destroy();
  return intact;
}

function refusal(error: unknown): NonNullable<ConformanceReport["sharingRefused"]> {
  const e = error instanceof Error ? error : new Error(String(error));
  return { name: e.name, message: e.message, typed: e instanceof wasmPools.WasmPoolsError };
}

async function churnWithWorkers(heap: Heap, threads: TestThread[]) {
  const shared = heap.createPool(SHARED_POOL, 64);
  heap.createPool(BIG_POOL, BIG_SIZE);
  const handle = heap.handle();
  const ready = threads.map((thread) => nextReply(thread, "ready"));
  threads.forEach((thread, number) => thread.post({ type: "churn", handle, number, operations: OPERATIONS, bigObjects: BIG_OBJECTS }));
  const threadIds = (await Promise.all(ready)).map((reply) => reply.threadId);
  const reports = threads.map((thread) => nextReply(thread, "report"));
  for (const thread of threads) thread.post({ type: "go" });
  // Flush and gc from this thread until every worker has reported.
  let done = false;
  let flushes = 0;
  let gcs = 0;
  const all = Promise.all(reports).finally(() => (done = true));
  while (!done) {
    for (let round = 0; round < 20; round++) {
      shared.flush();
      flushes++;
      heap.gc();
      gcs++;
    }
    await tick(0);
  }
  const finished = await all;
  const stats = shared.stats();
  return {
    count: threads.length,
    threadIds,
    operations: finished.reduce((sum, r) => sum + r.allocs + r.frees, 0),
    doubles: finished.reduce((sum, r) => sum + r.doubles, 0),
    flushes,
    gcs,
    badBigObjects: finished.reduce((sum, r) => sum + r.badBigObjects, 0),
    initialMemoryBytes: INITIAL_BYTES,
    finalMemoryBytes: heap.stats().memoryBytes,
    memoryBytesSeen: finished.map((r) => r.memoryBytesSeen),
    used: stats.used,
    cached: stats.cached,
    allocated: stats.allocated,
    freeListLength: shared.freeListLength(),
  };
}

/**
 * A worker fills its cache and ends without heap.close(); this thread waits
 * for the cache to come back. Sending it the handle is also where an engine
 * that cannot post shared memory says so: that error is the outcome.
 */
async function leaverComesBack(heap: Heap, thread: TestThread): Promise<Pick<ConformanceReport, "leaver" | "sharingRefused">> {
  const pool = heap.createPool(LEAVER_POOL, 48);
  const filled = nextReply(thread, "filled");
  try {
    thread.post({ type: "leave", handle: heap.handle() });
  } catch (error) {
    return { sharingRefused: refusal(error) };
  }
  const { cached: cachedBefore } = await filled;
  await thread.ended();
  let reclaimedByMain = 0;
  const deadline = Date.now() + LEAVER_PATIENCE_MS;
  while (pool.stats().cached > 0 && Date.now() < deadline) {
    reclaimedByMain += await heap.reclaimGone();
    await tick(20);
  }
  return { leaver: { cachedBefore, cachedAfter: pool.stats().cached, reclaimedByMain } };
}

export async function runConformance(options: SuiteOptions): Promise<ConformanceReport> {
  const heap = await wasmPools.Heap.create({ initialBytes: INITIAL_BYTES, maxBytes: 64 << 20 });
  const report: ConformanceReport = {
    engine: options.engine,
    crossOriginIsolated: typeof crossOriginIsolated === "undefined" || crossOriginIsolated,
    singleThreadObjects: singleThreadObjects(heap),
    badInputs: await tryBadInputs(heap),
    check: "not run",
  };
  const threads: TestThread[] = [];
  try {
    for (let n = 0; n <= WORKERS; n++) threads.push(await options.startThread(WORKER_SCRIPT));
    Object.assign(report, await leaverComesBack(heap, threads[WORKERS]!));
    if (!report.sharingRefused) report.workers = await churnWithWorkers(heap, threads.slice(0, WORKERS));
  } catch (error) {
    report.error = error instanceof Error && error.stack ? error.stack : String(error);
  } finally {
    for (const thread of threads) thread.terminate();
  }
  try {
    heap.check();
    report.check = "passed";
  } catch (error) {
    report.check = error instanceof Error ? error.name : String(error);
  }
  return report;
}
