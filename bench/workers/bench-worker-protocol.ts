// What the benchmark's main thread and its workers say to each other.

import type { HeapHandle } from "wasm-pools";

export type Workload =
  | { kind: "churn"; pairs: number }
  | { kind: "produce"; objects: number; ring: SharedArrayBuffer }
  | { kind: "consume"; objects: number; ring: SharedArrayBuffer }
  | { kind: "larson"; steps: number; workers: number; slots: SharedArrayBuffer }
  | { kind: "larson-malloc"; steps: number; workers: number; slots: SharedArrayBuffer }
  | { kind: "answer"; requests: number; toWorker: SharedArrayBuffer; fromWorker: SharedArrayBuffer };

export interface BenchWorkerData {
  handle: HeapHandle;
  cacheBytes: number;
  /** Number of this worker, 0-based. */
  number: number;
  workload: Workload;
  /** Int32Array words: [ARRIVED, GO], the start barrier of every round. */
  barrier: SharedArrayBuffer;
  /** How many workers meet at the barrier. */
  parties: number;
}

/** Sent by the main thread: run one round (numbered from 1), or stop. */
export type BenchCommand = { type: "run"; round: number } | { type: "stop" };

/** Sent by a worker: attached, or one round done in `elapsedMs`. */
export type BenchReply = { type: "ready" } | { type: "done"; elapsedMs: number };

export const BARRIER_ARRIVED = 0;
export const BARRIER_GO = 1;

/** Pools the Larson-like load allocates from, one per power-of-two size class. */
export const LARSON_CLASSES = [16, 32, 64, 128, 256, 512, 1024] as const;
export const LARSON_SLOTS_PER_WORKER = 1024;
export const CHURN_POOL = "churn";
export const TRANSFER_POOL = "transfer";
