// What the malloc model test (test/concurrency/malloc.test.ts) and its workers
// (malloc-worker.ts) exchange, and the size classes as the README states
// them, written apart from src/size-classes.ts so that the test checks one
// against the other.

import type { HeapHandle } from "wasm-pools";

export type MallocStep =
  | { kind: "malloc"; size: number }
  | { kind: "realloc"; pick: number; size: number }
  | { kind: "free"; pick: number }
  | { kind: "give"; pick: number }
  | { kind: "take" };

export interface MallocTask {
  handle: HeapHandle;
  workerNumber: 0 | 1;
  steps: MallocStep[];
  /** Two rings of blocks given to the other worker, then a word counting workers done. */
  rings: SharedArrayBuffer;
}

export interface MallocReport {
  workerNumber: number;
  steps: number;
  /** Empty when every step matched the model. */
  error: string;
}

/** A block a worker holds, as its model knows it. */
export interface Held {
  ptr: number;
  size: number;
  tag: number;
}

/** Blocks in flight per ring. */
export const RING = 64;
export const RINGS_BYTES = (2 * (2 + RING * 3) + 1) * 4;

/**
 * The usable size of a block asked for `size` bytes: 8-byte steps to 128,
 * then 8 classes per power of two to 8 KiB, then the request rounded up to 8.
 */
export function expectedUsable(size: number): number {
  if (size <= 128) return Math.max(8, Math.ceil(size / 8) * 8);
  if (size > 8192) return Math.ceil(size / 8) * 8;
  let power = 128;
  while (power * 2 < size) power *= 2;
  const step = power / 8;
  return Math.ceil(size / step) * step;
}
