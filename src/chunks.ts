// Pool objects as chunks of the backing allocator: the rules of
// assembly/chunks.ts for the wrapper (docs/internals.md §8), used by
// heap.check() and malloc. The JS hit paths (cache-hit.ts) write them out
// by hand (calls to these measured about 4 ns more per alloc+free pair
// there); test/unit/hit-paths.test.ts checks their verdicts against these.

import { ARENA_START, CHUNK_HEADER, CHUNK_ON_FREE_LIST, CHUNK_SIZE_MASK, CHUNK_USED, LARGE_KEY, LARGE_MARK } from "./layout.js";

/** The lowest address an object can have. */
const LOWEST_OBJECT = ARENA_START + CHUNK_HEADER;
/** The header bits of a free pool object: a used chunk, on a free list or in a cache. */
const FREE_MARKS = CHUNK_USED | CHUNK_ON_FREE_LIST;

/** Whether `object` lies where objects can: 8-aligned, inside the arena carved up to `top`. */
export function placed(object: number, top: number): boolean {
  return (object & 7) === 0 && object >= LOWEST_OBJECT && object < top;
}

/**
 * The chunk rule (assembly/chunks.ts, madeFor): whether a chunk header
 * word's payload is exactly `wanted` bytes (an object and its debug tag).
 * Every chunk is exactly the size asked (assembly/bins.ts), so an object
 * belongs to a pool only if its chunk is exactly the size that pool makes.
 */
export function madeFor(header: number, wanted: number): boolean {
  return chunkSizeOf(header) - CHUNK_HEADER === wanted;
}

/** A chunk header word's size (the whole chunk's bytes), unsigned: a chunk can pass 2 GiB. */
export function chunkSizeOf(header: number): number {
  return (header & CHUNK_SIZE_MASK) >>> 0;
}

/** Whether a chunk header word marks a free pool object. */
export function markedFree(header: number): boolean {
  return (header & FREE_MARKS) === FREE_MARKS;
}

/**
 * Whether the two words at the start of a chunk's payload mark a large block
 * of malloc (assembly/layout.ts, LARGE_MARK; the core's rule is in
 * assembly/large.ts): the mark, then the payload's address mixed with the key.
 */
export function marksLargeBlock(payload: number, first: number, second: number): boolean {
  return first === LARGE_MARK && second === (payload ^ LARGE_KEY) >>> 0;
}
