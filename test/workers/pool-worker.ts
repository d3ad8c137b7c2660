// The worker that concurrency tests start: attaches to the heap it is sent
// and runs one kind of task on real shared memory (see protocol.ts).

import { parentPort, workerData } from "node:worker_threads";
import { Heap, HeapCorruptError, LockTimeoutError, type Pool, UseAfterFreeError } from "wasm-pools";
import { Claims, Holding } from "./claims.js";
import { SIGNAL_GO, SIGNAL_STOP, type WorkerReport, type WorkerTask } from "./pool-worker-protocol.js";

const task = workerData as WorkerTask;

/** mulberry32: a small reproducible random stream per worker; any seed, even 0, gives a good stream. */
function randomStream(seed: number): () => number {
  let state = seed | 0;
  return () => {
    state = (state + 0x6d2b79f5) | 0;
    let t = Math.imul(state ^ (state >>> 15), 1 | state);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return (t ^ (t >>> 14)) >>> 0;
  };
}

/** Tells the test this worker is attached, then waits for the common start. */
function waitForGo(signals: Int32Array): void {
  parentPort!.postMessage({ type: "ready", threadId: heap.threadId });
  while (Atomics.load(signals, SIGNAL_GO) === 0) Atomics.wait(signals, SIGNAL_GO, 0);
}

function emptyReport(): WorkerReport {
  return { workerNumber: task.workerNumber, allocs: 0, frees: 0, failures: 0, doubles: 0, errors: 0, flushes: 0, gcs: 0 };
}

/** Random allocs and frees, holding at most `hold` objects, each claimed while held. */
function churn(heap: Heap, pool: Pool): WorkerReport {
  const report = emptyReport();
  const claims = new Claims(heap.memory, task.workerNumber);
  const random = randomStream(task.seed);
  const held = new Holding(claims);
  // In a negative control the pool is broken on purpose: count its errors instead of dying.
  const tolerate = task.stopOnDouble === true || task.stopOnUseAfterFree === true;
  const publish = (index: 0 | 1): void => {
    if (task.published) Atomics.add(task.published, index, 1);
  };
  const release = (index: number): void => {
    const ptr = held.take(index);
    if (ptr === 0) {
      publish(0);
      return; // a double hand-out: the other owner frees it
    }
    try {
      if (task.malloc) heap.free(ptr);
      else pool.free(ptr);
      report.frees++;
    } catch (error) {
      publish(1);
      if (!tolerate) throw error;
      report.errors++;
    }
  };
  waitForGo(task.signals);
  for (let i = 0; i < task.operations; i++) {
    if (task.progress) Atomics.store(task.progress, 0, i + 1);
    if (held.size === 0 || (held.size < task.hold && (random() & 1) === 0)) {
      // tryAlloc: under fault injection a refusal is expected, and counted.
      let ptr: number;
      try {
        ptr = task.malloc ? heap.tryMalloc(random() % 64 === 0 ? 8193 + (random() % 32768) : random() % 2048) : pool.tryAlloc();
      } catch (error) {
        publish(1);
        if (task.stopOnDouble && error instanceof HeapCorruptError) {
          // Broken on purpose: the list's links were caught broken before a double hand-out was.
          report.corruptLists = (report.corruptLists ?? 0) + 1;
          Atomics.store(task.signals, SIGNAL_STOP, 1);
          break;
        }
        if (!(task.stopOnUseAfterFree && error instanceof UseAfterFreeError)) throw error;
        report.useAfterFree = (report.useAfterFree ?? 0) + 1;
        report.useAfterFreeMessage ??= error.message;
        Atomics.store(task.signals, SIGNAL_STOP, 1);
        break;
      }
      if (ptr === 0) report.failures++;
      else {
        held.add(ptr);
        report.allocs++;
      }
    } else {
      release(random() % held.size);
    }
    if (tolerate && (i & 255) === 0) {
      // The first worker to see a double hand-out stops everyone.
      if (claims.doubles > 0) Atomics.store(task.signals, SIGNAL_STOP, 1);
      if (Atomics.load(task.signals, SIGNAL_STOP) !== 0) break;
    }
  }
  while (held.size > 0) release(held.size - 1);
  report.doubles = claims.doubles;
  return report;
}

/** flush and gc in a loop until the test raises the stop signal. */
function flusher(heap: Heap, pool: Pool): WorkerReport {
  const report = emptyReport();
  waitForGo(task.signals);
  while (Atomics.load(task.signals, SIGNAL_STOP) === 0) {
    pool.flush();
    report.flushes++;
    heap.gc();
    report.gcs++;
  }
  return report;
}

/** Joins mid-run, checks that it saw the others' state, and uses a pool of its own. */
function attacher(heap: Heap, pool: Pool): WorkerReport {
  const report = emptyReport();
  report.seenAllocated = pool.stats().allocated;
  const own = heap.createPool(`attacher-${task.workerNumber}`, 24);
  const claims = new Claims(heap.memory, task.workerNumber);
  for (let round = 0; round < task.operations; round++) {
    const ptr = own.alloc();
    const claim = claims.claim(ptr);
    report.allocs++;
    if (claims.release(ptr, claim)) {
      own.free(ptr);
      report.frees++;
    }
  }
  own.destroy();
  report.doubles = claims.doubles;
  return report;
}

/** Allocates past the initial memory, writes every object, waits for its peers, then checks them all. */
function grower(heap: Heap, pool: Pool, peers: number): WorkerReport {
  const report = emptyReport();
  waitForGo(task.signals);
  const objects: number[] = [];
  const views: Uint8Array[] = [];
  for (let i = 0; i < task.operations; i++) {
    const ptr = pool.alloc();
    const view = heap.bytes(ptr, pool.size);
    view.fill((task.workerNumber * 31 + i) & 0xff);
    objects.push(ptr);
    views.push(view);
    report.allocs++;
  }
  // Barrier: everyone has grown the memory before anyone checks.
  Atomics.add(task.signals, SIGNAL_STOP, 1);
  Atomics.notify(task.signals, SIGNAL_STOP);
  for (let arrived = Atomics.load(task.signals, SIGNAL_STOP); arrived < peers; arrived = Atomics.load(task.signals, SIGNAL_STOP)) {
    Atomics.wait(task.signals, SIGNAL_STOP, arrived);
  }
  let corrupted = 0;
  objects.forEach((ptr, i) => {
    const expected = (task.workerNumber * 31 + i) & 0xff;
    const fresh = heap.bytes(ptr, pool.size);
    if (!views[i]!.every((byte) => byte === expected) || !fresh.every((byte) => byte === expected)) corrupted++;
  });
  for (const ptr of objects) {
    pool.free(ptr);
    report.frees++;
  }
  report.corrupted = corrupted;
  report.memoryBytes = heap.memory.buffer.byteLength;
  return report;
}

const heap = await Heap.attach(task.handle, { canBlock: task.canBlock, cacheBytes: task.cacheBytes });
const pool = heap.pool(task.poolName);
const run = { churn, flusher, attacher, grower: (h: Heap, p: Pool) => grower(h, p, task.hold) }[task.kind];
/** Runs the task; with survivesDeadLocks, a lock left by a killed worker ends it with a report instead of an error. */
function runTask(): WorkerReport {
  try {
    const report = run(heap, pool);
    heap.close();
    return report;
  } catch (error) {
    if (!(task.survivesDeadLocks && error instanceof LockTimeoutError)) throw error;
    return { ...emptyReport(), lockTimeout: error.message };
  }
}
parentPort!.postMessage({ type: "report", report: runTask() });
