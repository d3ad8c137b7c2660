// Reading the heap's thread slots from a test.

import type { Heap } from "wasm-pools";
import { T_ID, T_STATE, THREAD_LIVE, THREAD_SLOT_SIZE, THREADS_START } from "../../dist/layout.js";

export function words(heap: Heap): Uint32Array {
  return new Uint32Array(heap.memory.buffer);
}

/** The address of the live thread slot of heap thread `threadId`. */
export function slotOf(heap: Heap, threadId: number): number {
  const w = words(heap);
  for (let index = 0; index < 256; index++) {
    const slot = THREADS_START + index * THREAD_SLOT_SIZE;
    if (w[(slot + T_STATE) >>> 2] === THREAD_LIVE && w[(slot + T_ID) >>> 2] === threadId) return slot;
  }
  throw new Error(`no live thread ${threadId}`);
}

/** The addresses of the thread slots in use (live, attaching, dead or being reclaimed). */
export function takenSlots(heap: Heap): number[] {
  const w = words(heap);
  const taken: number[] = [];
  for (let index = 0; index < 256; index++) {
    const slot = THREADS_START + index * THREAD_SLOT_SIZE;
    if (w[(slot + T_STATE) >>> 2] !== 0) taken.push(slot);
  }
  return taken;
}

/** Thread slots in use (live, attaching, dead or being reclaimed). */
export function liveThreads(heap: Heap): number {
  const w = words(heap);
  let live = 0;
  for (let index = 0; index < 256; index++) if (w[(THREADS_START + index * THREAD_SLOT_SIZE + T_STATE) >>> 2] !== 0) live++;
  return live;
}

/** Atomics.waitAsync (Node 16+), which TypeScript's es2022 library does not declare. */
export const waitAsync = (
  Atomics as unknown as {
    waitAsync(array: Int32Array, index: number, value: number): { async: boolean; value: Promise<string> | string };
  }
).waitAsync;

/** Resolves once `words[index]` is at least `count`, without blocking this thread's event loop. */
export async function countReaches(words: Int32Array, index: number, count: number): Promise<void> {
  while (true) {
    const seen = Atomics.load(words, index);
    if (seen >= count) return;
    await waitAsync(words, index, seen).value;
  }
}
