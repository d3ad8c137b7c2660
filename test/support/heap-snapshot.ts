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

/**
 * Copies made and consumed (by changedWords), kept to be written again: a
 * fresh megabyte costs its page faults on every copy, about 80 times the copy.
 */
const spares: Uint8Array[] = [];

/** Every word of the heap's memory, copied. */
export function snapshotOf(heap: Heap): Uint32Array {
  const bytes = heap.memory.buffer.byteLength;
  const spare = spares.findIndex((copy) => copy.byteLength === bytes);
  // A byte copy: three times faster than slicing a view of the shared buffer.
  const copy = spare >= 0 ? spares.splice(spare, 1)[0]! : new Uint8Array(bytes);
  copy.set(new Uint8Array(heap.memory.buffer));
  return new Uint32Array(copy.buffer);
}

/** Word indexes that may change without changing the heap's state: heartbeats, and the scratch areas of cache blocks. */
function movingWords(words: Uint32Array): number[] {
  const moving: number[] = [];
  for (let index = 0; index < MAX_THREADS; index++) {
    const slot = THREADS_START + index * THREAD_SLOT_SIZE;
    moving.push((slot + T_HEARTBEAT) >>> 2);
    if (words[(slot + T_STATE) >>> 2] === THREAD_FREE) continue;
    const cache = words[(slot + T_CACHE) >>> 2]!;
    if (cache === 0) continue;
    for (let i = 0; i < BATCH_MAX; i++) moving.push(((cache + CACHE_SCRATCH) >>> 2) + i);
  }
  return moving;
}

const bytesOf = (words: Uint32Array): Buffer => Buffer.from(words.buffer, words.byteOffset, words.byteLength);

/**
 * The words of the heap's memory now that differ from `before` ("address:
 * before -> after", the first 10), and a line for a change of size.
 * It consumes `before`: its memory is reused by the next snapshot.
 */
export function changedWords(before: Uint32Array, heap: Heap): string[] {
  const after = snapshotOf(heap);
  const changes: string[] = [];
  if (before.length !== after.length) changes.push(`memory grew from ${before.length * 4} to ${after.length * 4} bytes`);
  const length = Math.min(before.length, after.length);
  for (const index of movingWords(before)) if (index < length) after[index] = before[index]!;
  // Compared natively; word by word only to name what differs.
  if (!bytesOf(before.subarray(0, length)).equals(bytesOf(after.subarray(0, length)))) {
    for (let i = 0; i < length && changes.length < 10; i++) {
      if (before[i] !== after[i]) changes.push(`${i * 4}: ${before[i]} -> ${after[i]}`);
    }
  }
  spares.push(new Uint8Array(before.buffer), new Uint8Array(after.buffer));
  return changes;
}
