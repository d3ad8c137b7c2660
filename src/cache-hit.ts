// The cache-hit paths of alloc and free, in JS, over the same shared words
// as assembly/cache.ts. Each tries the entry's front first (a small stack
// of pointers in the entry: assembly/layout.ts, "cache entry"), then its
// chain. A call into wasm costs about 2.5 ns here, and the
// wasm hit path itself measured 9 ns per alloc+free pair against 4 ns for
// these few typed-array operations, so Pool.alloc and Pool.free try these
// first. They handle only the plain hit: the calling thread's entry holds
// current objects of this pool (any pool: a hit only marks the entry used,
// for eviction's second chance), for alloc the object about to go out is a
// free object of the pool
// (a broken link, written over after free, goes to the core, which reports
// it: docs/internals.md §8), and for free the object passes the checks and
// the front has room (its capacity is reserved within the bound).
// Anything else returns "miss" and the caller calls the wasm core, which
// does the whole operation (or reports the exact error). Nothing here
// throws or decides an error.
//
// `words` is a Uint32Array over the memory; when the memory grew after it
// was made, an object past its end reads `undefined`, which fails the
// checks below, so such calls go to wasm too. A closed heap's words are
// empty: every call misses and reaches the core, which refuses it.

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

// The layout's numbers are written as literals, each followed by its name
// in a comment (`2 /* TOKEN */`); the build writes each number from the
// layout (scripts/layout.mjs, whose HIT_PATH_LITERALS says what each name
// is made of). Read from module-level constants instead, they cost 1.3-2×
// per pair in SpiderMonkey, JavaScriptCore and V8 (Node 20-24), which load
// them from the module's scope at each use rather than fold them; for the
// same reason the checks are written out here, not in helper functions.

/** Takes an object from the thread's cache; 0 on a miss. */
export function allocHit(words: Uint32Array, site: CacheSite): number {
  const entry = site.entry;
  // The entry holds current objects of this pool.
  if (words[entry + 2 /* TOKEN */] !== site.token || words[entry + 3 /* STAMP */] !== words[site.stamp]) return 0;
  // The front first: a stack outside the objects, so nothing is read from inside a free object.
  const inFront = words[entry + 8 /* FRONT_COUNT */]!;
  if (inFront !== 0) {
    const object = words[entry + 11 /* FRONT */ + inFront - 1]!;
    const headerWord = (object - 8) /* CHUNK_HEADER */ >>> 2;
    const header = words[headerWord]!;
    // A free object of exactly this pool's size (the chunk rule); anything else goes to the core, which folds the front and reports it.
    if ((header & 3) /* FREE_OBJECT */ !== 3 /* FREE_OBJECT */ || (header & ~7) - 8 /* CHUNK_HEADER */ !== site.size) return 0;
    words[entry + 8 /* FRONT_COUNT */] = inFront - 1;
    words[headerWord] = header & ~2 /* CHUNK_ON_FREE_LIST */;
    return object;
  }
  const object = words[entry + 0 /* FIRST */]!;
  if (object === 0) return 0;
  // The link the last take installed is checked before it is followed; a
  // broken one (a write after free) goes to the core, which reports it.
  // `object` must be a free object of this pool: inside the arena, used,
  // marked free, its chunk exactly the pool's size (the chunk rule, madeFor
  // in src/chunks.ts, written out; test/unit/hit-paths.test.ts holds this to it).
  // A size word past 2 GiB reads negative here and so matches no pool size.
  const headerWord = (object - 8) /* CHUNK_HEADER */ >>> 2;
  const header = words[headerWord];
  if (
    header === undefined ||
    (object & 7) !== 0 ||
    object < 140488 /* LOWEST_OBJECT */ ||
    object >= words[16417 /* TOP */]! ||
    (header & 3) /* FREE_OBJECT */ !== 3 /* FREE_OBJECT */ ||
    (header & ~7) - 8 /* CHUNK_HEADER */ !== site.size
  )
    return 0;
  words[entry + 0 /* FIRST */] = words[object >>> 2]!;
  words[entry + 1 /* COUNT */] = words[entry + 1 /* COUNT */]! - 1;
  // Recency for eviction: one store (a current entry is always on the list: assembly/cache-miss.ts, evict).
  words[entry + 7 /* FLAGS */] = 3 /* LINKED_AND_USED */;
  words[site.block + 0 /* CACHED_BYTES */] = words[site.block + 0 /* CACHED_BYTES */]! - site.size;
  words[headerWord] = header & ~2 /* CHUNK_ON_FREE_LIST */;
  return object;
}

/** Puts `ptr` in the thread's cache if it is a handed-out object of this pool; false on a miss. */
export function freeHit(words: Uint32Array, site: CacheSite, ptr: number): boolean {
  const entry = site.entry;
  // typeof first: `>>>` would throw on a BigInt or Symbol and call an object's valueOf.
  if (
    typeof ptr !== "number" ||
    ptr >>> 0 !== ptr ||
    (ptr & 7) !== 0 ||
    ptr < 140488 /* LOWEST_OBJECT */ ||
    ptr >= words[16417 /* TOP */]! ||
    words[entry + 2 /* TOKEN */] !== site.token ||
    words[entry + 3 /* STAMP */] !== words[site.stamp]
  )
    return false;
  const headerWord = (ptr - 8) /* CHUNK_HEADER */ >>> 2;
  const header = words[headerWord];
  if (header === undefined || ptr >>> 2 >= words.length) return false;
  // Used, not already free, and a chunk of exactly this pool's size (the chunk rule, as in allocHit).
  if ((header & 3) /* FREE_OBJECT */ !== 1 /* CHUNK_USED */ || (header & ~7) - 8 /* CHUNK_HEADER */ !== site.size) return false;
  // On the front. A front at its capacity takes it in its spare slot and
  // is folded onto the chain, the object last: the entry stays one LIFO
  // stack, and the object is in it before the fold's first step. When the
  // fold would take the chain past the bound, the core does it and evicts.
  const inFront = words[entry + 8 /* FRONT_COUNT */]!;
  const full = inFront >= words[entry + 9 /* FRONT_CAPACITY */]!;
  if (full && !foldFits(words, site, inFront + 1)) return false;
  words[headerWord] = header | 2 /* CHUNK_ON_FREE_LIST */;
  words[entry + 11 /* FRONT */ + inFront] = ptr;
  words[entry + 8 /* FRONT_COUNT */] = inFront + 1;
  if (full) foldFront(words, site);
  return true;
}

/**
 * heap.malloc's hit path (malloc.ts): `bySize[i]` is this thread's handle of
 * the size class's pool that serves requests of up to i * 8 bytes (undefined
 * until the thread opens it), so the class is one index, not a lookup
 * through class numbers; 0 on a miss.
 */
export function mallocHit(words: Uint32Array, bySize: readonly (CacheSite | undefined)[], bytes: number): number {
  // typeof first: `>>>` would call an object's valueOf. Whole numbers only:
  // 8.5 must not pass as 8. 8192 is the largest class (LARGEST_CLASS in
  // size-classes.ts; test/unit/hit-paths.test.ts holds it to it), and the
  // bound keeps `bytes + 7` from wrapping.
  if (typeof bytes !== "number" || bytes >>> 0 !== bytes || bytes > 8192) return 0;
  const site = bySize[(bytes + 7) >>> 3];
  return site === undefined ? 0 : allocHit(words, site);
}

/**
 * heap.free's hit path: the chunk header's size names the class (every class
 * size is a multiple of 8, so size / 8 indexes `bySize`). A size past the
 * largest class indexes past the table and reads undefined; any other size
 * that is not the object's class (garbage, a size no class has) finds a
 * pool whose hit path refuses the object (the chunk rule). False on a miss.
 */
export function mallocFreeHit(words: Uint32Array, bySize: readonly (CacheSite | undefined)[], ptr: number): boolean {
  // typeof first: `ptr - 8` would call an object's valueOf.
  if (typeof ptr !== "number") return false;
  // A header past `words` (free(0), a pointer past the memory) reads
  // undefined, which `&` takes as 0: an index past the table. `>>> 0`: a
  // size word can pass 2 GiB (no class has such a size).
  const site = bySize[(((words[(ptr - 8) /* CHUNK_HEADER */ >>> 2]! & ~7) >>> 0) - 8) /* CHUNK_HEADER */ >>> 3];
  return site !== undefined && freeHit(words, site, ptr);
}

/** Whether a front of `count` objects can be folded here: it has a capacity, and the chain's bytes stay within the bound. */
function foldFits(words: Uint32Array, site: CacheSite, count: number): boolean {
  const block = site.block;
  return (
    words[site.entry + 9 /* FRONT_CAPACITY */]! !== 0 &&
    words[block + 0 /* CACHED_BYTES */]! + count * site.size <= words[block + 1 /* LIMIT_BYTES */]!
  );
}

/**
 * Folds the front onto the chain (assembly/cache-block.ts, foldFront, whose
 * steps these are: each object linked and made the chain's head, then the
 * progress word, so that a reclaim can finish a fold this thread stopped
 * in). Apart from the hit path so that the hit path stays small enough for
 * engines to inline; foldFits said it fits.
 */
function foldFront(words: Uint32Array, site: CacheSite): void {
  const entry = site.entry;
  const block = site.block;
  const inFront = words[entry + 8 /* FRONT_COUNT */]!;
  for (let slot = 0; slot < inFront; slot++) {
    const object = words[entry + 11 /* FRONT */ + slot]!;
    words[object >>> 2] = words[entry + 0 /* FIRST */]!;
    words[entry + 0 /* FIRST */] = object;
    words[entry + 10 /* FRONT_FOLDED */] = slot + 1;
  }
  words[entry + 1 /* COUNT */] = words[entry + 1 /* COUNT */]! + inFront;
  words[block + 0 /* CACHED_BYTES */] = words[block + 0 /* CACHED_BYTES */]! + inFront * site.size;
  words[entry + 8 /* FRONT_COUNT */] = 0;
  words[entry + 10 /* FRONT_FOLDED */] = 0;
  // Front hits leave the used flag alone; a fold counts as the use (assembly/cache.ts, putObject).
  words[entry + 7 /* FLAGS */] = 3 /* LINKED_AND_USED */;
}
