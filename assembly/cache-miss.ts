// What a thread cache does beyond a hit (docs/internals.md §6): bringing an
// entry to its pool's current incarnation and stamp, filling it from the
// shared list or the backing allocator, evicting clusters when the cache
// outgrows its bound (second chance), giving cached objects back (drains),
// and counting what other threads' caches hold.

import { EXPENSIVE, invariant } from "./asserts";
import { backingRefill, backingRelease, REFILL_AT_LIMIT, REFILL_MOVED, REFILL_STALE } from "./backing";
import { chunkSizeFor } from "./bins";
import {
  cacheBlock,
  cacheOff,
  closeFront,
  foldFront,
  listIndex,
  listLength,
  listPushHead,
  listUnlink,
  openFront,
  overBound,
} from "./cache-block";
import { chainCount } from "./chunks";
import { debugChecks, poisonChain, tagBytes } from "./debug";
import { injectFailure, refusedByLimit, refusedByMemory } from "./faults";
import { objectWaiters } from "./freelist";
import {
  ASSERT_REFILL_CHAIN,
  H_RETIRED_COUNT,
  MAX_POOLS,
  MAX_THREADS,
  P_ALLOCATED,
  P_MIN_AVAIL,
  P_SIZE,
  P_STAMP,
  P_USED,
  T_CACHE,
  T_STATE,
  THREAD_LIVE,
} from "./layout";
import { beat } from "./lock-words";
import { popIntoEntry, pushFromEntry } from "./pool";
import { CacheBlock, CacheEntry } from "./records";
import { makeToken, resolvePool, threadSlotAt, tokenGeneration, tokenIndex } from "./slots";
import { deathPoint } from "./thread";

// Objects moved per refill or eviction: about CLUSTER_BYTES of chunks,
// between HAProxy's 8 and 64. Bigger clusters pay the flush lock and the CAS
// less often: a producer/consumer pair of workers moving 64-byte objects
// measured 41 ns per object with clusters of 8, 30 ns with 32 and 25 ns
// with 56 (4 KiB).
const CLUSTER_BYTES: u32 = 4096;
const CLUSTER_MIN: u32 = 8;
const CLUSTER_MAX: u32 = 64;
/** A refill from the backing allocator asks for about this many bytes of objects at once. */
const REFILL_BYTES: u32 = 2048;
const REFILL_MAX_OBJECTS: u32 = 16;

@inline function clusterFor(size: u32): u32 {
  return min(CLUSTER_MAX, max(CLUSTER_MIN, CLUSTER_BYTES / chunkSizeFor(size)));
}

@inline function refillFor(size: u32): u32 {
  return min(REFILL_MAX_OBJECTS, max<u32>(1, REFILL_BYTES / chunkSizeFor(size)));
}

/** Drains one of this thread's entries that is stale for good (its pool gone, or about to be synchronised again) and takes its front's reservation back. */
function retireEntry(entry: CacheEntry): void {
  drainEntry(cacheBlock, entry);
  closeFront(entry);
}

// ---- Giving cached objects back --------------------------------------------

/**
 * Empties an entry of `block` (this thread's, or a dead thread's being
 * reclaimed), giving its objects back (docs/internals.md §6: to the backing
 * allocator for a destroyed pool, else to the shared list up to minAvail).
 * The entry keeps the objects not yet given back at every step, so a thread
 * that stops in the middle leaves the rest to whoever reclaims it.
 */
export function drainEntry(block: CacheBlock, entry: CacheEntry): void {
  foldFront(block, entry);
  const bytesWord = block.cachedBytesWord;
  const size = entry.size;
  const token = makeToken(block.indexOf(entry), entry.generation);
  const pool = resolvePool(token);
  let keep = entry.count;
  if (keep == 0) return;
  if (pool != 0 && entry.stamp != atomic.load<u32>(pool + P_STAMP)) {
    const onList = <i64>load<u32>(pool + P_ALLOCATED) - <i64>atomic.load<u32>(pool + P_USED);
    keep = <u32>min<i64>(max<i64>(<i64>load<u32>(pool + P_MIN_AVAIL) - onList, 0), <i64>keep);
  }
  if (pool == 0) keep = 0;
  // Which incarnation the objects count in is checked under the backing lock (backing.ts).
  while (entry.count > keep) {
    deathPoint();
    backingRelease(entry.address, bytesWord, size, token, true, false, entry.count - keep);
    // Each step unlocks and locks again with the same word: waiters see progress here (locks.ts).
    beat();
  }
  // A pool destroyed since it was resolved refuses the push; the objects then go to the backing allocator.
  if (keep > 0) pushFromEntry(pool, entry, bytesWord, size, keep);
}

/** How many pools had been destroyed when this thread last drained its entries of destroyed pools. */
let retiredSeen: u32 = 0;

/**
 * Once another pool was destroyed, gives back what this thread's cache
 * holds of destroyed pools, so that their slots can be reused (a slot waits
 * for every object of its old pool). Called on misses: a thread that keeps
 * hitting its cache holds on to them until its next miss, gc or close.
 */
export function drainRetiredEntries(): void {
  const retired = atomic.load<u32>(H_RETIRED_COUNT);
  if (retired == retiredSeen) return;
  retiredSeen = retired;
  for (let index: u32 = 0; index < MAX_POOLS; index++) {
    deathPoint();
    const entry = cacheBlock.entry(index);
    if ((entry.cached != 0 || entry.frontCapacity != 0) && resolvePool(makeToken(index, entry.generation)) == 0) retireEntry(entry);
  }
}

/** Drains every entry of a block (this thread's, or a gone thread's). */
export function drainBlock(block: CacheBlock): void {
  for (let index: u32 = 0; index < MAX_POOLS; index++) {
    deathPoint();
    drainEntry(block, block.entry(index));
  }
}

/** Drains this thread's whole cache (gc, close). */
export function drainOwnCache(): void {
  if (changetype<usize>(cacheBlock) != 0) drainBlock(cacheBlock);
}

/** Drains this thread's entry of one pool (flush, destroy). */
/**
 * Gives back this thread's cached objects of every pool someone waits for
 * (src/pool-waits.ts): the wrapper calls it before this thread sleeps in
 * one of the package's waits, so that a thread idle there holds back no
 * object another needs.
 */
export function giveBackWaitedFor(): void {
  if (changetype<usize>(cacheBlock) == 0) return;
  for (let index: u32 = 0; index < MAX_POOLS; index++) {
    const entry = cacheBlock.entry(index);
    if (entry.count == 0 && entry.frontCount == 0) continue;
    const pool = resolvePool(makeToken(index, entry.generation));
    if (pool == 0 || objectWaiters(pool) == 0) continue;
    deathPoint();
    drainEntry(cacheBlock, entry);
  }
}

export function drainOwnEntry(token: u64): void {
  const entry = cacheBlock.entry(tokenIndex(token));
  if (entry.generation == tokenGeneration(token)) drainEntry(cacheBlock, entry);
}

/**
 * Brings an entry to the pool's current incarnation and stamp, giving back
 * what it held under older ones. A current entry is on the list (evict).
 */
export function syncEntry(entry: CacheEntry, index: u32, token: u64, pool: usize): void {
  const stamp = atomic.load<u32>(pool + P_STAMP);
  if (entry.generation == tokenGeneration(token) && entry.stamp == stamp) return;
  retireEntry(entry);
  entry.generation = tokenGeneration(token);
  entry.stamp = stamp;
  entry.size = load<u32>(pool + P_SIZE);
  openFront(entry);
  if (!entry.linked) listPushHead(index);
}

/**
 * Gives clusters back to the shared lists until the cache fits its bound,
 * by second chance over the list of current entries: the tail entry, if a
 * hit used it since eviction last looked (or if it is empty, or is the entry
 * `inHand` that the calling operation uses), loses the mark and goes to the
 * head; else it gives back a cluster (all it holds, when that is less; it
 * stays on the list). Stale entries are drained and leave.
 */
export function evict(inHand: u32): void {
  // Each pass over the list clears every mark: after two, marks no longer save an entry,
  // and one pass more meets every entry that holds objects.
  const length = listLength();
  const patience: u32 = 2 * length;
  let looked: u32 = 0;
  while (overBound() && listIndex(cacheBlock.listTail) >= 0) {
    deathPoint();
    const index = <u32>cacheBlock.listTail;
    const entry = cacheBlock.entry(index);
    if (entry.frontCount != 0) foldFront(cacheBlock, entry);
    const count = entry.count;
    const pool = resolvePool(makeToken(index, entry.generation));
    if (pool == 0 || entry.stamp != atomic.load<u32>(pool + P_STAMP)) {
      retireEntry(entry);
      listUnlink(index);
    } else if (count == 0 || ((index == inHand || entry.used) && looked < patience)) {
      // Past the patience and one more pass, only empty entries are left: nothing to give back.
      if (looked++ >= patience + length) return;
      listPushHead(index);
    } else {
      const size = entry.size;
      pushFromEntry(pool, entry, cacheBlock.cachedBytesWord, size, min(count, clusterFor(size)));
    }
  }
}

// ---- Filling an entry ------------------------------------------------------

const FILLED: u32 = 0;
export const FILL_FAILED: u32 = 1;
export const FILL_STALE: u32 = 2;

/**
 * Fills an empty, synchronised entry from the shared list, else from the
 * backing allocator. FILL_FAILED if both are empty, FILL_STALE if the pool
 * was destroyed since the caller resolved it.
 */
export function fillEntry(entry: CacheEntry, pool: usize, token: u64): u32 {
  const size = entry.size;
  const bytesWord = cacheBlock.cachedBytesWord;
  if ((!cacheOff() || debugChecks) && popIntoEntry(pool, token, entry, bytesWord, size, clusterFor(size)) != 0) return FILLED;
  if (injectFailure()) return FILL_FAILED;
  const refill = backingRefill(token, entry.address, bytesWord, size + tagBytes(), refillFor(size));
  const moved = refill & REFILL_MOVED;
  if (moved != 0) {
    if (EXPENSIVE) invariant(chainCount(entry.first, size, moved + 1) == moved, ASSERT_REFILL_CHAIN);
    // New objects hold the poison too, so that alloc can check every object it hands out.
    if (debugChecks) poisonChain(entry.first, moved, size);
    return FILLED;
  }
  if (refill & REFILL_STALE) return FILL_STALE;
  if (refill & REFILL_AT_LIMIT) refusedByLimit();
  else refusedByMemory();
  return FILL_FAILED;
}

// ---- Reading other threads' caches ----------------------------------------

/** Objects of this pool incarnation in the caches of every live thread (exact once threads are quiet). */
export function cachedCount(token: u64): u32 {
  const index = tokenIndex(token);
  let total: u32 = 0;
  for (let slot: u32 = 0; slot < MAX_THREADS; slot++) {
    const thread = threadSlotAt(slot);
    if (atomic.load<u32>(thread + T_STATE) != THREAD_LIVE) continue;
    const entry = changetype<CacheBlock>(load<u32>(thread + T_CACHE)).entry(index);
    if (entry.generation == tokenGeneration(token)) total += entry.cached;
  }
  return total;
}
