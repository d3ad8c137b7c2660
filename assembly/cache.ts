// Per-thread caches (HAProxy 2.2+): alloc and free hit the calling thread's
// entry with plain loads and stores; refills and evictions move clusters
// with one CAS; stamps retire stale entries; eviction is second chance
// (docs/internals.md §6). An entry's chain always ends in a 0 link, and its
// count is 0 exactly when its first object is 0: the JS hit path relies on both.

import { EXPENSIVE, invariant } from "./asserts";
import { backingFreeObject, backingRefill, backingRelease, chunkSizeFor, refillFoundStale, refillStoppedByLimit } from "./backing";
import { chainCount, checkFreeable, isFreeObject, markHandedOut, markOnFreeList } from "./chunks";
import { debugCheckFree, debugChecks, debugHandOut, debugOnFree, poisonChain, poisonDamage, repoison, tagBytes } from "./debug";
import { injectFailure, refusedByLimit, refusedByMemory } from "./faults";
import {
  ALLOC_FAILED,
  ALLOC_STALE_POOL,
  ASSERT_CACHED_BYTES,
  ASSERT_LIST_CONSISTENT,
  ASSERT_LIST_LINK,
  ASSERT_REFILL_CHAIN,
  ASSERT_TAKE_COUNT,
  CACHE_SCRATCH,
  ENTRY_LINKED,
  ENTRY_USED,
  ERR_STALE_POOL,
  FRONT_BYTES,
  FRONT_SLOTS,
  H_RETIRED_COUNT,
  MAX_POOLS,
  MAX_THREADS,
  OK,
  P_ALLOCATED,
  P_MIN_AVAIL,
  P_SIZE,
  P_STAMP,
  P_USED,
  T_CACHE,
  T_STATE,
  THREAD_LIVE,
} from "./layout";
import { beat, giveUpOnCorruptList, giveUpOnWriteAfterFree } from "./locks";
import { forgetCorruptChain, popHandOut, popIntoEntry, pushFromEntry, pushHandedBack } from "./pool";
import { CacheBlock, CacheEntry } from "./records";
import {
  isCorrupt,
  makeToken,
  markCorrupt,
  poolAt,
  resolveIncarnation,
  resolvePool,
  threadSlotAt,
  tokenGeneration,
  tokenIndex,
} from "./slots";
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
@inline function listIndex(link: i32): i32 {
  invariant(link >= -1 && link < <i32>MAX_POOLS, ASSERT_LIST_LINK);
  return link;
}

/** Entries on this thread's list. */
function listLength(): u32 {
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

function listUnlink(index: u32): void {
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
function listPushHead(index: u32): void {
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
function openFront(entry: CacheEntry): void {
  const capacity = frontCapacityFor(entry.size);
  entry.frontCapacity = capacity;
  cacheBlock.cachedBytes += capacity * entry.size;
}

/** Takes the front's reservation back (its objects must be folded already). */
function closeFront(entry: CacheEntry): void {
  const capacity = min(entry.frontCapacity, FRONT_SLOTS);
  entry.frontCapacity = 0;
  cacheBlock.cachedBytes -= capacity * entry.size;
}

/** Drains one of this thread's entries that is stale for good (its pool gone, or about to be synchronised again) and takes its front's reservation back. */
function retireEntry(entry: CacheEntry): void {
  drainEntry(cacheBlock, entry);
  closeFront(entry);
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
function drainRetiredEntries(): void {
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
export function drainOwnEntry(token: u64): void {
  const entry = cacheBlock.entry(tokenIndex(token));
  if (entry.generation == tokenGeneration(token)) drainEntry(cacheBlock, entry);
}

/**
 * Brings an entry to the pool's current incarnation and stamp, giving back
 * what it held under older ones. A current entry is on the list (evict).
 */
function syncEntry(entry: CacheEntry, index: u32, token: u64, pool: usize): void {
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
  // Each pass over the list clears every mark: after two, marks no longer save an entry.
  const patience: u32 = 2 * listLength();
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
      if (looked++ >= patience) return; // only empty entries left: nothing to give back
      listPushHead(index);
    } else {
      const size = entry.size;
      pushFromEntry(pool, entry, cacheBlock.cachedBytesWord, size, min(count, clusterFor(size)));
    }
  }
}

// ---- Filling an entry ------------------------------------------------------

const FILLED: u32 = 0;
const FILL_FAILED: u32 = 1;
const FILL_STALE: u32 = 2;

/**
 * Fills an empty, synchronised entry from the shared list, else from the
 * backing allocator. FILL_FAILED if both are empty, FILL_STALE if the pool
 * was destroyed since the caller resolved it.
 */
function fillEntry(entry: CacheEntry, pool: usize, token: u64): u32 {
  const size = entry.size;
  const bytesWord = cacheBlock.cachedBytesWord;
  if ((!cacheOff() || debugChecks) && popIntoEntry(pool, token, entry, bytesWord, size, clusterFor(size)) != 0) return FILLED;
  if (injectFailure()) return FILL_FAILED;
  const moved = backingRefill(token, entry.address, bytesWord, size + tagBytes(), refillFor(size));
  if (moved != 0) {
    if (EXPENSIVE) invariant(chainCount(entry.first, size, moved + 1) == moved, ASSERT_REFILL_CHAIN);
    // New objects hold the poison too, so that alloc can check every object it hands out.
    if (debugChecks) poisonChain(entry.first, moved, size);
    return FILLED;
  }
  if (refillFoundStale) return FILL_STALE;
  if (refillStoppedByLimit) refusedByLimit();
  else refusedByMemory();
  return FILL_FAILED;
}

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

/** Whether the entry holds objects of this token's pool, filled under its current stamp. */
@inline export function entryCurrent(entry: CacheEntry, token: u64, index: u32): bool {
  return entry.generation == tokenGeneration(token) && entry.stamp == atomic.load<u32>(poolAt(index) + P_STAMP);
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
  return takeCached(entry, index, entry.first);
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
