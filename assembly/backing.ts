// The backing allocator's sections: every call here takes its robust mutex,
// logs every store (undo.ts) and commits at the end, so a dead owner's
// half-done section is rolled back (docs/internals.md §9, §5). Chunks for
// callers (cache blocks, rings, large blocks), and objects for pools: a
// refill moves objects from chunks into a cache entry or transit, a
// release moves them back, both keeping the pool's `allocated` and `used`
// exact. The chunks themselves and their bins are bins.ts.

import { allocChunkLocked, chunkSizeFor, freeChunkLocked } from "./bins";
import { isFreeChunk } from "./chunks";
import { wakeObjectWaiters } from "./freelist";
import {
  C_SIZE,
  CHUNK_HEADER,
  CHUNK_ON_FREE_LIST,
  ERR_FREE_UNDERFLOW,
  ERR_STALE_POOL,
  H_BACKING_LOCK,
  OK,
  P_ALLOCATED,
  P_HEAD,
  P_LIMIT,
  P_STATE,
  P_USED,
  POOL_FREE,
  POOL_RETIRED,
} from "./layout";
import { mutexUnlock } from "./lock-words";
import { backingLock } from "./locks";
import { quarantineLocked } from "./quarantine";
import { isCorrupt, markCorrupt, poolAt, resolveIncarnation, resolvePool, tokenIndex } from "./slots";
import { deathPoint } from "./thread";
import { loggedStore, undoCommit, undoRoomForStep } from "./undo";

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

// What backingRefill returns: how many objects it moved (REFILL_MOVED bits),
// and, when it moved none, why in one flag.

/** The count of objects moved. */
export const REFILL_MOVED: u32 = 0xffff;
/** Stopped at the pool's limit. */
export const REFILL_AT_LIMIT: u32 = 1 << 16;
/** The pool was destroyed since the caller resolved it (no longer the token's live incarnation). */
export const REFILL_STALE: u32 = 1 << 17;

/**
 * Moves up to `wanted` new objects of the live pool `token` names (chunks
 * of `bytes` of payload) onto the front of the chain held at `holder` (a
 * cache entry of this thread), marked free, counted in `allocated` and in
 * `used` (objects in a cache count as used), and their bytes in
 * `bytesWord` (`wanted` at most REFILL_MOVED). Stops at the pool's limit
 * (REFILL_AT_LIMIT) or when memory runs out. Returns how many it moved
 * (REFILL_MOVED bits), or REFILL_STALE when the pool was destroyed since
 * the caller resolved it (checked under the lock, which every change of a
 * slot's incarnation also holds: registry.ts).
 */
export function backingRefill(token: u64, holder: usize, bytesWord: usize, bytes: u32, wanted: u32): u32 {
  const size = chunkSizeFor(bytes);
  if (size == 0) return 0;
  const pool = poolAt(tokenIndex(token));
  deathPoint();
  backingLock();
  if (resolvePool(token) == 0) {
    endSection();
    return REFILL_STALE;
  }
  const limit = load<u32>(pool + P_LIMIT);
  let moved: u32 = 0;
  let atLimit: u32 = 0;
  while (moved < wanted && undoRoomForStep()) {
    deathPoint();
    const allocated = load<u32>(pool + P_ALLOCATED);
    if (limit != 0 && allocated >= limit) {
      atLimit = REFILL_AT_LIMIT;
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
  return moved | atLimit;
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
