// Messages between concurrency tests and their workers.

import type { HeapHandle } from "wasm-pools";

/** Shared Int32Array slots the test and its workers coordinate through. */
export const SIGNAL_GO = 0;
export const SIGNAL_STOP = 1;
export const SIGNAL_SLOTS = 2;

export interface WorkerTask {
  kind: "churn" | "flusher" | "attacher" | "grower";
  handle: HeapHandle;
  signals: Int32Array;
  workerNumber: number;
  poolName: string;
  /** churn: operations to run; grower: objects to allocate. */
  operations: number;
  /** churn: most objects held at once. */
  hold: number;
  /** churn: blocks of heap.malloc of random sizes (one in 64 beyond the size classes) instead of objects of the pool. */
  malloc?: boolean;
  seed: number;
  /** Passed to Heap.attach: false makes the worker spin instead of sleeping on contended locks. */
  canBlock?: boolean;
  /** Passed to Heap.attach: the thread cache's bound (0: off). */
  cacheBytes?: number;
  /** churn: the pool is broken on purpose: count its errors, and stop every worker at the first double hand-out. */
  stopOnDouble?: boolean;
  /** churn: the heap runs debug uaf without the flush lock: count the first UseAfterFreeError and stop every worker. */
  stopOnUseAfterFree?: boolean;
  /** A worker of the heap may be killed holding a lock: end with a LockTimeoutError report instead of failing. */
  survivesDeadLocks?: boolean;
  /**
   * churn: [0] double hand-outs, [1] errors, added to as this worker sees
   * them, so that what a worker that is killed later saw still counts.
   */
  published?: Int32Array;
  /** churn: [0] the operations begun so far, stored as each one begins, for a test to see whether this worker moves. */
  progress?: Int32Array;
}

export interface WorkerReport {
  workerNumber: number;
  allocs: number;
  frees: number;
  /** Allocations refused (tryAlloc returned 0). */
  failures: number;
  /** UseAfterFreeErrors caught (stopOnUseAfterFree), and the first one's message. */
  useAfterFree?: number;
  useAfterFreeMessage?: string;
  /** survivesDeadLocks: the LockTimeoutError that ended this worker. */
  lockTimeout?: string;
  doubles: number;
  /** stopOnDouble: allocations that found the pool's list corrupt (HeapCorruptError) and stopped every worker. */
  corruptLists?: number;
  /** Errors thrown by the pool (counted only where a test expects breakage). */
  errors: number;
  flushes: number;
  gcs: number;
  /** attacher: the target pool's `allocated` seen right after attaching. */
  seenAllocated?: number;
  /** grower: objects whose contents were not what the worker wrote. */
  corrupted?: number;
  memoryBytes?: number;
}
