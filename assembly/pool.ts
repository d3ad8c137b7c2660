// Pool operations on the shared free list: alloc, free, flush, gc
// (HAProxy 2.1's pool design). With thread caches on (cache.ts), alloc and
// free reach this file only to move clusters between a cache and the list.
//
//   alloc: read-lock flush_lock, pop, unlock. Empty list: refill several
//          objects from the backing allocator under one lock; if that fails,
//          run gc on every pool and retry once; then count a failure.
//   free:  check, mark the object's chunk header CHUNK_ON_FREE_LIST, push
//          (no lock: a push never reads another object's memory). A pop
//          clears the mark, so freeing an object twice is refused.
//   flush: write-lock, detach the whole list, release every object, unlock.
//   gc:    write-lock, detach, release objects while
//          allocated - used > minAvail, push the rest back, unlock.
//
// Counters (atomic): allocated = objects taken from the backing allocator
// and not yet given back; used = objects off the shared list (handed out or
// in a thread cache). Once threads are quiet, allocated == used + |free list|.

import {
  ARENA_START, C_SIZE, CHUNK_HEADER, CHUNK_MIN, CHUNK_SIZE_MASK,
  CHUNK_ON_FREE_LIST, CHUNK_USED, ERR_BAD_POINTER, ERR_DOUBLE_FREE, ERR_FREE_UNDERFLOW, ERR_SIZE_MISMATCH, H_BACKING_TOP,
  OK, P_ALLOCATED, P_FAILED, P_FLUSH_LOCK, P_HEAD, P_LIMIT, P_MIN_AVAIL, P_SIZE, P_USED, T_READ_HOLD,
} from "./layout";
import { backingAllocChain, backingFreeChain, chainLast, chainObtained, chunkSizeFor } from "./backing";
import { chainLength, chainTail, listDetachAll, listFirst, listPop, listPush, listPushChain } from "./freelist";
import { readLock, readUnlock, writeLock, writeUnlock } from "./rwlock";
import { registryGc, tokenOf } from "./registry";
import { debugCheckFree, debugChecks, debugHandOut, debugOnFree, tagBytes } from "./debug";
import { checkNotReleased } from "./quarantine";
import { injectFailure, recordFailure, refusedByLimit, refusedByMemory } from "./faults";
import { flushLockEnabled, sequenceStep, threadSlot } from "./thread";

/** A refill asks the backing allocator for about this many bytes of objects at once. */
const REFILL_BYTES: u32 = 2048;
const REFILL_MAX_OBJECTS: u32 = 16;

// A read hold of flush_lock is recorded in the thread's slot, so that
// reclaimThread can release the hold of a worker terminated inside a pop.
// V8 stops a thread only at a loop head or a call, and there is none
// between taking the lock and recording it, nor between clearing the
// record and unlocking: a recorded hold is always a real one.
@inline function holdForReading(pool: usize): void {
  readLock(pool + P_FLUSH_LOCK);
  store<u32>(threadSlot + T_READ_HOLD, <u32>pool);
}

@inline function releaseReading(pool: usize): void {
  store<u32>(threadSlot + T_READ_HOLD, 0);
  readUnlock(pool + P_FLUSH_LOCK);
}

@inline function popGuarded(pool: usize): usize {
  if (!flushLockEnabled) return listPop(pool + P_HEAD);
  holdForReading(pool);
  const object = listPop(pool + P_HEAD);
  releaseReading(pool);
  return object;
}

/** Adds up to `wanted` to `allocated` without passing the pool's limit; returns what was reserved. */
function reserveObjects(pool: usize, wanted: u32): u32 {
  const limit = load<u32>(pool + P_LIMIT);
  if (limit == 0) {
    atomic.add<u32>(pool + P_ALLOCATED, wanted);
    return wanted;
  }
  while (true) {
    const current = atomic.load<u32>(pool + P_ALLOCATED);
    if (current >= limit) return 0;
    const granted = min(wanted, limit - current);
    if (atomic.cmpxchg<u32>(pool + P_ALLOCATED, current, current + granted) == current) return granted;
  }
}

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

/** What the last takeFromBacking / popCluster on this thread obtained: how many, and the last object. */
export let takenCount: u32 = 0;
export let takenLast: usize = 0;

/**
 * Takes several objects (about REFILL_BYTES, within the pool's limit) from
 * the backing allocator under one lock, counts them in `allocated`, and
 * marks them all free. Returns the chain's first object, or 0.
 */
export function takeFromBacking(pool: usize): usize {
  takenCount = 0;
  const size = load<u32>(pool + P_SIZE);
  const perRefill = min(REFILL_MAX_OBJECTS, max<u32>(1, REFILL_BYTES / chunkSizeFor(size)));
  const reserved = reserveObjects(pool, perRefill);
  if (reserved == 0) {
    refusedByLimit();
    return 0;
  }
  if (injectFailure()) {
    atomic.sub<u32>(pool + P_ALLOCATED, reserved);
    return 0;
  }
  const first = backingAllocChain(size + tagBytes(), reserved);
  const obtained = chainObtained;
  if (obtained == 0) refusedByMemory();
  if (obtained < reserved) atomic.sub<u32>(pool + P_ALLOCATED, reserved - obtained);
  for (let object = first; object != 0; object = <usize>load<u32>(object)) markOnFreeList(object);
  takenCount = obtained;
  takenLast = chainLast;
  return first;
}

/**
 * Pops up to `wanted` objects from the shared list with one CAS, under the
 * read lock (the walk reads `next` words of objects still on the list).
 * Returns the first of the chain (its last object's next word is stale), or 0.
 */
export function popCluster(pool: usize, wanted: u32): usize {
  takenCount = 0;
  const head = pool + P_HEAD;
  if (flushLockEnabled) holdForReading(pool);
  let first: usize = 0;
  while (true) {
    const old = atomic.load<u64>(head);
    first = <usize>(old & 0xffffffff);
    if (first == 0) break;
    // Another thread may pop and reuse these objects meanwhile; their words
    // are then garbage, but every pop bumps the sequence, so the CAS below
    // fails. A garbage pointer must only not be read out of bounds.
    const end = <usize>memory.size() << 16;
    let last = first;
    let count: u32 = 1;
    checkNotReleased(last, pool);
    let next = <usize>load<u32>(last);
    while (count < wanted && next != 0 && (next & 7) == 0 && next < end) {
      last = next;
      count++;
      checkNotReleased(last, pool);
      next = <usize>load<u32>(last);
    }
    if ((next & 7) != 0 || next >= end) continue;
    const replacement = ((old & 0xffffffff00000000) + (sequenceStep << 32)) | <u64>next;
    if (atomic.cmpxchg<u64>(head, old, replacement) == old) {
      takenCount = count;
      takenLast = last;
      break;
    }
  }
  if (flushLockEnabled) releaseReading(pool);
  return first;
}

/** Takes one object from the backing allocator, pushing the rest of a refill on the shared list. 0 on failure. */
function refillShared(pool: usize): usize {
  const first = takeFromBacking(pool);
  if (first == 0) return 0;
  const second = <usize>load<u32>(first);
  if (second != 0) listPushChain(pool + P_HEAD, second, takenLast);
  markHandedOut(first);
  return first;
}

/** Alloc on the shared list alone (caches off): returns an object or ALLOC_FAILED. */
export function poolAllocShared(pool: usize): usize {
  let object = popGuarded(pool);
  if (object != 0) markHandedOut(object);
  else {
    object = refillShared(pool);
    if (object == 0) {
      registryGc();
      object = popGuarded(pool);
      if (object != 0) markHandedOut(object);
      else object = refillShared(pool);
    }
  }
  if (object == 0) {
    atomic.add<u32>(pool + P_FAILED, 1);
    recordFailure(pool);
  } else {
    atomic.add<u32>(pool + P_USED, 1);
    if (debugChecks) debugHandOut(object, load<u32>(pool + P_SIZE), tokenOf(pool));
  }
  return object;
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

/** Free on the shared list alone (caches off). */
export function poolFreeShared(pool: usize, object: usize): i32 {
  const size = load<u32>(pool + P_SIZE);
  let verdict = checkFreeable(size, object);
  if (verdict == OK && debugChecks) verdict = debugCheckFree(object, size, tokenOf(pool));
  if (verdict != OK) return verdict;
  if (atomic.sub<u32>(pool + P_USED, 1) == 0) {
    atomic.add<u32>(pool + P_USED, 1);
    return ERR_FREE_UNDERFLOW;
  }
  if (debugChecks) debugOnFree(object, size);
  markOnFreeList(object);
  listPush(pool + P_HEAD, object);
  return OK;
}

/** Gives back the first `count` objects of a detached chain; returns the rest. */
export function releaseFromChain(pool: usize, first: usize, count: u32): usize {
  let rest = first;
  for (let i: u32 = 0; i < count; i++) rest = <usize>load<u32>(rest);
  if (count > 0) {
    backingFreeChain(first, count);
    atomic.sub<u32>(pool + P_ALLOCATED, count);
  }
  return rest;
}

/** Releases every free object of the pool. */
export function poolFlush(pool: usize): void {
  writeLock(pool + P_FLUSH_LOCK);
  const first = listDetachAll(pool + P_HEAD);
  releaseFromChain(pool, first, chainLength(first));
  writeUnlock(pool + P_FLUSH_LOCK);
}

/** Releases free objects while allocated - used > minAvail. */
export function poolGc(pool: usize): void {
  writeLock(pool + P_FLUSH_LOCK);
  const first = listDetachAll(pool + P_HEAD);
  const length = chainLength(first);
  const spare = <i64>atomic.load<u32>(pool + P_ALLOCATED) - <i64>atomic.load<u32>(pool + P_USED) - <i64>load<u32>(pool + P_MIN_AVAIL);
  const toRelease = <u32>min<i64>(max<i64>(spare, 0), <i64>length);
  const kept = releaseFromChain(pool, first, toRelease);
  if (kept != 0) listPushChain(pool + P_HEAD, kept, chainTail(kept));
  writeUnlock(pool + P_FLUSH_LOCK);
}

/** Objects on the pool's free list (exact only while threads are quiet). */
export function poolFreeCount(pool: usize): u32 {
  return chainLength(listFirst(pool + P_HEAD));
}
