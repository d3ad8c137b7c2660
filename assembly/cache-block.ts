// This thread's cache block (HAProxy 2.2+ per-thread caches, docs/internals.md
// §6): the block itself, its byte count and bound, its list of current
// entries (second chance), and each entry's front (the top of its stack,
// kept as pointers in the entry) with the fold that moves a front onto the
// chain. An entry's chain always ends in a 0 link, and its count is 0
// exactly when its first object is 0: the JS hit path relies on both.

import { EXPENSIVE, invariant } from "./asserts";
import { isFreeObject } from "./chunks";
import { debugChecks } from "./debug";
import {
  ASSERT_CACHED_BYTES,
  ASSERT_LIST_CONSISTENT,
  ASSERT_LIST_LINK,
  CACHE_SCRATCH,
  ENTRY_LINKED,
  ENTRY_USED,
  FRONT_BYTES,
  FRONT_SLOTS,
  MAX_POOLS,
  P_STAMP,
} from "./layout";
import { CacheBlock, CacheEntry } from "./records";
import { makeToken, markCorrupt, poolAt, resolveIncarnation, tokenGeneration } from "./slots";
import { deathPoint } from "./thread";

/** This thread's cache block (a module global is per thread; 0 until attached); its header holds the rest of the cache's state. */
export let cacheBlock: CacheBlock = changetype<CacheBlock>(0);

@inline export function addCachedBytes(delta: i32): void {
  if (EXPENSIVE) invariant(delta >= 0 || cacheBlock.cachedBytes >= <u32>-delta, ASSERT_CACHED_BYTES);
  cacheBlock.cachedBytes += <u32>delta;
}

@inline export function overBound(): bool {
  return cacheBlock.cachedBytes > cacheBlock.limitBytes;
}

/** Whether this thread's cache is off (cacheBytes 0): objects only pass through an entry within one call. */
@inline export function cacheOff(): bool {
  return cacheBlock.limitBytes == 0;
}

/** An entry index read from a list link, checked: -1 (none) or a pool slot index. */
@inline export function listIndex(link: i32): i32 {
  invariant(link >= -1 && link < <i32>MAX_POOLS, ASSERT_LIST_LINK);
  return link;
}

/** Entries on this thread's list. */
export function listLength(): u32 {
  let length: u32 = 0;
  for (let index = listIndex(cacheBlock.listHead); index >= 0 && length < MAX_POOLS; length++) {
    index = listIndex(cacheBlock.entry(<u32>index).listNext);
  }
  return length;
}

/**
 * Debug build: walks the list both ways. Every entry on it is marked
 * linked, each link's way back names the entry it came from, and the walk
 * ends at the tail.
 */
function listConsistent(): bool {
  let prev: i32 = -1;
  let length: u32 = 0;
  for (let index = listIndex(cacheBlock.listHead); index >= 0; index = listIndex(cacheBlock.entry(<u32>index).listNext)) {
    const entry = cacheBlock.entry(<u32>index);
    if (!entry.linked || entry.listPrev != prev || ++length > MAX_POOLS) return false;
    prev = index;
  }
  return cacheBlock.listTail == prev;
}

/** A hit used the entry (current, so on the list): it gets a second chance before eviction takes from it. */
@inline export function markUsed(entry: CacheEntry): void {
  entry.flags = ENTRY_LINKED | ENTRY_USED;
}

export function cacheInit(block: usize, limitBytes: u32): void {
  memory.fill(block, 0, CACHE_SCRATCH);
  const cache = changetype<CacheBlock>(block);
  for (let index: u32 = 0; index < MAX_POOLS; index++) {
    const entry = cache.entry(index);
    entry.listPrev = -1;
    entry.listNext = -1;
  }
  cache.limitBytes = limitBytes;
  cache.listHead = -1;
  cache.listTail = -1;
  cacheBlock = cache;
}

/** Forgets this thread's cache (close): it must be drained already. */
export function cacheForget(): void {
  cacheBlock = changetype<CacheBlock>(0);
}

export function cacheScratch(): usize {
  return cacheBlock.scratch;
}

// ---- The list of this thread's current entries ----------------------------

export function listUnlink(index: u32): void {
  const entry = cacheBlock.entry(index);
  const prev = listIndex(entry.listPrev);
  const next = listIndex(entry.listNext);
  if (prev >= 0) cacheBlock.entry(<u32>prev).listNext = next;
  else cacheBlock.listHead = next;
  if (next >= 0) cacheBlock.entry(<u32>next).listPrev = prev;
  else cacheBlock.listTail = prev;
  entry.flags = 0;
  if (EXPENSIVE) invariant(listConsistent(), ASSERT_LIST_CONSISTENT);
}

/** Puts the entry at the list's head (taking it off first if it is on it), not marked used. */
export function listPushHead(index: u32): void {
  const entry = cacheBlock.entry(index);
  if (entry.linked) listUnlink(index);
  const head = listIndex(cacheBlock.listHead);
  entry.listPrev = -1;
  entry.listNext = head;
  if (head >= 0) cacheBlock.entry(<u32>head).listPrev = <i32>index;
  else cacheBlock.listTail = <i32>index;
  cacheBlock.listHead = <i32>index;
  entry.flags = ENTRY_LINKED;
  if (EXPENSIVE) invariant(listConsistent(), ASSERT_LIST_CONSISTENT);
}

// ---- The front ---------------------------------------------------------------

/**
 * How many objects of `size` bytes an entry's front may hold: none while
 * the cache is off, and only what the bound leaves room for (the block's
 * cached bytes reserve the whole capacity).
 */
@inline function frontCapacityFor(size: u32): u32 {
  // Debug checks poison and tag objects on the chain's paths (takeCached, putCached): no front then.
  if (debugChecks) return 0;
  const room = cacheBlock.limitBytes > cacheBlock.cachedBytes ? cacheBlock.limitBytes - cacheBlock.cachedBytes : 0;
  // One slot stays spare: a free into a full front lands there before the fold (putObject).
  return min(min(FRONT_SLOTS - 1, FRONT_BYTES / size), room / size);
}

/** Gives the front a capacity for its pool's size, reserving its bytes in the block's count. */
export function openFront(entry: CacheEntry): void {
  const capacity = frontCapacityFor(entry.size);
  entry.frontCapacity = capacity;
  cacheBlock.cachedBytes += capacity * entry.size;
}

/** Takes the front's reservation back (its objects must be folded already). */
export function closeFront(entry: CacheEntry): void {
  const capacity = min(entry.frontCapacity, FRONT_SLOTS);
  entry.frontCapacity = 0;
  cacheBlock.cachedBytes -= capacity * entry.size;
}

/**
 * Moves the objects of an entry's front (pushed by the JS hit paths) onto
 * its chain, bottom first, so that the stack keeps its order and every
 * other path sees one chain. A thread that stops in a fold leaves the rest
 * to whoever reclaims it: `frontFolded` says how far it got, and an object
 * already at the chain's head is not pushed twice (the reclaim's recount,
 * thread-slots.ts, puts the count right). An object that is no free object
 * of the pool (a stray write into the front) is left out and the pool
 * marked corrupt.
 */
export function foldFront(block: CacheBlock, entry: CacheEntry): void {
  const count = min(entry.frontCount, FRONT_SLOTS);
  const size = entry.size;
  for (let slot = entry.frontFolded; slot < count; slot++) {
    deathPoint();
    const object = entry.front(slot);
    if (object != entry.first) {
      if (isFreeObject(size, object)) {
        store<u32>(object, <u32>entry.first);
        entry.first = object;
        entry.count += 1;
        block.cachedBytes += size;
      } else {
        const pool = resolveIncarnation(makeToken(block.indexOf(entry), entry.generation));
        if (pool != 0) markCorrupt(pool);
      }
    }
    entry.frontFolded = slot + 1;
  }
  // In this order: a fold stopped between the two stores leaves a count of 0, which no one folds again.
  entry.frontCount = 0;
  entry.frontFolded = 0;
}

/** Whether the entry holds objects of this token's pool, filled under its current stamp. */
@inline export function entryCurrent(entry: CacheEntry, token: u64, index: u32): bool {
  return entry.generation == tokenGeneration(token) && entry.stamp == atomic.load<u32>(poolAt(index) + P_STAMP);
}
