// The backing allocator: variable-size chunks carved from the arena, in
// segregated bins, merged with free neighbours, under one robust mutex
// whose every store is logged (docs/internals.md §9, §5).
//
// Invariant: top + CHUNK_HEADER <= memory end, so the word at top + 4 always
// exists and holds the size of the chunk ending at top (its "prev size").

import { isFreeChunk } from "./chunks";
import { wakeObjectWaiters } from "./freelist";
import {
  ARENA_START,
  BIN_BITMAP_WORDS,
  C_NEXT_FREE,
  C_PREV_FREE,
  C_PREV_SIZE,
  C_SIZE,
  CHUNK_HEADER,
  CHUNK_MAX_PAYLOAD,
  CHUNK_MIN,
  CHUNK_ON_FREE_LIST,
  CHUNK_SIZE_MASK,
  CHUNK_USED,
  ERR_FREE_UNDERFLOW,
  ERR_STALE_POOL,
  H_BACKING_FREE_BYTES,
  H_BACKING_LOCK,
  H_BACKING_TOP,
  H_BACKING_USED_BYTES,
  H_BIN_BITMAP,
  H_BIN_HEADS,
  H_MAX_PAGES,
  H_TEST_SWITCHES,
  OK,
  P_ALLOCATED,
  P_HEAD,
  P_LIMIT,
  P_STATE,
  P_USED,
  PAGE_BYTES,
  POOL_FREE,
  POOL_RETIRED,
  SL_BITS,
  SMALL_BIN_LIMIT,
  TEST_INEXACT_CHUNKS,
} from "./layout";
import { backingLock, mutexUnlock } from "./locks";
import { quarantineLocked } from "./quarantine";
import { isCorrupt, markCorrupt, poolAt, resolveIncarnation, resolvePool, tokenIndex } from "./slots";
import { deathPoint } from "./thread";
import { loggedStore, undoCommit, undoRoomForStep } from "./undo";

/** Grow the memory by at least this many pages at a time (1 MiB), to make growth rare. */
const GROW_STEP_PAGES: u32 = 16;

@inline function chunkSize(chunk: usize): u32 {
  return load<u32>(chunk + C_SIZE) & CHUNK_SIZE_MASK;
}

@inline function chunkIsUsed(chunk: usize): bool {
  return (load<u32>(chunk + C_SIZE) & CHUNK_USED) != 0;
}

/** One bin per multiple of 8 below SMALL_BIN_LIMIT; the two-level bins follow them. */
const SMALL_BINS: u32 = SMALL_BIN_LIMIT >> 3;
/** The first level of the two-level bins: log2(SMALL_BIN_LIMIT). */
const FIRST_LEVEL: u32 = 31 - clz<u32>(SMALL_BIN_LIMIT);

@inline function binOf(size: u32): u32 {
  if (size < SMALL_BIN_LIMIT) return size >> 3;
  const fl = 31 - clz<u32>(size);
  const sl = (size >> (fl - SL_BITS)) & ((1 << SL_BITS) - 1);
  return SMALL_BINS + ((fl - FIRST_LEVEL) << SL_BITS) + sl;
}

@inline function binHead(bin: u32): usize {
  return H_BIN_HEADS + (bin << 2);
}

/** Chunk size for a payload of `bytes`, or 0 if the request is too large. */
export function chunkSizeFor(bytes: u32): u32 {
  if (bytes > CHUNK_MAX_PAYLOAD) return 0;
  const size = (bytes + CHUNK_HEADER + 7) & ~7;
  return size < CHUNK_MIN ? CHUNK_MIN : size;
}

function insertFree(chunk: usize, size: u32): void {
  loggedStore(chunk + C_SIZE, size);
  const bin = binOf(size);
  const first = load<u32>(binHead(bin));
  loggedStore(chunk + C_NEXT_FREE, first);
  loggedStore(chunk + C_PREV_FREE, 0);
  if (first != 0) loggedStore(<usize>first + C_PREV_FREE, <u32>chunk);
  loggedStore(binHead(bin), <u32>chunk);
  const word = H_BIN_BITMAP + ((bin >> 5) << 2);
  loggedStore(word, load<u32>(word) | (1 << (bin & 31)));
  loggedStore(H_BACKING_FREE_BYTES, load<u32>(H_BACKING_FREE_BYTES) + size);
}

function removeFree(chunk: usize): void {
  const size = chunkSize(chunk);
  const bin = binOf(size);
  const next = load<u32>(chunk + C_NEXT_FREE);
  const prev = load<u32>(chunk + C_PREV_FREE);
  if (prev != 0) loggedStore(<usize>prev + C_NEXT_FREE, next);
  else loggedStore(binHead(bin), next);
  if (next != 0) loggedStore(<usize>next + C_PREV_FREE, prev);
  if (load<u32>(binHead(bin)) == 0) {
    const word = H_BIN_BITMAP + ((bin >> 5) << 2);
    loggedStore(word, load<u32>(word) & ~(1 << (bin & 31)));
  }
  loggedStore(H_BACKING_FREE_BYTES, load<u32>(H_BACKING_FREE_BYTES) - size);
}

/** First non-empty bin at or above `bin`, or -1. */
function nonEmptyBinFrom(bin: u32): i32 {
  let index = bin >> 5;
  let bits = load<u32>(H_BIN_BITMAP + (index << 2)) & ((<u32>-1) << (bin & 31));
  while (bits == 0) {
    if (++index >= BIN_BITMAP_WORDS) return -1;
    bits = load<u32>(H_BIN_BITMAP + (index << 2));
  }
  return <i32>((index << 5) + ctz<u32>(bits));
}

/** A free chunk of at least `size` bytes taken out of its bin, or 0. */
function takeFittingChunk(size: u32): usize {
  const bin = binOf(size);
  // First fit inside the request's own bin (sizes there may be smaller).
  let chunk = <usize>load<u32>(binHead(bin));
  while (chunk != 0) {
    if (chunkSize(chunk) >= size) {
      removeFree(chunk);
      return chunk;
    }
    chunk = <usize>load<u32>(chunk + C_NEXT_FREE);
  }
  // Every chunk of a higher bin is large enough.
  const found = nonEmptyBinFrom(bin + 1);
  if (found < 0) return 0;
  chunk = <usize>load<u32>(binHead(<u32>found));
  removeFree(chunk);
  return chunk;
}

/** Marks `chunk` used, returning a tail of CHUNK_MIN bytes or more to the bins (allocChunkLocked leaves no smaller one but under TEST_INEXACT_CHUNKS). */
function splitAndMarkUsed(chunk: usize, size: u32): void {
  const whole = chunkSize(chunk);
  if (whole - size >= CHUNK_MIN) {
    const rest = chunk + size;
    const restSize = whole - size;
    loggedStore(rest + C_PREV_SIZE, size);
    loggedStore(rest + restSize + C_PREV_SIZE, restSize);
    insertFree(rest, restSize);
    loggedStore(chunk + C_SIZE, size | CHUNK_USED);
  } else {
    loggedStore(chunk + C_SIZE, whole | CHUNK_USED);
  }
}

/** Carves `size` bytes at top, growing the memory if needed; 0 if the memory is at its limit. */
function carveFromTop(size: u32): usize {
  const top = <usize>load<u32>(H_BACKING_TOP);
  // In 64 bits: near the 4 GiB limit the sum would wrap in 32.
  const needEnd = <u64>top + size + CHUNK_HEADER;
  const end = <u64>memory.size() * PAGE_BYTES;
  if (needEnd > end) {
    const needed = <u32>((needEnd - end + PAGE_BYTES - 1) / PAGE_BYTES);
    const maxPages = load<u32>(H_MAX_PAGES);
    const current = <u32>memory.size();
    if (current + needed > maxPages) return 0;
    const wanted = min(max(needed, GROW_STEP_PAGES), maxPages - current);
    if (memory.grow(<i32>wanted) < 0 && memory.grow(<i32>needed) < 0) return 0;
  }
  // The word at top + 4 already holds the previous chunk's size.
  loggedStore(top + C_SIZE, size | CHUNK_USED);
  loggedStore(top + size + C_PREV_SIZE, size);
  loggedStore(H_BACKING_TOP, <u32>(top + size));
  return top;
}

/** Takes a used chunk of exactly `size` bytes (0 if memory is out). Backing lock held. */
export function allocChunkLocked(size: u32): usize {
  let chunk = takeFittingChunk(size);
  // Every chunk is exactly the size asked, so its header tells a size
  // class apart from the next one (malloc, src/malloc.ts): a fit one
  // header too large (the rest too small to split off) goes back, and a
  // chunk that leaves a whole free chunk behind serves instead.
  if (chunk != 0 && chunkSize(chunk) - size == CHUNK_HEADER && (load<u32>(H_TEST_SWITCHES) & TEST_INEXACT_CHUNKS) == 0) {
    insertFree(chunk, chunkSize(chunk));
    chunk = takeFittingChunk(size + CHUNK_MIN);
  }
  if (chunk != 0) splitAndMarkUsed(chunk, size);
  else chunk = carveFromTop(size);
  if (chunk != 0) loggedStore(H_BACKING_USED_BYTES, load<u32>(H_BACKING_USED_BYTES) + chunkSize(chunk));
  return chunk;
}

/** Gives `chunk` back to the bins, merged with free neighbours. Backing lock held. */
export function freeChunkLocked(chunk: usize): void {
  let size = chunkSize(chunk);
  loggedStore(H_BACKING_USED_BYTES, load<u32>(H_BACKING_USED_BYTES) - size);
  const prevSize = load<u32>(chunk + C_PREV_SIZE);
  if (prevSize != 0 && !chunkIsUsed(chunk - prevSize)) {
    chunk -= prevSize;
    removeFree(chunk);
    size += prevSize;
  }
  const top = <usize>load<u32>(H_BACKING_TOP);
  const next = chunk + size;
  if (next == top) {
    // Give the space back to the uncarved region; chunk + 4 still holds
    // the size of the chunk before it, as the invariant wants.
    loggedStore(H_BACKING_TOP, <u32>chunk);
    return;
  }
  if (!chunkIsUsed(next)) {
    const nextSize = chunkSize(next);
    removeFree(next);
    size += nextSize;
  }
  loggedStore(chunk + size + C_PREV_SIZE, size);
  insertFree(chunk, size);
}

export function backingInit(): void {
  store<u32>(H_BACKING_TOP, ARENA_START);
}

/** Ends a section: makes its stores final, then unlocks. */
@inline export function endSection(): void {
  undoCommit();
  mutexUnlock(H_BACKING_LOCK);
}

/** Allocates one chunk of `bytes` of payload and stores the payload in the caller's word `into`; 0 if none. */
export function backingAlloc(bytes: u32, into: usize): usize {
  const size = chunkSizeFor(bytes);
  if (size == 0) return 0;
  deathPoint();
  backingLock();
  const chunk = allocChunkLocked(size);
  const payload: usize = chunk == 0 ? 0 : chunk + CHUNK_HEADER;
  loggedStore(into, <u32>payload);
  endSection();
  return payload;
}

/**
 * backingAlloc, with the payload zeroed before `into` names it. Only the
 * payload's first 8 bytes can hold a free chunk's bin links, which a
 * rollback restores; the rest is filled unlogged, which no rollback needs.
 */
export function backingAllocZeroed(bytes: u32, into: usize): usize {
  const size = chunkSizeFor(bytes);
  if (size == 0 || bytes < 8) return 0;
  deathPoint();
  backingLock();
  const chunk = allocChunkLocked(size);
  const payload: usize = chunk == 0 ? 0 : chunk + CHUNK_HEADER;
  if (payload != 0) {
    loggedStore(payload, 0);
    loggedStore(payload + 4, 0);
    memory.fill(payload + 8, 0, bytes - 8);
  }
  loggedStore(into, <u32>payload);
  endSection();
  return payload;
}

/** Releases the payload in the caller's word `from` (which becomes 0). */
export function backingFree(from: usize): void {
  deathPoint();
  backingLock();
  const payload = <usize>load<u32>(from);
  if (payload != 0) freeChunkLocked(payload - CHUNK_HEADER);
  loggedStore(from, 0);
  endSection();
}

/** Why the last backingRefill on this thread stopped short of what it wanted. */
export let refillStoppedByLimit: bool = false;
/** Whether the last backingRefill found the pool destroyed (no longer the token's live incarnation). */
export let refillFoundStale: bool = false;

/**
 * Moves up to `wanted` new objects of the live pool `token` names (chunks
 * of `bytes` of payload) onto the front of the chain held at `holder` (a
 * cache entry of this thread), marked free, counted in `allocated` and in
 * `used` (objects in a cache count as used), and their bytes in
 * `bytesWord`. Stops at the pool's limit or when memory runs out. Returns
 * how many it moved; 0 with refillFoundStale when the pool was destroyed
 * since the caller resolved it (checked under the lock, which every
 * change of a slot's incarnation also holds: registry.ts).
 */
export function backingRefill(token: u64, holder: usize, bytesWord: usize, bytes: u32, wanted: u32): u32 {
  refillStoppedByLimit = false;
  refillFoundStale = false;
  const size = chunkSizeFor(bytes);
  if (size == 0) return 0;
  const pool = poolAt(tokenIndex(token));
  deathPoint();
  backingLock();
  if (resolvePool(token) == 0) {
    refillFoundStale = true;
    endSection();
    return 0;
  }
  const limit = load<u32>(pool + P_LIMIT);
  let moved: u32 = 0;
  while (moved < wanted && undoRoomForStep()) {
    deathPoint();
    const allocated = load<u32>(pool + P_ALLOCATED);
    if (limit != 0 && allocated >= limit) {
      refillStoppedByLimit = true;
      break;
    }
    const chunk = allocChunkLocked(size);
    if (chunk == 0) break;
    const payload = chunk + CHUNK_HEADER;
    loggedStore(chunk + C_SIZE, load<u32>(chunk + C_SIZE) | CHUNK_ON_FREE_LIST);
    loggedStore(payload, load<u32>(holder));
    loggedStore(holder, <u32>payload);
    loggedStore(holder + 4, load<u32>(holder + 4) + 1);
    loggedStore(bytesWord, load<u32>(bytesWord) + bytes);
    loggedStore(pool + P_ALLOCATED, allocated + 1);
    moved++;
  }
  // Straight-line from here to the commit: `used` is shared, so it cannot be logged.
  atomic.add<u32>(pool + P_USED, moved);
  endSection();
  return moved;
}

/** Gives one object back to the bins (or, with `quarantine`, to the debug quarantine). Backing lock held. */
function releaseObjectLocked(object: usize, pool: usize, quarantine: bool): void {
  if (pool != 0) loggedStore(pool + P_ALLOCATED, load<u32>(pool + P_ALLOCATED) - 1);
  const chunk = object - CHUNK_HEADER;
  if (!quarantine) freeChunkLocked(chunk);
  else {
    // Debug uaf: released objects wait in the quarantine, as if unmapped.
    const pushedOut = quarantineLocked(chunk);
    if (pushedOut != 0) freeChunkLocked(pushedOut);
  }
}

/**
 * A retired pool whose last object just came back is done: its slot is
 * free for a new pool (registry.ts). Nothing can still reach the old
 * incarnation: every thread that works on it holds some of its objects.
 */
function freeSlotIfDoneLocked(pool: usize): void {
  if (pool != 0 && load<u32>(pool + P_ALLOCATED) == 0 && atomic.load<u32>(pool + P_STATE) == POOL_RETIRED) {
    loggedStore(pool + P_STATE, POOL_FREE);
  }
}

/**
 * Gives back to the bins up to `wanted` objects from the front of the chain
 * held at `holder` (a cache entry, any thread's, or a transit), taking
 * their bytes off `bytesWord` (0: none). `token` names the pool incarnation
 * they belong to: while it is live or retired its `allocated` drops (and
 * `used` too when `inCache`); once its slot is free or reused, no counter
 * changes. With `quarantine`, the chunks wait in the debug quarantine.
 * Returns how many it gave back (fewer when the log fills up: call again).
 */
export function backingRelease(holder: usize, bytesWord: usize, bytes: u32, token: u64, inCache: bool, quarantine: bool, wanted: u32): u32 {
  deathPoint();
  backingLock();
  const pool = resolveIncarnation(token);
  let released: u32 = 0;
  while (released < wanted && load<u32>(holder + 4) != 0 && undoRoomForStep()) {
    deathPoint();
    const object = <usize>load<u32>(holder);
    if (!isFreeChunk(object)) {
      // A broken chain (chunks.ts): the holder forgets the rest, which stays counted as lost; the pool is marked corrupt.
      if (bytesWord != 0) loggedStore(bytesWord, load<u32>(bytesWord) - load<u32>(holder + 4) * bytes);
      loggedStore(holder, 0);
      loggedStore(holder + 4, 0);
      if (pool != 0) markCorrupt(pool);
      break;
    }
    loggedStore(holder, load<u32>(object));
    loggedStore(holder + 4, load<u32>(holder + 4) - 1);
    if (bytesWord != 0) loggedStore(bytesWord, load<u32>(bytesWord) - bytes);
    releaseObjectLocked(object, pool, quarantine);
    released++;
  }
  freeSlotIfDoneLocked(pool);
  // Straight-line from here to the commit.
  if (pool != 0 && inCache) atomic.sub<u32>(pool + P_USED, released);
  endSection();
  if (pool != 0 && released != 0) wakeObjectWaiters(pool);
  return released;
}

/**
 * Gives back to the bins up to `wanted` objects of the list a retired pool
 * froze (freelist.ts: no push or pop can change it any more). Returns how
 * many (0 once it is empty).
 */
export function backingReleaseFrozen(pool: usize, quarantine: bool, wanted: u32): u32 {
  deathPoint();
  backingLock();
  let released: u32 = 0;
  // A list found corrupt is forgotten whole: a broken link can point at a
  // free object of another pool of the same size, which would look free here.
  if (isCorrupt(pool) && load<u32>(pool + P_HEAD) != 0) loggedStore(pool + P_HEAD, 0);
  // The list's pointer is the head's low word; the high word (RETIRED and the sequence) stays as it is.
  while (released < wanted && load<u32>(pool + P_HEAD) != 0 && undoRoomForStep()) {
    deathPoint();
    const object = <usize>load<u32>(pool + P_HEAD);
    if (!isFreeChunk(object)) {
      // A broken list (chunks.ts): the rest is forgotten, counted as lost.
      loggedStore(pool + P_HEAD, 0);
      markCorrupt(pool);
      break;
    }
    loggedStore(pool + P_HEAD, load<u32>(object));
    releaseObjectLocked(object, pool, quarantine);
    released++;
  }
  freeSlotIfDoneLocked(pool);
  endSection();
  return released;
}

/**
 * A free of a handed-out object (checked by the caller) of a retired pool,
 * or of a live one marked corrupt (whose lists take nothing more): it goes
 * straight back to the bins, counted out of the pool's `used` and
 * `allocated`. ERR_FREE_UNDERFLOW when the pool has nothing out,
 * ERR_STALE_POOL when the incarnation `token` names is gone.
 */
export function backingFreeObject(token: u64, object: usize): i32 {
  deathPoint();
  backingLock();
  const pool = resolveIncarnation(token);
  let status = OK;
  if (pool == 0) status = ERR_STALE_POOL;
  else if (atomic.load<u32>(pool + P_USED) == 0) status = ERR_FREE_UNDERFLOW;
  else {
    releaseObjectLocked(object, pool, false);
    freeSlotIfDoneLocked(pool);
    // Straight-line from here to the commit.
    atomic.sub<u32>(pool + P_USED, 1);
  }
  endSection();
  return status;
}
