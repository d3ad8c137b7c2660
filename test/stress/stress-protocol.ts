// What the stress run's main thread and its workers say to each other.

import type { HeapHandle } from "wasm-pools";

export interface StressWorkerData {
  handle: HeapHandle;
  number: number;
  seed: number;
  /** Int32Array words: PHASE (the phase running, 0 before the first), STOP (1 when the phase must end). */
  control: SharedArrayBuffer;
  /** BigInt64Array: objects in flight between workers (packSlot), 0 when empty. */
  exchange: SharedArrayBuffer;
}

/**
 * Sent by the main thread: run a phase on these shared pools, or end. The
 * pool named `churn` is destroyed and made again (another size) by the main
 * thread while the phase runs; workers look it up by name for bursts.
 */
export type StressCommand = { type: "phase"; phase: number; pools: string[]; churn: string } | { type: "end" };

export interface PhaseReport {
  allocs: number;
  frees: number;
  /** Objects freed by another worker than the one that allocated them. */
  crossFrees: number;
  /** Allocations refused (a pool's limit or maxBytes). */
  refused: number;
  flushes: number;
  gcs: number;
  /** Private pools this worker created and destroyed. */
  poolsCreated: number;
  /** Objects allocated and freed from the churn pool (destroyed and made again meanwhile). */
  churnObjects: number;
  /** Allocations that found the churn pool destroyed (expected); frees never may. */
  churnDestroyed: number;
  /** Times the main thread destroyed the churn pool and made it again. */
  churnRemade: number;
  /** Blocks of heap.malloc among the allocs (random sizes, a few beyond the size classes). */
  mallocs: number;
  /** Objects whose ownership claim was overwritten: handed out twice. */
  doubles: number;
}

/** A report with every count at 0. */
export function emptyPhaseReport(): PhaseReport {
  return {
    allocs: 0,
    frees: 0,
    crossFrees: 0,
    refused: 0,
    flushes: 0,
    gcs: 0,
    poolsCreated: 0,
    doubles: 0,
    mallocs: 0,
    churnObjects: 0,
    churnDestroyed: 0,
    churnRemade: 0,
  };
}

export type StressReply = { type: "ready" } | { type: "phase-done"; report: PhaseReport } | { type: "error"; message: string };

export const PHASE = 0;
export const STOP = 1;
export const EXCHANGE_SLOTS = 256;

/** An object in flight: its claim, its pointer, and its pool's index among the phase's pools (in the pointer's 3 free low bits). */
export function packSlot(claim: number, ptr: number, poolIndex: number): bigint {
  return (BigInt(claim >>> 0) << 32n) | BigInt((ptr | poolIndex) >>> 0);
}

export function unpackSlot(packed: bigint): { claim: number; ptr: number; poolIndex: number } {
  const low = Number(packed & 0xffffffffn);
  return { claim: Number(packed >> 32n) | 0, ptr: (low & ~7) >>> 0, poolIndex: low & 7 };
}

/** Most shared pools in a phase (their index must fit in a pointer's 3 low bits, beside MALLOC_INDEX). */
export const MAX_PHASE_POOLS = 7;
/** The "pool index" of a block of heap.malloc in flight: freed with heap.free. */
export const MALLOC_INDEX = 7;
