// A copy of a heap's whole memory, and the words a call changed in it: what
// the tests of refused calls compare, so that a call that registered a pool,
// took a thread slot, moved a block or a counter and then threw is caught.
// Two kinds of word may move without changing the heap's state, and are
// left out: a thread's heartbeat (its sign of life, bumped by each lock it
// lets go) and the scratch area of a thread's cache block (where freeMany
// copies the pointers it then checks).

import type { Heap } from "wasm-pools";
import {
  BATCH_MAX,
  CACHE_SCRATCH,
  MAX_THREADS,
  T_CACHE,
  T_STATE,
  THREAD_FREE,
  THREAD_SLOT_SIZE,
  THREADS_START,
} from "../../dist/layout.js";
import { coreConstant } from "./core-constants.js";

const T_HEARTBEAT = await coreConstant("T_HEARTBEAT");

/** Every word of the heap's memory, copied. */
export function snapshotOf(heap: Heap): Uint32Array {
  return new Uint32Array(heap.memory.buffer).slice();
}

/** Word indexes that may change without changing the heap's state: heartbeats, and the scratch areas of cache blocks. */
function movingWords(words: Uint32Array): Set<number> {
  const moving = new Set<number>();
  for (let index = 0; index < MAX_THREADS; index++) {
    const slot = THREADS_START + index * THREAD_SLOT_SIZE;
    moving.add((slot + T_HEARTBEAT) >>> 2);
    if (words[(slot + T_STATE) >>> 2] === THREAD_FREE) continue;
    const cache = words[(slot + T_CACHE) >>> 2]!;
    if (cache === 0) continue;
    for (let i = 0; i < BATCH_MAX; i++) moving.add(((cache + CACHE_SCRATCH) >>> 2) + i);
  }
  return moving;
}

/** The words `after` differs from `before` in ("address: before -> after", the first 10), and a line for a change of size. */
export function changedWords(before: Uint32Array, after: Uint32Array): string[] {
  const changes: string[] = [];
  if (before.length !== after.length) changes.push(`memory grew from ${before.length * 4} to ${after.length * 4} bytes`);
  const moving = movingWords(before);
  for (let i = 0; i < Math.min(before.length, after.length) && changes.length < 10; i++) {
    if (before[i] !== after[i] && !moving.has(i)) changes.push(`${i * 4}: ${before[i]} -> ${after[i]}`);
  }
  return changes;
}
