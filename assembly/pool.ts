// Pool operations on the shared free list (HAProxy 2.1's design): clusters
// between a thread's cache entry and the list, flush and gc, each move
// ending in straight-line code right after its one atomic step, so a thread
// may stop anywhere (docs/internals.md §3, §5).

import { invariant } from "./asserts";
import { backingRelease, backingReleaseFrozen } from "./backing";
import { checkedChainAt, isFreeObject, markHandedOut, markOnFreeList } from "./chunks";
import { debugChecks, debugOnFree } from "./debug";
import { headFirst, headRetired, listFirst, listRetire, listTryPop } from "./freelist";
import {
  ASSERT_POP_INTO_EMPTY,
  ASSERT_PUSH_COUNT,
  ERR_FREE_UNDERFLOW,
  OK,
  P_ALLOCATED,
  P_HEAD,
  P_MIN_AVAIL,
  P_SIZE,
  P_USED,
  T_HEARTBEAT,
  T_TRANSIT,
} from "./layout";
import { beat, readUnlock, writeUnlock } from "./lock-words";
import { readLock, writeLock } from "./locks";
import { checkNotReleased, uafChecks } from "./quarantine";
import { CacheEntry } from "./records";
import { markCorrupt, poolIndexOf, resolvePool } from "./slots";
import { deathPoint, threadSlot } from "./thread";
import { holdInTransit, pushTransit, transitCount, transitToken } from "./transit";
import { giveUpOnCorruptList } from "./unwind";

/** Objects one step of flush or gc takes off the list at once. */
const RELEASE_STEP: u32 = 64;

// What popCluster returns: the first object popped in the low word and how
// many in the high word (0 when the list is empty); or POP_CORRUPT in the
// high word and, in the low word, the link that proved the list corrupt.
const POP_CORRUPT: u32 = 0xffffffff;
@inline function poppedFirst(popped: u64): usize {
  return <usize>(<u32>popped);
}
@inline function poppedCount(popped: u64): u32 {
  const count = <u32>(popped >> 32);
  return count == POP_CORRUPT ? 0 : count;
}
@inline function poppedCorruptLink(popped: u64): usize {
  return <u32>(popped >> 32) == POP_CORRUPT ? <usize>(<u32>popped) : 0;
}

/**
 * Pops up to `wanted` objects off the pool's list with one CAS, ends the
 * cluster's chain after its last object, and returns the cluster (above).
 * The caller holds the read lock (`underReadLock`: only the first
 * object is then protected, and debug uaf checks it) or the write lock (no
 * other pop runs). Inlined, so that the caller's stores after a successful
 * CAS follow it in straight-line code: the popped objects are the caller's
 * from the CAS on, and no stopping point comes before they are recorded.
 */
@inline function popCluster(pool: usize, wanted: u32, underReadLock: bool): u64 {
  const head = pool + P_HEAD;
  const size = load<u32>(pool + P_SIZE);
  while (true) {
    deathPoint();
    const old = atomic.load<u64>(head);
    const first = headFirst(old);
    if (first == 0 || headRetired(old)) return 0;
    if (underReadLock) checkNotReleased(first, pool);
    // Objects after the first may have been popped and reused by others
    // meanwhile (or, in the no-lock negative control, released): their
    // words are then garbage, but every pop bumps the sequence, so the CAS
    // below fails. So a link that is no free object of the pool proves the
    // list corrupt only while the head is still what this pop read (then
    // no other pop took anything meanwhile, and every object from the head
    // down to that link is on the list).
    let last = first;
    let count: u32 = 1;
    let next: usize = 0;
    let bad: usize = 0;
    if (!isFreeObject(size, first)) bad = first;
    else {
      next = <usize>load<u32>(last);
      while (count < wanted && next != 0 && isFreeObject(size, next)) {
        last = next;
        count++;
        next = <usize>load<u32>(last);
      }
      // The link that would become the head is checked too.
      if (next != 0 && !isFreeObject(size, next)) bad = next;
    }
    if (bad != 0) {
      // The headers read above come before the head is read again: an atomic
      // read-modify-write orders them (atomic.fence does not validate in the debug build).
      atomic.add<u32>(threadSlot + T_HEARTBEAT, 0);
      if (atomic.load<u64>(head) != old) continue;
      return ((<u64>POP_CORRUPT) << 32) | <u64>bad;
    }
    if (listTryPop(head, old, next)) {
      store<u32>(last, 0);
      return ((<u64>count) << 32) | <u64>first;
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
export function popIntoEntry(pool: usize, token: u64, entry: CacheEntry, bytesWord: usize, size: u32, wanted: u32): u32 {
  invariant(entry.first == 0 && entry.count == 0, ASSERT_POP_INTO_EMPTY);
  deathPoint();
  readLock(pool);
  const popped: u64 = resolvePool(token) == pool ? popCluster(pool, wanted, true) : 0;
  const count = poppedCount(popped);
  if (count != 0) {
    // Straight-line from the CAS.
    entry.first = poppedFirst(popped);
    entry.count = count;
    store<u32>(bytesWord, load<u32>(bytesWord) + count * size);
    atomic.add<u32>(pool + P_USED, count);
  }
  readUnlock(pool);
  if (poppedCorruptLink(popped) != 0) reportCorrupt(pool, poppedCorruptLink(popped));
  return count;
}

/**
 * A free list of `pool` (its shared list, or a cache's) holds `link`, which
 * is no free object of it: the pool is marked corrupt (its allocations throw
 * HeapCorruptError from now on, other pools go on), and this call gives up
 * having let go of everything it held, with the link on record.
 */
export function reportCorrupt(pool: usize, link: usize): void {
  markCorrupt(pool);
  giveUpOnCorruptList(poolIndexOf(pool), link);
}

/** With the cache off: pops one object under the read lock and hands it out (counted in `used`). 0 if the list is empty or retired. */
export function popHandOut(pool: usize, token: u64): usize {
  deathPoint();
  readLock(pool);
  const popped: u64 = resolvePool(token) == pool ? popCluster(pool, 1, true) : 0;
  const object = poppedCount(popped) != 0 ? poppedFirst(popped) : 0;
  if (object != 0) {
    // Straight-line from the CAS: the object is the caller's.
    markHandedOut(object);
    atomic.add<u32>(pool + P_USED, 1);
  }
  readUnlock(pool);
  if (poppedCorruptLink(popped) != 0) reportCorrupt(pool, poppedCorruptLink(popped));
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
 * a transit that a give-up left behind (unwind.ts, releaseHolds) before a
 * new one is taken.
 */
export function settleTransit(): void {
  if (pushTransit(threadSlot)) return;
  while (transitCount(threadSlot) != 0) {
    deathPoint();
    backingRelease(threadSlot + T_TRANSIT, 0, 0, transitToken(threadSlot), false, false, transitCount(threadSlot));
    beat();
  }
}

/**
 * Pushes the first `count` objects of `entry` (this thread's, or a dead
 * thread's being reclaimed) onto the pool's list, through this thread's
 * transit, taking their bytes off `bytesWord` and their count off `used`.
 */
export function pushFromEntry(pool: usize, entry: CacheEntry, bytesWord: usize, size: u32, count: u32): void {
  invariant(count > 0 && count <= entry.count, ASSERT_PUSH_COUNT);
  deathPoint();
  if (transitCount(threadSlot) != 0) settleTransit();
  const first = entry.first;
  const last = checkedChainAt(first, count, size);
  if (last == 0) {
    forgetCorruptChain(pool, entry, bytesWord, size);
    return;
  }
  // Straight-line: the cluster moves from the entry to the transit.
  const rest = <usize>load<u32>(last);
  holdInTransit(threadSlot, pool, first, count);
  entry.first = rest;
  entry.count -= count;
  store<u32>(bytesWord, load<u32>(bytesWord) - count * size);
  atomic.sub<u32>(pool + P_USED, count);
  settleTransit();
}

/**
 * A cache entry's chain (this thread's, or a dead thread's being reclaimed)
 * breaks: the entry forgets it. Its objects stay counted in `used`, as lost;
 * the pool is marked corrupt, and its next allocation reports it.
 */
export function forgetCorruptChain(pool: usize, entry: CacheEntry, bytesWord: usize, size: u32): void {
  const count = entry.count;
  entry.first = 0;
  entry.count = 0;
  store<u32>(bytesWord, load<u32>(bytesWord) - count * size);
  if (pool != 0) markCorrupt(pool);
}

/** With the write lock held: pops up to `wanted` objects into this thread's transit. Returns how many. */
function popIntoTransit(pool: usize, wanted: u32): u32 {
  if (transitCount(threadSlot) != 0) settleTransit();
  const popped = popCluster(pool, wanted, false);
  const count = poppedCount(popped);
  // A corrupt list is left as it is: flush and gc stop there, the pool's next allocation reports it.
  if (poppedCorruptLink(popped) != 0) markCorrupt(pool);
  if (count == 0) return 0;
  // Straight-line from the CAS: the cluster is this thread's transit.
  holdInTransit(threadSlot, pool, poppedFirst(popped), count);
  return count;
}

/** Gives this thread's whole transit back to the backing allocator (flush, gc). */
function releaseTransit(size: u32): void {
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
    releaseTransit(size);
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
  // Checked link by link (chunks.ts), and bounded: a corrupt list can hold a cycle.
  const size = load<u32>(pool + P_SIZE);
  const bound = load<u32>(pool + P_ALLOCATED);
  let count: u32 = 0;
  for (let object = listFirst(pool + P_HEAD); object != 0 && count <= bound && isFreeObject(size, object); count++) {
    object = <usize>load<u32>(object);
  }
  return count;
}
