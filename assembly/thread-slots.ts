// Thread slots: attach, close, and the reclaim of a thread that is gone
// without closing (its locks taken over, its half-done work repaired, its
// transit and cache given back, its slot freed: docs/internals.md §5).

import { backingAllocZeroed, backingFree, backingRelease } from "./backing";
import { cacheForget, cacheInit, foldFront } from "./cache-block";
import { drainBlock, drainOwnCache } from "./cache-miss";
import { isFreeObject } from "./chunks";
import {
  CACHE_BLOCK_BYTES,
  CH_LOCK,
  E_COUNT,
  ERR_NO_MEMORY,
  ERR_TOO_MANY_THREADS,
  ERR_UNKNOWN_THREAD,
  H_BACKING_LOCK,
  H_NEXT_THREAD_ID,
  H_REGISTRY_LOCK,
  H_TEST_SWITCHES,
  MAX_CHANNELS,
  MAX_POOLS,
  MAX_THREADS,
  P_ALLOCATED,
  P_FLUSH_LOCK,
  PAGE_BYTES,
  T_ANCESTOR_COUNT,
  T_ANCESTORS,
  T_CACHE,
  T_DEATH_POINTS,
  T_DIE_AT,
  T_HEARTBEAT,
  T_ID,
  T_LIFE_LOCK,
  T_NODE_ID,
  T_READ_HOLD,
  T_RECLAIMING,
  T_STATE,
  T_TRANSIT,
  TEST_NO_CHANNEL_RELEASE,
  THREAD_BUSY,
  THREAD_DEAD,
  THREAD_FREE,
  THREAD_LIVE,
  THREAD_RECLAIMING,
} from "./layout";
import { beat, mutexUnlock, takeOverFrom, writeUnlock } from "./lock-words";
import { backingLock } from "./locks";
import { settleTransit } from "./pool";
import { CacheBlock } from "./records";
import { channelAt, makeToken, markCorrupt, ownerValueOf, poolAt, resolveIncarnation, threadSlotAt } from "./slots";
import { deathPoint, recountEnabled, setOwnerTag, setReclaimingNow, setThreadSlot, threadSlot, transitRecoveryEnabled } from "./thread";
import { pushTransit, transitCount, transitToken } from "./transit";

/** Claims a slot and a cache block for the calling thread; returns its id (>= 1) or an error. */
export function threadAttach(cacheLimitBytes: u32, nodeId: u32, parent: u32, grandparent: u32, lifeLock: u32): i32 {
  let slot: usize = 0;
  for (let index: u32 = 0; index < MAX_THREADS && slot == 0; index++) {
    if (atomic.cmpxchg<u32>(threadSlotAt(index) + T_STATE, THREAD_FREE, THREAD_BUSY) == THREAD_FREE) slot = threadSlotAt(index);
  }
  if (slot == 0) return ERR_TOO_MANY_THREADS;
  // The Node ids and the life lock first: a thread that dies from here on (or whose parent does) can be found and reclaimed.
  atomic.store<u32>(slot + T_LIFE_LOCK, lifeLock);
  atomic.store<u32>(slot + T_ANCESTORS, parent);
  atomic.store<u32>(slot + T_ANCESTORS + 4, grandparent);
  atomic.store<u32>(slot + T_NODE_ID, nodeId);
  store<u32>(slot + T_CACHE, 0);
  store<u32>(slot + T_READ_HOLD, 0);
  store<u32>(slot + T_HEARTBEAT, 0);
  store<u32>(slot + T_TRANSIT + E_COUNT, 0);
  // T_DIE_AT is left as it is: a test may arm a free slot for the attach itself.
  store<u32>(slot + T_DEATH_POINTS, 0);
  store<u32>(slot + T_RECLAIMING, 0);
  setThreadSlot(slot);
  // Zeroed before the slot names it: a reclaimer of a thread stopped here finds empty entries.
  const block = backingAllocZeroed(CACHE_BLOCK_BYTES, slot + T_CACHE);
  if (block == 0) {
    setThreadSlot(0);
    atomic.store<u32>(slot + T_STATE, THREAD_FREE);
    return ERR_NO_MEMORY;
  }
  cacheInit(block, cacheLimitBytes);
  const id = atomic.add<u32>(H_NEXT_THREAD_ID, 1) + 1;
  setOwnerTag(id);
  atomic.store<u32>(slot + T_ID, id);
  atomic.store<u32>(slot + T_STATE, THREAD_LIVE);
  return <i32>id;
}

/** Detaches the calling thread: its cache goes back to the pools, its slot and block are freed. */
export function threadClose(): void {
  const slot = threadSlot;
  if (slot == 0) return;
  atomic.store<u32>(slot + T_STATE, THREAD_BUSY);
  // A chain that a give-up left in the transit (unwind.ts, releaseHolds) goes back first.
  if (transitCount(slot) != 0) settleTransit();
  drainOwnCache();
  backingFree(slot + T_CACHE);
  cacheForget();
  setThreadSlot(0);
  freeSlot(slot);
}

/**
 * After an attach that gave up (a wait for the backing lock saw no sign of
 * life): the slot it claimed names no cache block yet, for the block is
 * taken under that lock, so it is freed at once instead of staying BUSY.
 */
export function threadAbandonAttach(): void {
  const slot = threadSlot;
  if (slot == 0 || load<u32>(slot + T_CACHE) != 0) return;
  setThreadSlot(0);
  freeSlot(slot);
}

/** Frees a slot. Its ids go first: a late reclaim by a stale id then finds nothing, not the slot's next thread. */
function freeSlot(slot: usize): void {
  atomic.store<u32>(slot + T_ID, 0);
  atomic.store<u32>(slot + T_NODE_ID, 0);
  for (let i: u32 = 0; i < T_ANCESTOR_COUNT; i++) atomic.store<u32>(slot + T_ANCESTORS + 4 * i, 0);
  store<u32>(slot + T_DIE_AT, 0);
  atomic.store<u32>(slot + T_STATE, THREAD_FREE);
}

/** Whether `slot`'s thread is Node thread `nodeId` (+ 1) or was started by it, directly or not. */
function startedBy(slot: usize, nodeId: u32): bool {
  if (atomic.load<u32>(slot + T_NODE_ID) == nodeId) return true;
  for (let i: u32 = 0; i < T_ANCESTOR_COUNT; i++) {
    if (atomic.load<u32>(slot + T_ANCESTORS + 4 * i) == nodeId) return true;
  }
  return false;
}

/**
 * Marks dead every slot of the thread with heap id `id`, or with
 * `byNodeId`, every slot of Node thread `id` (+ 1) and of the threads it
 * started (a runtime stops a thread's workers with it), then reclaims every
 * dead slot. The caller knows that thread is gone for good. Returns how
 * many slots it marked (0: none was attached, it closed or was reclaimed
 * already), or ERR_UNKNOWN_THREAD for a heap id that was never handed out.
 * A reclaim that meets a busy lock traps with TRAP_RECLAIM_DEFERRED; the
 * slots stay DEAD for threadReclaimDead to take up again.
 */
export function threadReclaim(id: u32, byNodeId: bool): i32 {
  if (!byNodeId && (id == 0 || id > atomic.load<u32>(H_NEXT_THREAD_ID))) return ERR_UNKNOWN_THREAD;
  let marked: i32 = 0;
  for (let index: u32 = 0; index < MAX_THREADS; index++) {
    const slot = threadSlotAt(index);
    if (slot == threadSlot) continue;
    const state = atomic.load<u32>(slot + T_STATE);
    if (state != THREAD_LIVE && state != THREAD_BUSY) continue;
    if (byNodeId ? !startedBy(slot, id) : atomic.load<u32>(slot + T_ID) != id) continue;
    // Dead from here on: its locks are anyone's to take over.
    if (atomic.cmpxchg<u32>(slot + T_STATE, state, THREAD_DEAD) == state) marked++;
  }
  threadReclaimDead();
  return marked;
}

/**
 * Reclaims every slot marked DEAD: those just marked, those whose reclaim
 * was deferred, those whose reclaimer died. Returns how many it reclaimed.
 */
export function threadReclaimDead(): i32 {
  setReclaimingNow(true);
  let reclaimed: i32 = 0;
  for (let index: u32 = 0; index < MAX_THREADS; index++) {
    const slot = threadSlotAt(index);
    if (atomic.load<u32>(slot + T_STATE) == THREAD_DEAD && reclaimDead(slot)) reclaimed++;
  }
  setReclaimingNow(false);
  return reclaimed;
}

/**
 * A batch call stopped in its loop leaves an entry whose chain is right but
 * whose count is not yet (batch.ts): count the chains again. Chains of a
 * cache end in a 0 link; a chain that breaks (chunks.ts) is cut where it
 * does, and its pool marked corrupt.
 */
function recountBlock(block: CacheBlock): void {
  for (let index: u32 = 0; index < MAX_POOLS; index++) {
    deathPoint();
    const entry = block.entry(index);
    foldFront(block, entry);
    if (entry.first == 0 && entry.count == 0) continue;
    const size = entry.size;
    const pool = resolveIncarnation(makeToken(index, entry.generation));
    // No chain holds more objects than fit in the memory (nor, while its pool lives, than it took): a longer one loops.
    const most = pool != 0 ? load<u32>(pool + P_ALLOCATED) : <u32>((<u64>memory.size() * PAGE_BYTES) / max<u32>(size, 8));
    let count: u32 = 0;
    let link = entry.address; // the entry's first word, then each object's
    while (load<u32>(link) != 0) {
      const object = <usize>load<u32>(link);
      if (count == most || !isFreeObject(size, object)) {
        store<u32>(link, 0);
        if (pool != 0) markCorrupt(pool);
        break;
      }
      count++;
      link = object;
    }
    entry.count = count;
  }
}

/**
 * Gives back what the dead thread of `slot` left. Every step can be done
 * again by another reclaimer if this one stops too (the slot stays DEAD or
 * RECLAIMING until the last step).
 */
function reclaimDead(slot: usize): bool {
  if (atomic.cmpxchg<u32>(slot + T_STATE, THREAD_DEAD, THREAD_RECLAIMING) != THREAD_DEAD) return false;
  // Recorded, so that if this thread gives up or dies, the slot goes back to DEAD and can be taken up again.
  atomic.store<u32>(threadSlot + T_RECLAIMING, <u32>slot + 1);
  const owner = ownerValueOf(slot);
  // Taking the backing lock rolls back a section the dead thread left, or
  // waits for whoever took it over to finish rolling it back.
  backingLock();
  mutexUnlock(H_BACKING_LOCK);
  // A chain it had taken off a holder goes back on its pool's list, or to
  // the backing allocator if that pool incarnation is gone.
  if (transitRecoveryEnabled) putTransitBack(slot);
  // Flush and gc stop cleanly between steps; registry sections likewise.
  for (let index: u32 = 0; index < MAX_POOLS; index++) {
    deathPoint();
    if (takeOverFrom(poolAt(index) + P_FLUSH_LOCK, owner)) writeUnlock(poolAt(index));
  }
  // A channel's section commits with one store: its lock is all it leaves.
  const releaseChannels = (load<u32>(H_TEST_SWITCHES) & TEST_NO_CHANNEL_RELEASE) == 0;
  for (let index: u32 = 0; index < MAX_CHANNELS && releaseChannels; index++) {
    if (takeOverFrom(channelAt(index) + CH_LOCK, owner)) mutexUnlock(channelAt(index) + CH_LOCK);
  }
  if (takeOverFrom(H_REGISTRY_LOCK, owner)) mutexUnlock(H_REGISTRY_LOCK);
  // Writers ignore a dead thread's read hold; drop it all the same.
  atomic.store<u32>(slot + T_READ_HOLD, 0);
  const block = changetype<CacheBlock>(load<u32>(slot + T_CACHE));
  if (changetype<usize>(block) != 0) {
    if (recountEnabled) recountBlock(block);
    drainBlock(block);
    backingFree(slot + T_CACHE);
  }
  // It may have been reclaiming another thread when it stopped: take that one up again.
  const abandoned = <usize>load<u32>(slot + T_RECLAIMING);
  store<u32>(slot + T_RECLAIMING, 0);
  freeSlot(slot);
  atomic.store<u32>(threadSlot + T_RECLAIMING, 0);
  if (abandoned != 0) {
    const other = abandoned - 1;
    if (atomic.cmpxchg<u32>(other + T_STATE, THREAD_RECLAIMING, THREAD_DEAD) == THREAD_RECLAIMING) reclaimDead(other);
  }
  return true;
}

/** Puts a dead thread's transit back: on its pool's list, or to the backing allocator for a destroyed pool. */
function putTransitBack(slot: usize): void {
  if (pushTransit(slot)) return;
  while (transitCount(slot) != 0) {
    deathPoint();
    backingRelease(slot + T_TRANSIT, 0, 0, transitToken(slot), false, false, transitCount(slot));
    beat();
  }
}
