// What the benchmark's main thread and its workers say to each other.

import type { MessagePort } from "node:worker_threads";
import type { HeapHandle } from "wasm-pools";

export type Workload =
  | { kind: "churn"; pairs: number }
  | { kind: "produce"; objects: number; ring: SharedArrayBuffer }
  | { kind: "consume"; objects: number; ring: SharedArrayBuffer }
  | { kind: "larson"; steps: number; workers: number; slots: SharedArrayBuffer }
  | { kind: "larson-malloc"; steps: number; workers: number; slots: SharedArrayBuffer }
  | { kind: "answer"; requests: number; toWorker: SharedArrayBuffer; fromWorker: SharedArrayBuffer }
  | { kind: "answer-channels"; requests: number }
  // Cases 14 to 17 (bench/cases/channels.ts): 64-byte messages through a channel or MessagePorts.
  | { kind: "channel-send"; messages: number }
  | { kind: "channel-receive"; messages: number }
  | { kind: "channel-ping"; roundTrips: number; samples: SharedArrayBuffer }
  | { kind: "channel-pong"; roundTrips: number }
  | { kind: "port-send"; messages: number; ports: MessagePort[] }
  | { kind: "port-receive"; messages: number; ports: MessagePort[] }
  | { kind: "port-ping"; roundTrips: number; port: MessagePort; samples: SharedArrayBuffer }
  | { kind: "port-pong"; roundTrips: number; port: MessagePort };

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
/** The pool of the channel cases' 64-byte messages. */
export const MESSAGE_POOL = "channel message";
export const MESSAGE_BYTES = 64;
/** The channel of the throughput cases. */
export const MESSAGE_CHANNEL = "messages";
/** The two channels of the ping-pong case: ping goes to the ponger, pong comes back. */
export const PING_CHANNEL = "ping";
export const PONG_CHANNEL = "pong";

/** The MessagePorts a workload carries: they go to its worker in the transfer list. */
export function portsOf(workload: Workload): MessagePort[] {
  if ("ports" in workload) return workload.ports;
  if ("port" in workload) return [workload.port];
  return [];
}

/** What the main thread tells a worker of the postMessage baselines (bench/workers/post-message-worker.ts); other messages it gets are pings. */
export type PostCommand = { type: "produce"; messages: number; transfer: boolean } | { type: "consume"; messages: number };

/** That worker's answer to "consume", once every message came: how many arrived damaged. */
export interface PostDone {
  type: "done";
  wrong: number;
}
