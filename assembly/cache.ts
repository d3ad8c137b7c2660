// The thread cache's alloc and free (docs/internals.md §6): the hit paths,
// as the JS hit paths (src/cache-hit.ts) run them too, on the entry's front
// and chain, and where they miss, the calls into cache-miss.ts.

import { EXPENSIVE, invariant } from "./asserts";
import { backingFreeObject } from "./backing";
import { addCachedBytes, cacheBlock, cacheOff, entryCurrent, foldFront, markUsed, overBound } from "./cache-block";
import { drainEntry, drainRetiredEntries, evict, FILL_FAILED, FILL_STALE, fillEntry, syncEntry } from "./cache-miss";
import { checkFreeable, isFreeObject, markHandedOut, markOnFreeList } from "./chunks";
import { debugCheckFree, debugChecks, debugHandOut, debugOnFree, poisonDamage, repoison } from "./debug";
import { objectWaiters } from "./freelist";
import { ALLOC_FAILED, ALLOC_STALE_POOL, ASSERT_TAKE_COUNT, ERR_STALE_POOL, OK, P_SIZE, P_STAMP } from "./layout";
import { forgetCorruptChain, popHandOut, pushFromEntry, pushHandedBack } from "./pool";
import { CacheEntry } from "./records";
import { isCorrupt, makeToken, poolAt, resolveIncarnation, resolvePool, tokenIndex } from "./slots";
import { deathPoint } from "./thread";
import { giveUpOnCorruptList, giveUpOnWriteAfterFree } from "./unwind";

// ---- The fast paths --------------------------------------------------------

/** Takes the entry's first object; the entry must hold one. */
@inline function takeCached(entry: CacheEntry, index: u32, object: usize): usize {
  // The link the last take installed is checked before it is followed (chunks.ts).
  if (!isFreeObject(entry.size, object)) corruptEntry(entry, index, object);
  if (debugChecks) checkPoison(entry, index, object);
  if (EXPENSIVE) invariant(entry.count > 0, ASSERT_TAKE_COUNT);
  entry.first = <usize>load<u32>(object);
  entry.count -= 1;
  addCachedBytes(-(<i32>entry.size));
  markHandedOut(object);
  if (debugChecks) debugHandOut(object, entry.size, makeToken(index, entry.generation));
  if (cacheOff()) emptyEntry(entry, index);
  else markUsed(entry);
  return object;
}

/**
 * This thread's entry holds a link that is no free object of its pool (a
 * write after free, or a stray write): the entry forgets its chain, the pool
 * is marked corrupt, and the call gives up (HeapCorruptError).
 */
export function corruptEntry(entry: CacheEntry, index: u32, link: usize): void {
  const pool = resolveIncarnation(makeToken(index, entry.generation));
  forgetCorruptChain(pool, entry, cacheBlock.cachedBytesWord, entry.size);
  giveUpOnCorruptList(index, link);
}

/** Debug poison: an object about to be handed out must still hold the poison past its link word; else the call gives up (UseAfterFreeError). */
function checkPoison(entry: CacheEntry, index: u32, object: usize): void {
  const offset = poisonDamage(object, entry.size);
  if (offset < 0) return;
  // Poisoned again, so that the next alloc hands it out: the write is reported once.
  repoison(object, entry.size);
  giveUpOnWriteAfterFree(index, object, <u32>offset);
}

/** With the cache off: whatever the entry holds (the rest of a refill, a freed object) goes to the shared list now. */
function emptyEntry(entry: CacheEntry, index: u32): void {
  const count = entry.count;
  if (count == 0) return;
  const pool = resolvePool(makeToken(index, entry.generation));
  if (pool != 0 && entry.stamp == atomic.load<u32>(pool + P_STAMP)) {
    pushFromEntry(pool, entry, cacheBlock.cachedBytesWord, entry.size, count);
  } else drainEntry(cacheBlock, entry);
}

/**
 * Puts a checked object on the entry's front, as the JS hit path does
 * (src/cache-hit.ts). A front at its capacity takes it in its spare slot
 * and is then folded onto the chain, the object last (on top), evicting if
 * that outgrew the bound: the object is in the entry before any step that
 * a thread may stop in. On the chain when the entry has no front.
 */
@inline function putObject(entry: CacheEntry, index: u32, object: usize): void {
  const inFront = entry.frontCount;
  const capacity = entry.frontCapacity;
  if (capacity == 0) {
    putCached(entry, index, object);
    return;
  }
  markOnFreeList(object);
  entry.setFront(inFront, object);
  entry.frontCount = inFront + 1;
  if (inFront >= capacity) {
    // Front hits leave the used flag alone (one store less each); a fold counts as the use.
    markUsed(entry);
    foldFront(cacheBlock, entry);
    if (overBound()) evict(index);
  }
}

/** Puts a checked object in the entry's chain, evicting when the cache outgrows its bound. */
@inline function putCached(entry: CacheEntry, index: u32, object: usize): void {
  if (debugChecks) debugOnFree(object, entry.size);
  markOnFreeList(object);
  store<u32>(object, <u32>entry.first);
  entry.first = object;
  entry.count += 1;
  addCachedBytes(<i32>entry.size);
  if (cacheOff()) emptyEntry(entry, index);
  else {
    markUsed(entry);
    if (overBound()) evict(index);
  }
}

/**
 * Returns an object, ALLOC_FAILED (0) when memory or the limit is
 * exhausted (the caller may gc and try once more), or ALLOC_STALE_POOL.
 */
export function cacheAlloc(token: u64): usize {
  const index = tokenIndex(token);
  const entry = cacheBlock.entry(index);
  if (entryCurrent(entry, token, index)) {
    const inFront = entry.frontCount;
    if (inFront != 0) return takeFront(entry, index, inFront);
    const object = entry.first;
    if (object != 0) return takeCached(entry, index, object);
  }
  return allocMiss(token, index, entry);
}

/** Takes the top of the entry's front (the JS hit path's alloc, in the core). */
@inline function takeFront(entry: CacheEntry, index: u32, inFront: u32): usize {
  const object = entry.front(inFront - 1);
  if (!isFreeObject(entry.size, object)) corruptFront(entry, index, object);
  entry.frontCount = inFront - 1;
  markHandedOut(object);
  return object;
}

/** The front held a pointer that is no free object of its pool (a stray write into the entry): the fold leaves it out and marks the pool corrupt, and the call gives up. */
function corruptFront(entry: CacheEntry, index: u32, object: usize): void {
  foldFront(cacheBlock, entry);
  giveUpOnCorruptList(index, object);
}

function allocMiss(token: u64, index: u32, entry: CacheEntry): usize {
  drainRetiredEntries();
  const pool = resolvePool(token);
  if (pool == 0) return ALLOC_STALE_POOL;
  if (isCorrupt(pool)) giveUpOnCorruptList(index, 0);
  syncEntry(entry, index, token, pool);
  if (cacheOff() && !debugChecks) {
    // The shared list alone, object by object; a refill goes through the entry.
    // (Debug checks go through the entry, where takeCached checks the poison.)
    const object = popHandOut(pool, token);
    if (object != 0) return object;
  }
  if (entry.first == 0) {
    const filled = fillEntry(entry, pool, token);
    if (filled == FILL_STALE) return ALLOC_STALE_POOL;
    if (filled == FILL_FAILED) return ALLOC_FAILED;
  }
  const object = takeCached(entry, index, entry.first);
  // A refill may take the cache past its bound: give back clusters of the others (this entry's last).
  if (overBound()) evict(index);
  return object;
}

export function cacheFree(token: u64, object: usize): i32 {
  const index = tokenIndex(token);
  const entry = cacheBlock.entry(index);
  if (entryCurrent(entry, token, index)) {
    const size = entry.size;
    let verdict = checkFreeable(size, object);
    if (verdict == OK && debugChecks) verdict = debugCheckFree(object, size, token);
    if (verdict != OK) return verdict;
    if (cacheOff()) return freeShared(poolAt(index), object, size);
    putObject(entry, index, object);
    return OK;
  }
  return freeMiss(token, index, entry, object);
}

/** With the cache off: the object goes straight back to the shared list. */
function freeShared(pool: usize, object: usize, size: u32): i32 {
  deathPoint();
  return pushHandedBack(pool, object, size);
}

function freeMiss(token: u64, index: u32, entry: CacheEntry, object: usize): i32 {
  drainRetiredEntries();
  const pool = resolvePool(token);
  // A retired pool, or one marked corrupt, takes frees straight to the backing allocator (no list or cache of it serves again).
  if (pool == 0 || isCorrupt(pool)) return freeDirect(token, object);
  const size = load<u32>(pool + P_SIZE);
  let verdict = checkFreeable(size, object);
  if (verdict == OK && debugChecks) verdict = debugCheckFree(object, size, token);
  if (verdict != OK) return verdict;
  syncEntry(entry, index, token, pool);
  if (cacheOff()) return freeShared(pool, object, size);
  if (objectWaiters(pool) != 0) {
    // Someone waits for an object of this pool (backpressure): this one goes
    // to the shared list, and so do the next, for the entry is left stale
    // (no stamp is 0) and every free misses to here while anyone waits.
    entry.stamp = 0;
    return freeShared(pool, object, size);
  }
  putObject(entry, index, object);
  return OK;
}

/**
 * A free through the handle of a destroyed pool, or of one marked corrupt:
 * while the incarnation lasts (a retired pool waits for its objects still
 * out), a handed-out object of it goes back to the backing allocator; once
 * its slot is free or reused, ERR_STALE_POOL.
 */
function freeDirect(token: u64, object: usize): i32 {
  const pool = resolveIncarnation(token);
  if (pool == 0) return ERR_STALE_POOL;
  const size = load<u32>(pool + P_SIZE);
  let verdict = checkFreeable(size, object);
  if (verdict == OK && debugChecks) verdict = debugCheckFree(object, size, token);
  if (verdict != OK) return verdict;
  return backingFreeObject(token, object);
}
