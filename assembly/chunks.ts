// Pool objects as chunks of the backing allocator (layout.ts, "Chunks"):
// the checks that a pointer is what a caller or a free list claims it is,
// and the flag that tells a free object from a handed-out one
// (docs/internals.md §8). Every layer above uses them; they use nothing but
// the layout, its records and the debug tag size.

import { tagBytes } from "./debug";
import {
  ARENA_START,
  CHUNK_HEADER,
  CHUNK_ON_FREE_LIST,
  CHUNK_SIZE_MASK,
  CHUNK_USED,
  ERR_BAD_POINTER,
  ERR_DOUBLE_FREE,
  ERR_SIZE_MISMATCH,
  H_BACKING_TOP,
  OK,
} from "./layout";
import { chunkOf } from "./records";

/** Marks an object that a pop just took: its owner may free it once. */
@inline export function markHandedOut(object: usize): void {
  const chunk = chunkOf(object);
  chunk.word &= ~CHUNK_ON_FREE_LIST;
}

@inline export function markOnFreeList(object: usize): void {
  const chunk = chunkOf(object);
  chunk.word |= CHUNK_ON_FREE_LIST;
}

const FREE_MARKS: u32 = CHUNK_USED | CHUNK_ON_FREE_LIST;

// The rules, each once; the checks below are made of them.

/** Whether `object` lies where objects can: 8-aligned, inside the arena carved up to `top`. */
@inline function placed(object: usize, top: usize): bool {
  return (object & 7) == 0 && object >= ARENA_START + CHUNK_HEADER && object < top;
}

/**
 * The chunk rule: whether a chunk header word's payload was made for
 * `wanted` bytes (an object and its debug tag). Every chunk is exactly the
 * size asked (bins.ts), so an object belongs to a pool only if its
 * chunk's payload is exactly what that pool asks for. (src/chunks.ts,
 * madeFor, is the wrapper's copy; test/unit/hit-paths.test.ts holds the JS hit
 * paths to it.)
 */
@inline function madeFor(word: u32, wanted: u32): bool {
  return (word & CHUNK_SIZE_MASK) - CHUNK_HEADER == wanted;
}

/** Whether a chunk header word marks a free pool object (used by a pool, on a free list or in a cache). */
@inline function markedFree(word: u32): bool {
  return (word & FREE_MARKS) == FREE_MARKS;
}

/** Whether a chunk header word marks a handed-out pool object. */
@inline function markedHandedOut(word: u32): bool {
  return (word & FREE_MARKS) == CHUNK_USED;
}

@inline function insideArena(object: usize): bool {
  return placed(object, <usize>load<u32>(H_BACKING_TOP));
}

/**
 * Cheap checks that `object` is a handed-out object of `size` bytes:
 * aligned, inside the carved arena, its chunk header marked used, made for
 * exactly that size, and not on a free list. Returns OK or the error.
 */
@inline export function checkFreeable(size: u32, object: usize): i32 {
  if (!insideArena(object)) return ERR_BAD_POINTER;
  const word = chunkOf(object).word;
  if ((word & CHUNK_USED) == 0 || !madeFor(word, size + tagBytes())) return ERR_SIZE_MISMATCH;
  if ((word & CHUNK_ON_FREE_LIST) != 0) return ERR_DOUBLE_FREE;
  return OK;
}

/**
 * Whether `object` is a free object of a pool of `size`-byte objects, as
 * every link of a free list (shared or cached) must be: inside the arena,
 * its chunk used, marked free and made for that size. A link that is not
 * was written over after its object was freed: following it could read
 * or hand out any memory, so no pop, walk or release follows it.
 */
@inline export function isFreeObject(size: u32, object: usize): bool {
  if (!insideArena(object)) return false;
  const word = chunkOf(object).word;
  return markedFree(word) && madeFor(word, size + tagBytes());
}

/**
 * For loops over many objects: isFreeObject with the payload wanted
 * (`size` plus the tag) and the arena's top read once by the caller, and,
 * when the object is one, marked handed out with the same header load.
 * (A cached object lies below any top read after it was cached.)
 */
@inline export function takeIfFreeObject(object: usize, wanted: u32, top: usize): bool {
  if (!placed(object, top)) return false;
  const chunk = chunkOf(object);
  const word = chunk.word;
  if (!markedFree(word) || !madeFor(word, wanted)) return false;
  chunk.word = word & ~CHUNK_ON_FREE_LIST;
  return true;
}

/**
 * For loops over many objects: checkFreeable with the payload wanted and
 * the arena's top read once by the caller, and, when the object may be
 * freed, marked free with the same header load. False when it may not
 * (the caller asks checkFreeable why).
 */
@inline export function putIfFreeable(object: usize, wanted: u32, top: usize): bool {
  if (!placed(object, top)) return false;
  const chunk = chunkOf(object);
  const word = chunk.word;
  if (!markedHandedOut(word) || !madeFor(word, wanted)) return false;
  chunk.word = word | CHUNK_ON_FREE_LIST;
  return true;
}

/** isFreeObject without the size (for chains whose pool size the caller does not know): inside the arena, used, marked free. */
@inline export function isFreeChunk(object: usize): bool {
  return insideArena(object) && markedFree(chunkOf(object).word);
}

/** Debug checks: the objects of the chain from `first` up to its 0 link, each checked with isFreeObject, at most `bound`. */
export function chainCount(first: usize, size: u32, bound: u32): u32 {
  let count: u32 = 0;
  for (let object = first; object != 0 && count < bound && isFreeObject(size, object); count++) object = <usize>load<u32>(object);
  return count;
}

/**
 * The `count`-th object of the chain from `first` (1 is `first`), each link
 * checked with isFreeObject; 0 if the chain breaks before.
 */
export function checkedChainAt(first: usize, count: u32, size: u32): usize {
  let object = first;
  for (let i: u32 = 1; i <= count; i++) {
    if (!isFreeObject(size, object)) return 0;
    if (i < count) object = <usize>load<u32>(object);
  }
  return object;
}
