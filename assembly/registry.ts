// The pool registry: pool create, destroy (retired slots), flush and gc of
// every pool, under the registry's robust mutex, every section consistent
// at each point where it can stop (docs/internals.md §7).

import { cachedCount, drainOwnCache, drainOwnEntry } from "./cache-miss";
import { recordFailure } from "./faults";
import { listFirst, listRenew, listRetired } from "./freelist";
import {
  ERR_NAME_TAKEN,
  ERR_POOL_IN_USE,
  ERR_STALE_POOL,
  ERR_TOO_MANY_POOLS,
  GENERATION_LAST,
  GENERATION_TEST_START,
  H_BACKING_LOCK,
  H_REGISTRY_LOCK,
  H_RETIRED_COUNT,
  H_TEST_SWITCHES,
  MAX_POOLS,
  P_ALLOCATED,
  P_FAILED,
  P_FLAGS,
  P_GENERATION,
  P_HEAD,
  P_LIMIT,
  P_MIN_AVAIL,
  P_NAME,
  P_NAME_LEN,
  P_SIZE,
  P_STATE,
  P_USED,
  P_USERS,
  POOL_FREE,
  POOL_LIVE,
  POOL_RETIRED,
  POOL_SHARED,
  TEST_GENERATIONS_NEAR_TOP,
} from "./layout";
import { beat, mutexUnlock } from "./lock-words";
import { backingLock, mutexLock } from "./locks";
import { poolFlush, poolGc, poolRetire } from "./pool";
import { poolAt, resolvePool, restamp } from "./slots";
import { deathPoint, taggedOwner } from "./thread";

function nameEquals(pool: usize, name: usize, length: u32): bool {
  return <u32>load<u8>(pool + P_NAME_LEN) == length && memory.compare(pool + P_NAME, name, length) == 0;
}

/** Takes the registry lock (pools, and channels' create and destroy). */
@inline export function registryLock(): void {
  deathPoint();
  mutexLock(H_REGISTRY_LOCK, taggedOwner); // a dead holder's section needs no repair
}

@inline export function registryUnlock(): void {
  mutexUnlock(H_REGISTRY_LOCK);
}

/**
 * Creates a pool, or joins an existing shared pool of the same rounded size.
 * Returns its slot index (and stores its generation at `generationOut`),
 * or ERR_NAME_TAKEN / ERR_TOO_MANY_POOLS. Only a FREE
 * slot is taken: a destroyed pool keeps its slot RETIRED until its last
 * object is back (layout.ts, "A pool slot's life"), and a slot whose
 * generation reached GENERATION_LAST is spent. The slot becomes
 * visible (LIVE) with its last store, so a creator that stops before that
 * leaves a free slot.
 */
export function registryCreate(name: usize, nameLength: u32, size: u32, flags: u32, minAvail: u32, limit: u32, generationOut: usize): i32 {
  registryLock();
  finishRetirements();
  let result = ERR_TOO_MANY_POOLS;
  let freeSlot: i32 = -1;
  let joined = false;
  let generation: u32 = 0;
  for (let index: u32 = 0; index < MAX_POOLS; index++) {
    deathPoint();
    const pool = poolAt(index);
    const state = atomic.load<u32>(pool + P_STATE);
    if (state != POOL_LIVE) {
      if (state == POOL_FREE && freeSlot < 0 && generationOf(pool) != GENERATION_LAST) freeSlot = <i32>index;
      continue;
    }
    const mergeable = (flags & POOL_SHARED) != 0 && (load<u32>(pool + P_FLAGS) & POOL_SHARED) != 0 && load<u32>(pool + P_SIZE) == size;
    if (mergeable) {
      atomic.add<u32>(pool + P_USERS, 1);
      result = <i32>index;
      generation = load<u32>(pool + P_GENERATION);
      joined = true;
      break;
    }
    if (nameEquals(pool, name, nameLength)) result = ERR_NAME_TAKEN;
  }
  if (!joined && result != ERR_NAME_TAKEN && freeSlot >= 0) {
    const pool = poolAt(<u32>freeSlot);
    // Under the backing lock: a retired pool's last release marks its slot
    // FREE there, and a rollback of that section may take the mark back.
    backingLock();
    if (atomic.load<u32>(pool + P_STATE) == POOL_FREE) {
      openSlot(pool, name, nameLength, size, flags, minAvail, limit);
      result = freeSlot;
      generation = load<u32>(pool + P_GENERATION);
    }
    mutexUnlock(H_BACKING_LOCK);
  }
  mutexUnlock(H_REGISTRY_LOCK);
  // Last: `generationOut` may be where the name was read from.
  if (result >= 0) store<u32>(generationOut, generation);
  return result;
}

/**
 * The generation of slot `pool`'s last incarnation (0: none yet). With the
 * test switch TEST_GENERATIONS_NEAR_TOP, a slot never used counts from
 * GENERATION_TEST_START, a few creates below the last generation.
 */
function generationOf(pool: usize): u32 {
  const generation = load<u32>(pool + P_GENERATION);
  return generation == 0 && (load<u32>(H_TEST_SWITCHES) & TEST_GENERATIONS_NEAR_TOP) != 0 ? GENERATION_TEST_START : generation;
}

/**
 * Makes a free slot a new pool incarnation. Nothing of an older one is
 * left: every thread that worked on it held some of its objects, and the
 * slot was freed only once they were all back. Tokens of older
 * incarnations are refused from the generation store on. The generation
 * only grows (the caller takes no spent slot, GENERATION_LAST), so no
 * token of an older incarnation ever names this one.
 */
function openSlot(pool: usize, name: usize, nameLength: u32, size: u32, flags: u32, minAvail: u32, limit: u32): void {
  store<u32>(pool + P_GENERATION, generationOf(pool) + 1);
  atomic.store<u32>(pool + P_ALLOCATED, 0);
  atomic.store<u32>(pool + P_USED, 0);
  atomic.store<u32>(pool + P_FAILED, 0);
  store<u32>(pool + P_SIZE, size);
  store<u32>(pool + P_FLAGS, flags);
  store<u32>(pool + P_USERS, 1);
  store<u32>(pool + P_MIN_AVAIL, minAvail);
  store<u32>(pool + P_LIMIT, limit);
  store<u8>(pool + P_NAME_LEN, <u8>nameLength);
  memory.copy(pool + P_NAME, name, nameLength);
  listRenew(pool + P_HEAD);
  restamp(pool);
  atomic.store<u32>(pool + P_STATE, POOL_LIVE);
}

/** Finishes the retirement of pools whose destroyer stopped half-way (its list not yet retired or given back). */
function finishRetirements(): void {
  // No death point at this loop's head: a thread stopped there has read, not changed, anything (poolRetire has its own).
  for (let index: u32 = 0; index < MAX_POOLS; index++) {
    const pool = poolAt(index);
    if (atomic.load<u32>(pool + P_STATE) != POOL_RETIRED) continue;
    if (!listRetired(pool + P_HEAD) || listFirst(pool + P_HEAD) != 0) poolRetire(pool);
  }
}

/** Tries at most this many times to count a pool's handed-out objects while threads move them. */
const COUNT_TRIES: u32 = 16;

/**
 * Objects of the pool handed out now: `used` less what live threads' caches
 * hold. Counted twice over and taken only when both counts agree, so that
 * objects moving between caches and hands meanwhile are not missed; -1
 * when they never agreed (the pool is busy). Objects in a closing or dead
 * thread's cache count as handed out until that thread is done or reclaimed.
 */
function handedOut(pool: usize, token: u64): i64 {
  for (let attempt: u32 = 0; attempt < COUNT_TRIES; attempt++) {
    deathPoint();
    const used = atomic.load<u32>(pool + P_USED);
    const cached = cachedCount(token);
    if (atomic.load<u32>(pool + P_USED) == used && cachedCount(token) == cached) return <i64>used - <i64>cached;
  }
  return -1;
}

/**
 * Drops one user of a pool. At zero users the pool is destroyed: refused
 * (ERR_POOL_IN_USE) while objects of it are handed out; else it is retired
 * (no thread can find it or allocate from it any more), its shared list is
 * frozen and given back, and its slot is freed once every object of it is
 * back (at once, when no other thread's cache holds any). The caller's own
 * entry of the pool is drained first. With `force`, objects handed out do
 * not stop it (nor a corrupt list, given back up to where it breaks): they
 * stay counted in the retired pool, whose slot waits for them. Returns the
 * users left, or an error.
 */
export function registryDestroy(token: u64, force: bool): i32 {
  registryLock();
  finishRetirements();
  const pool = resolvePool(token);
  let result = ERR_STALE_POOL;
  if (pool != 0) {
    const users = load<u32>(pool + P_USERS);
    if (users > 1) {
      atomic.sub<u32>(pool + P_USERS, 1);
      result = <i32>users - 1;
    } else {
      drainOwnEntry(token);
      // A new stamp first: other threads' caches stop serving the pool, so the count below settles.
      restamp(pool);
      if (!force && handedOut(pool, token) != 0) {
        result = ERR_POOL_IN_USE;
      } else {
        store<u32>(pool + P_USERS, 0);
        atomic.store<u32>(pool + P_STATE, POOL_RETIRED);
        atomic.add<u32>(H_RETIRED_COUNT, 1);
        // Again: an entry synchronised between the first stamp and RETIRED stops serving too.
        restamp(pool);
        poolRetire(pool);
        result = 0;
      }
    }
  }
  mutexUnlock(H_REGISTRY_LOCK);
  return result;
}

/**
 * gc for the whole heap: every live pool gives back what it holds beyond its
 * minAvail. New stamps ask every thread's cache to give its objects back
 * (at once for this thread, at their next operation for others).
 */
export function registryGc(): void {
  registryLock();
  finishRetirements();
  for (let index: u32 = 0; index < MAX_POOLS; index++) {
    deathPoint();
    const pool = poolAt(index);
    if (load<u32>(pool + P_STATE) == POOL_LIVE) restamp(pool);
  }
  drainOwnCache();
  for (let index: u32 = 0; index < MAX_POOLS; index++) {
    deathPoint();
    const pool = poolAt(index);
    if (load<u32>(pool + P_STATE) == POOL_LIVE) poolGc(pool);
    beat();
  }
  mutexUnlock(H_REGISTRY_LOCK);
}

/** flush of the live pool `token` names: new stamp, this thread's entry drained, the shared list released. */
export function registryFlush(token: u64): i32 {
  registryLock();
  const pool = resolvePool(token);
  if (pool != 0) {
    restamp(pool);
    drainOwnEntry(token);
    poolFlush(pool);
  }
  mutexUnlock(H_REGISTRY_LOCK);
  return pool == 0 ? ERR_STALE_POOL : 0;
}

/** Counts a failed allocation of the live pool `token` names (under the registry lock, so never in a reused slot). */
export function registryCountFailure(token: u64): void {
  registryLock();
  const pool = resolvePool(token);
  if (pool != 0) recordFailure(pool);
  mutexUnlock(H_REGISTRY_LOCK);
}
