// Finding, by walking the backing allocator's chunks, every object of a
// given size that is handed out: a used chunk made for that size and not
// marked free (not on a free list nor in a cache).

import type { Heap } from "wasm-pools";
import { ARENA_START, C_SIZE, CHUNK_HEADER, CHUNK_MIN, CHUNK_ON_FREE_LIST, CHUNK_USED, H_BACKING_TOP } from "../../dist/layout.js";
import { words } from "./thread-slots.js";

const SIZE_MASK = ~7;

/** Every handed-out object of chunks made for `size`-byte objects, with its chunk's size in bytes (exact while no thread allocates or frees). */
export function handedOutObjects(heap: Heap, size: number): Map<number, number> {
  const w = words(heap);
  const top = w[H_BACKING_TOP >>> 2]!;
  const found = new Map<number, number>();
  for (let chunk = ARENA_START; chunk < top; ) {
    const header = w[(chunk + C_SIZE) >>> 2]!;
    const chunkBytes = header & SIZE_MASK;
    const payload = chunkBytes - CHUNK_HEADER;
    if ((header & (CHUNK_USED | CHUNK_ON_FREE_LIST)) === CHUNK_USED && payload >= size && payload < size + CHUNK_MIN) {
      found.set(chunk + CHUNK_HEADER, chunkBytes);
    }
    if (chunkBytes < CHUNK_MIN) throw new Error(`the chunk at ${chunk} has a size of ${chunkBytes}: run heap.check()`);
    chunk += chunkBytes;
  }
  return found;
}
