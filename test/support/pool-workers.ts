// Starting test workers and collecting their reports.

import { Worker } from "node:worker_threads";
import { expect } from "vitest";
import type { Heap } from "wasm-pools";
import { SIGNAL_GO, SIGNAL_SLOTS, type WorkerReport, type WorkerTask } from "../workers/pool-worker-protocol.js";

const WORKER_SCRIPT = new URL("../../build/test/workers/pool-worker.js", import.meta.url);

export type TaskSpec = Omit<WorkerTask, "handle" | "signals" | "workerNumber">;

export interface RunningWorker {
  worker: Worker;
  /** Resolves once the worker has attached and waits for go(). */
  ready: Promise<void>;
  /** The worker's id in the heap, once it is ready. */
  threadId: Promise<number>;
  report: Promise<WorkerReport>;
}

export function makeSignals(): Int32Array {
  return new Int32Array(new SharedArrayBuffer(SIGNAL_SLOTS * 4));
}

export function startWorker(heap: Heap, signals: Int32Array, workerNumber: number, spec: TaskSpec): RunningWorker {
  const task: WorkerTask = { ...spec, handle: heap.handle(), signals, workerNumber };
  const worker = new Worker(WORKER_SCRIPT, { workerData: task });
  let readyResolve!: (threadId: number) => void;
  const threadId = new Promise<number>((resolve) => (readyResolve = resolve));
  const ready = threadId.then(() => undefined);
  const report = new Promise<WorkerReport>((resolve, reject) => {
    worker.on("message", (message: { type: string; report?: WorkerReport; threadId?: number }) => {
      if (message.type === "ready") readyResolve(message.threadId!);
      else resolve(message.report!);
    });
    worker.once("error", reject);
    worker.once("exit", (code) => reject(new Error(`worker ${workerNumber} exited with code ${code} before reporting`)));
  });
  // A worker that dies before it is ready must fail the test, not hang it.
  return { worker, ready: Promise.race([ready, report.then(() => undefined)]), threadId, report };
}

/** Starts the workers together once all of them are attached, and collects their reports. */
export async function runTogether(signals: Int32Array, workers: RunningWorker[]): Promise<WorkerReport[]> {
  await Promise.all(workers.map((w) => w.ready));
  go(signals);
  return Promise.all(workers.map((w) => w.report));
}

export function go(signals: Int32Array): void {
  Atomics.store(signals, SIGNAL_GO, 1);
  Atomics.notify(signals, SIGNAL_GO);
}

export function stop(signals: Int32Array, slot: number): void {
  Atomics.store(signals, slot, 1);
  Atomics.notify(signals, slot);
}

export function sum(reports: WorkerReport[], field: "allocs" | "frees" | "failures" | "doubles" | "errors" | "flushes" | "gcs"): number {
  return reports.reduce((total, report) => total + report[field], 0);
}

/** allocated == used + cached + |free list| for every pool. */
export function expectExactAccounting(heap: Heap): void {
  heap.check();
  for (const pool of heap.pools()) {
    const stats = pool.stats();
    expect({ pool: stats.name, allocated: stats.allocated }).toEqual({
      pool: stats.name,
      allocated: stats.used + stats.cached + pool.freeListLength(),
    });
  }
}
