// Pool operations on the shared free list (HAProxy 2.1's pool design):
// moving clusters between a thread's cache entry and the list, flush and
// gc. Every operation is safe against its thread stopping at any loop head
// or call (docs/internals.md §5): objects are always in exactly one holder
// (the list, a cache entry, a thread's transit, the bins, or the caller's
// hands), and each move between holders ends in straight-line code (no
// loop head, no call) right after the one atomic step that makes it.
//
//   pop:   read-lock flush_lock, pop a cluster with one CAS straight into
//          the thread's empty entry (with the cache off: one object
//          straight into the caller's hands), unlock.
//   push:  detach a cluster from the entry into the thread's transit, push
//          it with one CAS, empty the transit. No lock: a push reads no
//          other object's memory.
//   flush: write-lock, then again and again pop a cluster into the transit
//          and give it back to the backing allocator; unlock.
//   gc:    the same, while allocated - used > minAvail.
//
// Counters: allocated = objects taken from the backing allocator and not
// yet given back (written under the backing lock only); used = objects in
// a cache entry or handed out (atomic). Once threads are quiet,
// allocated == used + |free list| + Σ transits.

import {
  ARENA_START, C_SIZE, CHUNK_HEADER, CHUNK_MIN, CHUNK_ON_FREE_LIST, CHUNK_SIZE_MASK, CHUNK_USED, ERR_BAD_POINTER,
  ERR_DOUBLE_FREE, ERR_FREE_UNDERFLOW, ERR_SIZE_MISMATCH, H_BACKING_TOP, OK, P_ALLOCATED, P_HEAD, P_MIN_AVAIL, P_SIZE, P_USED, T_TRANSIT,
} from "./layout";
import { backingRelease, backingReleaseFrozen } from "./backing";
import { chainAt, chainLength, HEAD_RETIRED, listFirst, listRetire, PTR_MASK, SEQ_MASK } from "./freelist";
import { debugChecks, debugOnFree } from "./debug";
import { beat, readLock, readUnlock, writeLock, writeUnlock } from "./locks";
import { checkNotReleased, uafChecks } from "./quarantine";
import { deathPoint, sequenceStep, threadSlot } from "./thread";
import { resolvePool } from "./slots";
import { holdInTransit, pushTransit, transitCount, transitToken } from "./transit";

/** Objects one step of flush or gc takes off the list at once. */
const RELEASE_STEP: u32 = 64;

@inline function chunkHeaderOf(object: usize): usize {
  return object - CHUNK_HEADER + C_SIZE;
}

/** Marks an object that a pop just took: its owner may free it once. */
@inline export function markHandedOut(object: usize): void {
  const header = chunkHeaderOf(object);
  store<u32>(header, load<u32>(header) & ~CHUNK_ON_FREE_LIST);
}

@inline export function markOnFreeList(object: usize): void {
  const header = chunkHeaderOf(object);
  store<u32>(header, load<u32>(header) | CHUNK_ON_FREE_LIST);
}

/**
 * Cheap checks that `object` is a handed-out object of `size` bytes:
 * aligned, inside the carved arena, its chunk header marked used with a
 * matching size and not on a free list. Returns OK or the error.
 */
@inline export function checkFreeable(size: u32, object: usize): i32 {
  if ((object & 7) != 0 || object < ARENA_START + CHUNK_HEADER || object >= <usize>load<u32>(H_BACKING_TOP)) return ERR_BAD_POINTER;
  const header = load<u32>(chunkHeaderOf(object));
  const payload = (header & CHUNK_SIZE_MASK) - CHUNK_HEADER;
  if ((header & CHUNK_USED) == 0 || payload < size || payload >= size + CHUNK_MIN) return ERR_SIZE_MISMATCH;
  if ((header & CHUNK_ON_FREE_LIST) != 0) return ERR_DOUBLE_FREE;
  return OK;
}

/** What the last popCluster on this thread took: its last object and how many. */
let poppedLast: usize = 0;
let poppedCount: u32 = 0;

/**
 * Pops up to `wanted` objects off the pool's list with one CAS and returns
 * the first (0 when the list is empty), with poppedLast and poppedCount
 * set. The caller holds the read lock (`underReadLock`: only the first
 * object is then protected, and debug uaf checks it) or the write lock (no
 * other pop runs). Inlined, so that the caller's stores after a successful
 * CAS follow it in straight-line code: the popped objects are the caller's
 * from the CAS on, and no stopping point comes before they are recorded.
 */
@inline function popCluster(pool: usize, wanted: u32, underReadLock: bool): usize {
  const head = pool + P_HEAD;
  while (true) {
    deathPoint();
    const old = atomic.load<u64>(head);
    const first = <usize>(old & PTR_MASK);
    if (first == 0 || (old & HEAD_RETIRED) != 0) return 0;
    if (underReadLock) checkNotReleased(first, pool);
    // Objects after the first may have been popped and reused by others
    // meanwhile (or, in the no-lock negative control, released): their
    // words are then garbage, but every pop bumps the sequence, so the CAS
    // below fails. A garbage pointer must only not be read out of bounds:
    // objects lie below the arena's top (memory.size is slow on shared memory).
    const end = <usize>atomic.load<u32>(H_BACKING_TOP);
    let last = first;
    let count: u32 = 1;
    let next = <usize>load<u32>(last);
    while (count < wanted && next != 0 && (next & 7) == 0 && next < end) {
      last = next;
      count++;
      next = <usize>load<u32>(last);
    }
    if ((next & 7) != 0 || next >= end) continue;
    if (atomic.cmpxchg<u64>(head, old, (((old & SEQ_MASK) + (sequenceStep << 32)) & SEQ_MASK) | <u64>next) == old) {
      poppedLast = last;
      poppedCount = count;
      return first;
    }
  }
}

/**
 * Pops up to `wanted` objects from the shared list of the live pool `token`
 * names with one CAS, under the read lock, into `entry` (this thread's,
 * empty), with their bytes added to `bytesWord` and their count to `used`.
 * Returns how many (0 also when the pool was destroyed since the caller
 * resolved it: the read lock keeps its slot from being reused, registry.ts).
 */
export function popIntoEntry(pool: usize, token: u32, entry: usize, bytesWord: usize, size: u32, wanted: u32): u32 {
  deathPoint();
  readLock(pool);
  const first = resolvePool(token) == pool ? popCluster(pool, wanted, true) : 0;
  if (first != 0) {
    // Straight-line from the CAS.
    const count = poppedCount;
    store<u32>(poppedLast, 0);
    store<u32>(entry, <u32>first);
    store<u32>(entry + 4, count);
    store<u32>(bytesWord, load<u32>(bytesWord) + count * size);
    atomic.add<u32>(pool + P_USED, count);
  }
  readUnlock(pool);
  return first == 0 ? 0 : poppedCount;
}

/** With the cache off: pops one object under the read lock and hands it out (counted in `used`). 0 if the list is empty or retired. */
export function popHandOut(pool: usize, token: u32): usize {
  deathPoint();
  readLock(pool);
  const object = resolvePool(token) == pool ? popCluster(pool, 1, true) : 0;
  if (object != 0) {
    // Straight-line from the CAS: the object is the caller's.
    markHandedOut(object);
    atomic.add<u32>(pool + P_USED, 1);
  }
  readUnlock(pool);
  return object;
}

/**
 * With the cache off: pushes a checked, handed-out object of `pool` back on
 * its list through this thread's transit. ERR_FREE_UNDERFLOW when the pool
 * has nothing out (the object cannot be one of its own).
 */
export function pushHandedBack(pool: usize, object: usize, size: u32): i32 {
  if (transitCount(threadSlot) != 0) settleTransit();
  if (atomic.sub<u32>(pool + P_USED, 1) == 0) {
    atomic.add<u32>(pool + P_USED, 1);
    return ERR_FREE_UNDERFLOW;
  }
  // Straight-line: from `used` on, the object is in the transit.
  if (debugChecks) debugOnFree(object, size);
  markOnFreeList(object);
  holdInTransit(threadSlot, pool, object, 1);
  settleTransit();
  return OK;
}

/**
 * Pushes this thread's transit onto its pool's list; when that pool was
 * destroyed meanwhile (its list retired), gives the chain back to the
 * backing allocator instead, counted out of the retired pool. Also settles
 * a transit that a give-up left behind (locks.ts, releaseHolds) before a
 * new one is taken.
 */
export function settleTransit(): void {
  if (pushTransit(threadSlot)) return;
  while (transitCount(threadSlot) != 0) {
    deathPoint();
    backingRelease(threadSlot + T_TRANSIT, 0, 0, transitToken(threadSlot), false, false, transitCount(threadSlot));
  }
}

/**
 * Pushes the first `count` objects of `entry` (this thread's, or a dead
 * thread's being reclaimed) onto the pool's list, through this thread's
 * transit, taking their bytes off `bytesWord` and their count off `used`.
 */
export function pushFromEntry(pool: usize, entry: usize, bytesWord: usize, size: u32, count: u32): void {
  deathPoint();
  if (transitCount(threadSlot) != 0) settleTransit();
  const first = <usize>load<u32>(entry);
  const last = chainAt(first, count);
  // Straight-line: the cluster moves from the entry to the transit.
  const rest = load<u32>(last);
  holdInTransit(threadSlot, pool, first, count);
  store<u32>(entry, rest);
  store<u32>(entry + 4, load<u32>(entry + 4) - count);
  store<u32>(bytesWord, load<u32>(bytesWord) - count * size);
  atomic.sub<u32>(pool + P_USED, count);
  settleTransit();
}

/** With the write lock held: pops up to `wanted` objects into this thread's transit. Returns how many. */
function popIntoTransit(pool: usize, wanted: u32): u32 {
  if (transitCount(threadSlot) != 0) settleTransit();
  const first = popCluster(pool, wanted, false);
  if (first == 0) return 0;
  // Straight-line from the CAS: the cluster is this thread's transit.
  holdInTransit(threadSlot, pool, first, poppedCount);
  return poppedCount;
}

/** Gives this thread's whole transit back to the backing allocator (flush, gc). */
function releaseTransit(pool: usize, size: u32): void {
  const holder = threadSlot + T_TRANSIT;
  while (transitCount(threadSlot) != 0) {
    deathPoint();
    backingRelease(holder, 0, size, transitToken(threadSlot), false, uafChecks, transitCount(threadSlot));
    beat();
  }
}

/** Gives back free objects of the shared list, at most `budget`, with the write lock held. */
function releaseFromList(pool: usize, budget: u32): void {
  const size = load<u32>(pool + P_SIZE);
  let released: u32 = 0;
  while (released < budget) {
    deathPoint();
    const taken = popIntoTransit(pool, min(RELEASE_STEP, budget - released));
    if (taken == 0) return;
    releaseTransit(pool, size);
    released += taken;
  }
}

/** Releases every free object of the pool's list. */
export function poolFlush(pool: usize): void {
  deathPoint();
  writeLock(pool);
  releaseFromList(pool, u32.MAX_VALUE);
  writeUnlock(pool);
}

/** Releases free objects while allocated - used > minAvail. */
export function poolGc(pool: usize): void {
  deathPoint();
  writeLock(pool);
  const spare = <i64>load<u32>(pool + P_ALLOCATED) - <i64>atomic.load<u32>(pool + P_USED) - <i64>load<u32>(pool + P_MIN_AVAIL);
  if (spare > 0) releaseFromList(pool, <u32>min<i64>(spare, u32.MAX_VALUE));
  writeUnlock(pool);
}

/**
 * Retires the pool's list (its state is RETIRED already): sets RETIRED on
 * the head with the write lock held (no pop is inside, and none succeeds
 * after), then gives the frozen list back a step at a time. Done again by
 * whoever finds it half done (registry.ts), it carries on where it stopped.
 */
export function poolRetire(pool: usize): void {
  deathPoint();
  writeLock(pool);
  listRetire(pool + P_HEAD);
  while (backingReleaseFrozen(pool, uafChecks, RELEASE_STEP) != 0) {
    deathPoint();
    beat();
  }
  writeUnlock(pool);
}

/** Objects on the pool's free list (exact only while threads are quiet). */
export function poolFreeCount(pool: usize): u32 {
  return chainLength(listFirst(pool + P_HEAD));
}
