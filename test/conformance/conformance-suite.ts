// The conformance suite, written once for every engine: a heap on this
// thread; a sample of bad inputs; then, where this thread may share the heap,
// workers that attach and churn one pool with ownership claims while this
// thread flushes and gcs it and the memory grows, and two workers that end
// without closing their heaps, by themselves and by terminate(), while one
// more worker watches the thread slots. It measures and reports; engines.test.ts judges
// the report the same way for every target.

import type { Heap } from "../../dist/index.js";
import { flushAndGcUntil } from "../workers/flush-while.js";
import { tryBadInputs } from "./bad-inputs.js";
import { channelChecks, relay } from "./conformance-channels.js";
import {
  BIG_POOL,
  BIG_SIZE,
  type CacheComeBack,
  type ConformanceReport,
  type Ending,
  KILLED_POOL,
  KILLED_WITH_CHILD_POOL,
  LEAVER_POOL,
  type LifeLocksSeen,
  SHARED_POOL,
  type WorkerReply,
} from "./conformance-protocol.js";
import { structChecks } from "./conformance-structs.js";
import type { TestThread, ThreadStarter } from "./engine-threads.js";
import { wasmPools } from "./library.js";

export interface SuiteOptions {
  /** What the engine says it is, for the report. */
  engine: string;
  startThread: ThreadStarter;
}

const INITIAL_BYTES = 1 << 20;
/** Workers that churn the shared pool (and two more that end without closing their heaps). */
const WORKERS = 2;
/** Allocs or frees each churning worker makes. */
const OPERATIONS = 200_000;
/** 4 KiB objects each churning worker holds at once: 1 MiB, so the memory must grow. */
const BIG_OBJECTS = 256;
/** How long a worker that ended without closing its heap may take to give its cache back. */
const COME_BACK_PATIENCE_MS = 10_000;

const WORKER_SCRIPT = new URL("./conformance-worker.js", import.meta.url);
/** Messages the relay passes up and back down (a few times the channels' capacity of 4). */
const RELAYED = 200;
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

/** malloc of sizes in every class range and a large block, through realloc, typed views and a string; what survived intact. */
function mallocBlocks(heap: Heap): ConformanceReport["mallocBlocks"] {
  const sizes = [0, 24, 100, 1000, 5000, 8192, 70_000];
  const blocks = sizes.map((size, n) => {
    const ptr = heap.malloc(size);
    heap.bytes(ptr, size).fill(n + 1);
    return heap.realloc(ptr, size + 200);
  });
  const intact = blocks.filter((ptr, n) => heap.bytes(ptr, sizes[n]!).every((byte) => byte === n + 1)).length;
  const f64 = heap.array(Float64Array, heap.mallocZeroed(64), 8);
  f64[7] = Math.PI;
  const big = heap.array(BigUint64Array, heap.malloc(8), 1);
  big[0] = 2n ** 64n - 1n;
  const text = "Zoë 🦀 ✓";
  const { ptr, length } = heap.mallocString(text);
  const views = heap.dataView(f64.byteOffset, 64).getFloat64(56, true) === Math.PI && big[0] === 2n ** 64n - 1n;
  const string = heap.readString(ptr, length) === text;
  for (const block of [...blocks, f64.byteOffset, big.byteOffset, ptr]) heap.free(block);
  return { intact, views, string, largeBlocksLeft: heap.stats().largeBlocks };
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
  const { reports: finished, flushes, gcs } = await flushAndGcUntil(reports, shared, heap);
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
 * A worker fills its cache from its own pool and, without heap.close(), ends
 * by itself or is terminated; this thread waits for the cache to come back.
 */
async function cacheComesBack(
  heap: Heap,
  thread: TestThread,
  poolName: string,
  ending: Ending,
  twiceAndNested = false,
): Promise<CacheComeBack> {
  const pool = heap.createPool(poolName, 48);
  const filled = nextReply(thread, "filled");
  thread.post({ type: "leave", handle: heap.handle(), pool: poolName, ending, twiceAndNested });
  const { cached: cachedBefore } = await filled;
  if (ending === "terminated") thread.terminate();
  await thread.ended();
  // Nothing is called: the heap hears of the end by itself (exit events, or its look at the life locks).
  const deadline = Date.now() + COME_BACK_PATIENCE_MS;
  while (pool.stats().cached > 0 && Date.now() < deadline) await tick(20);
  return { cachedBefore, cachedAfter: pool.stats().cached };
}

/** Starts `thread` watching the thread slots (the "watch" task); the returned function stops it and gives what it saw. */
function watchSlots(heap: Heap, thread: TestThread): () => Promise<LifeLocksSeen> {
  const stop = new Int32Array(new SharedArrayBuffer(4));
  const watched = nextReply(thread, "watched");
  thread.post({ type: "watch", handle: heap.handle(), stop });
  return async () => {
    Atomics.store(stop, 0, 1);
    const { type: _, ...seen } = await watched;
    return seen;
  };
}

/** Whether this thread can send the heap to a worker: the error of heap.handle() or postMessage if not. */
function sharingRefused(heap: Heap, thread: TestThread): ConformanceReport["sharingRefused"] {
  try {
    thread.post({ type: "probe", handle: heap.handle() });
    return undefined;
  } catch (error) {
    return refusal(error);
  }
}

export async function runConformance(options: SuiteOptions): Promise<ConformanceReport> {
  const heap = await wasmPools.Heap.create({ initialBytes: INITIAL_BYTES, maxBytes: 64 << 20 });
  const report: ConformanceReport = {
    engine: options.engine,
    crossOriginIsolated: typeof crossOriginIsolated === "undefined" || crossOriginIsolated,
    singleThreadObjects: singleThreadObjects(heap),
    mallocBlocks: mallocBlocks(heap),
    badInputs: await tryBadInputs(heap),
    check: "not run",
  };
  try {
    report.structs = await structChecks(heap);
    report.channels = channelChecks(heap);
  } catch (error) {
    report.error = error instanceof Error && error.stack ? error.stack : String(error);
  }
  const threads: TestThread[] = [];
  try {
    for (let n = 0; n < WORKERS + 5; n++) threads.push(await options.startThread(WORKER_SCRIPT));
    const refused = sharingRefused(heap, threads[0]!);
    if (refused) report.sharingRefused = refused;
    else {
      // A worker watches the thread slots while the others attach, work and end.
      const stopWatching = watchSlots(heap, threads[WORKERS + 4]!);
      report.workers = await churnWithWorkers(heap, threads.slice(0, WORKERS));
      report.leaver = await cacheComesBack(heap, threads[WORKERS]!, LEAVER_POOL, "itself");
      report.killed = await cacheComesBack(heap, threads[WORKERS + 1]!, KILLED_POOL, "terminated");
      report.killedWithChild = await cacheComesBack(heap, threads[WORKERS + 2]!, KILLED_WITH_CHILD_POOL, "terminated", true);
      report.relay = await relay(heap, threads[WORKERS + 3]!, RELAYED);
      report.lifeLocks = await stopWatching();
    }
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
