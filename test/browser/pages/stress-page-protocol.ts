// What the browser stress page and its workers say to each other.

import type { HeapHandle } from "../../../dist/index.js";

export interface StressStart {
  handle: HeapHandle;
  number: number;
  /** Allocations or frees each worker makes on the shared pool. */
  operations: number;
  /** Objects of the big pool each worker holds while the memory grows. */
  bigObjects: number;
  /** Int32Array word GO: set by the page once every worker is attached. */
  signals: SharedArrayBuffer;
}

export type StressReply =
  | { type: "ready" }
  | { type: "report"; allocs: number; frees: number; doubles: number; memoryBytesSeen: number; badBigObjects: number }
  | { type: "error"; message: string };

export const GO = 0;
export const SHARED_POOL = "shared";
export const BIG_POOL = "big";
export const BIG_SIZE = 4096;

/** What the page leaves in `globalThis.result` for the test. */
export interface StressResult {
  workers: number;
  operations: number;
  doubles: number;
  flushes: number;
  gcs: number;
  used: number;
  cached: number;
  allocated: number;
  freeListLength: number;
  initialMemoryBytes: number;
  finalMemoryBytes: number;
  memoryBytesSeen: number[];
  badBigObjects: number;
  error?: string;
}
