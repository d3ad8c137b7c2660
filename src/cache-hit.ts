// The cache-hit paths of alloc and free, in JS, over the same shared words
// as assembly/cache.ts. A call into wasm costs about 2.5 ns here, and the
// wasm hit path itself measured 9 ns per alloc+free pair against 4 ns for
// these few typed-array operations, so Pool.alloc and Pool.free try these
// first. They handle only the plain hit: the calling thread's entry holds
// current objects of this pool (any pool: a hit only marks the entry used,
// for eviction's second chance), for alloc the object about to go out is a
// free object of the pool
// (a broken link, written over after free, goes to the core, which reports
// it: docs/internals.md §8), and for free the object passes the checks and
// fits the bound.
// Anything else returns "miss" and the caller calls the wasm core, which
// does the whole operation (or reports the exact error). Nothing here
// throws or decides an error.
//
// `words` is a Uint32Array over the memory; when the memory grew after it
// was made, an object past its end reads `undefined`, which fails the
// checks below, so such calls go to wasm too. A closed heap's words are
// empty: every call misses and reaches the core, which refuses it.

import {
  ARENA_START,
  B_CACHED_BYTES,
  B_LIMIT_BYTES,
  CHUNK_HEADER,
  CHUNK_MIN,
  CHUNK_ON_FREE_LIST,
  CHUNK_USED,
  E_COUNT,
  E_FIRST,
  E_FLAGS,
  E_STAMP,
  E_TOKEN,
  ENTRY_LINKED,
  ENTRY_USED,
  H_BACKING_TOP,
} from "./layout.js";

/** Where one pool's hit path reads, as u32 word indexes into `words`. */
export interface CacheSite {
  /** The calling thread's cache block header. */
  readonly block: number;
  /** The thread's entry for this pool. */
  readonly entry: number;
  /** The pool slot's stamp word. */
  readonly stamp: number;
  readonly token: number;
  readonly size: number;
}

const FIRST = E_FIRST / 4;
const COUNT = E_COUNT / 4;
const TOKEN = E_TOKEN / 4;
const STAMP = E_STAMP / 4;
const CACHED_BYTES = B_CACHED_BYTES / 4;
const LIMIT_BYTES = B_LIMIT_BYTES / 4;
const FLAGS = E_FLAGS / 4;
const LINKED_AND_USED = ENTRY_LINKED | ENTRY_USED;
const TOP = H_BACKING_TOP / 4;
const LOWEST_OBJECT = ARENA_START + CHUNK_HEADER;
const FREE_OBJECT = CHUNK_USED | CHUNK_ON_FREE_LIST;

function entryCurrent(words: Uint32Array, site: CacheSite): boolean {
  const entry = site.entry;
  return words[entry + TOKEN] === site.token && words[entry + STAMP] === words[site.stamp];
}

/**
 * Whether `object`, whose chunk header is `header`, is a free object of
 * this site's pool: inside the arena, used, marked free, made for its size
 * (as the core's isFreeObject, assembly/chunks.ts).
 */
function isFreeObject(words: Uint32Array, site: CacheSite, object: number, header: number | undefined): boolean {
  return (
    header !== undefined &&
    (object & 7) === 0 &&
    object >= LOWEST_OBJECT &&
    object < words[TOP]! &&
    (header & FREE_OBJECT) === FREE_OBJECT &&
    ((header & ~7) - CHUNK_HEADER - site.size) >>> 0 < CHUNK_MIN
  );
}

/** Takes an object from the thread's cache; 0 on a miss. */
export function allocHit(words: Uint32Array, site: CacheSite): number {
  const entry = site.entry;
  const object = words[entry + FIRST]!;
  if (object === 0 || !entryCurrent(words, site)) return 0;
  // The link the last take installed is checked before it is followed; a
  // broken one (a write after free) goes to the core, which reports it.
  const headerWord = (object - CHUNK_HEADER) >>> 2;
  const header = words[headerWord];
  if (!isFreeObject(words, site, object, header)) return 0;
  words[entry + FIRST] = words[object >>> 2]!;
  words[entry + COUNT] = words[entry + COUNT]! - 1;
  // Recency for eviction: one store (a current entry is always on the list: assembly/cache.ts, evict).
  words[entry + FLAGS] = LINKED_AND_USED;
  words[site.block + CACHED_BYTES] = words[site.block + CACHED_BYTES]! - site.size;
  words[headerWord] = header! & ~CHUNK_ON_FREE_LIST;
  return object;
}

/** Puts `ptr` in the thread's cache if it is a handed-out object of this pool; false on a miss. */
export function freeHit(words: Uint32Array, site: CacheSite, ptr: number): boolean {
  // typeof first: `>>>` would throw on a BigInt or Symbol and call an object's valueOf.
  if (
    typeof ptr !== "number" ||
    ptr >>> 0 !== ptr ||
    (ptr & 7) !== 0 ||
    ptr < LOWEST_OBJECT ||
    ptr >= words[TOP]! ||
    !entryCurrent(words, site)
  )
    return false;
  const headerWord = (ptr - CHUNK_HEADER) >>> 2;
  const header = words[headerWord];
  if (header === undefined || ptr >>> 2 >= words.length) return false;
  const block = site.block;
  const bytes = words[block + CACHED_BYTES]! + site.size;
  // Used, not already free, and a chunk made for this size (as checkFreeable in the core).
  if ((header & (CHUNK_USED | CHUNK_ON_FREE_LIST)) !== CHUNK_USED) return false;
  if (((header & ~7) - CHUNK_HEADER - site.size) >>> 0 >= CHUNK_MIN || bytes > words[block + LIMIT_BYTES]!) return false;
  const entry = site.entry;
  words[headerWord] = header | CHUNK_ON_FREE_LIST;
  words[ptr >>> 2] = words[entry + FIRST]!;
  words[entry + FIRST] = ptr;
  words[entry + COUNT] = words[entry + COUNT]! + 1;
  words[entry + FLAGS] = LINKED_AND_USED;
  words[block + CACHED_BYTES] = bytes;
  return true;
}
