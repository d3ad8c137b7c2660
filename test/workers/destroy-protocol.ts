// Messages between test/concurrency/destroy.test.ts and its workers (destroy-worker.ts).

import type { HeapHandle } from "wasm-pools";

/** Int32Array slots: the round the test made "small" for, the round whose drain may start, 1 to stop. */
export const ROUND = 0;
export const GO = 1;
export const STOP = 2;
export const DESTROY_SIGNALS = 3;

export interface DrainTask {
  kind: "drain";
  handle: HeapHandle;
  signals: Int32Array;
  mode: "close" | "gcThenAlloc";
  rounds: number;
  fill: number;
  cacheBytes?: number;
  /** layout's CHUNK_HEADER: the chunk's size word sits this far before an object. */
  chunkHeader: number;
}

export interface LoadTask {
  kind: "load";
  handle: HeapHandle;
  signals: Int32Array;
  workerNumber: number;
  cacheBytes?: number;
}

export interface DrainRound {
  /** gcThenAlloc: what the alloc on "small" found. */
  alloc?: "destroyed" | "small object" | "other pool's object";
  /** gcThenAlloc: the object's free back failed. */
  freeFailed?: string;
}

export interface LoadReport {
  allocs: number;
  frees: number;
  /** Allocations refused because the pool was destroyed meanwhile (expected). */
  destroyedAllocs: number;
  /** Frees of held objects that failed: must be none. */
  freeErrors: string[];
  doubles: number;
}
