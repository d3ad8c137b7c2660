// The pool registry: MAX_POOLS slots after the header, claimed and released
// under the registry mutex (robust: a dead holder's lock is taken over, and
// every section here is consistent at each point where it can stop).
// Callers name a pool by a token, `generation << POOL_INDEX_BITS | slot`
// (slots.ts), so a token kept after its pool was destroyed (and the slot
// perhaps reused) is refused instead of reaching another pool's objects.

import {
  ERR_NAME_TAKEN, ERR_POOL_IN_USE, ERR_STALE_POOL, ERR_TOO_MANY_POOLS, H_REGISTRY_LOCK, MAX_POOLS, P_ALLOCATED, P_FAILED,
  P_FLAGS, P_GENERATION, P_HEAD, P_LIMIT, P_MIN_AVAIL, P_NAME, P_NAME_LEN, P_SIZE, P_STATE, P_USED, P_USERS, POOL_FREE,
  POOL_GENERATION_MASK, POOL_LIVE, POOL_SHARED, T_TRANSIT,
} from "./layout";
import { backingRelease } from "./backing";
import { cachedCount, drainOwnCache, drainOwnEntry, restamp } from "./cache";
import { chainLength, listDetachAll } from "./freelist";
import { beat, mutexLock, mutexUnlock } from "./locks";
import { poolFlush, poolGc } from "./pool";
import { poolAt, resolvePool, tokenOf } from "./slots";
import { deathPoint, taggedOwner, threadSlot } from "./thread";
import { holdInTransit, transitCount } from "./transit";

function nameEquals(pool: usize, name: usize, length: u32): bool {
  return <u32>load<u8>(pool + P_NAME_LEN) == length && memory.compare(pool + P_NAME, name, length) == 0;
}

@inline function registryLock(): void {
  deathPoint();
  mutexLock(H_REGISTRY_LOCK, taggedOwner); // a dead holder's section needs no repair
}

/**
 * Creates a pool, or joins an existing shared pool of the same rounded size.
 * Returns its token, or ERR_NAME_TAKEN / ERR_TOO_MANY_POOLS. The slot
 * becomes visible (LIVE) with its last store, so a creator that stops
 * before that leaves a free slot.
 */
export function registryCreate(name: usize, nameLength: u32, size: u32, flags: u32, minAvail: u32, limit: u32): i32 {
  registryLock();
  let result = ERR_TOO_MANY_POOLS;
  let freeSlot: i32 = -1;
  let joined = false;
  for (let index: u32 = 0; index < MAX_POOLS; index++) {
    deathPoint();
    const pool = poolAt(index);
    if (load<u32>(pool + P_STATE) != POOL_LIVE) {
      if (freeSlot < 0) freeSlot = <i32>index;
      continue;
    }
    const mergeable = (flags & POOL_SHARED) != 0 && (load<u32>(pool + P_FLAGS) & POOL_SHARED) != 0 && load<u32>(pool + P_SIZE) == size;
    if (mergeable) {
      atomic.add<u32>(pool + P_USERS, 1);
      result = <i32>tokenOf(pool);
      joined = true;
      break;
    }
    if (nameEquals(pool, name, nameLength)) result = ERR_NAME_TAKEN;
  }
  if (!joined && result != ERR_NAME_TAKEN && freeSlot >= 0) {
    const index = <u32>freeSlot;
    const pool = poolAt(index);
    releaseStragglers(pool);
    atomic.store<u32>(pool + P_ALLOCATED, 0);
    atomic.store<u32>(pool + P_USED, 0);
    atomic.store<u32>(pool + P_FAILED, 0);
    const generation = (load<u32>(pool + P_GENERATION) + 1) & POOL_GENERATION_MASK;
    store<u32>(pool + P_GENERATION, generation == 0 ? 1 : generation);
    store<u32>(pool + P_SIZE, size);
    store<u32>(pool + P_FLAGS, flags);
    store<u32>(pool + P_USERS, 1);
    store<u32>(pool + P_MIN_AVAIL, minAvail);
    store<u32>(pool + P_LIMIT, limit);
    store<u8>(pool + P_NAME_LEN, <u8>nameLength);
    memory.copy(pool + P_NAME, name, nameLength);
    restamp(pool);
    atomic.store<u32>(pool + P_STATE, POOL_LIVE);
    result = <i32>tokenOf(pool);
  }
  mutexUnlock(H_REGISTRY_LOCK);
  return result;
}

/**
 * The last flush left the slot's list empty. A free that raced with that
 * destroy (against the contract) may have pushed objects since: give them
 * back rather than hand them out uncounted.
 */
function releaseStragglers(pool: usize): void {
  const straggler = listDetachAll(pool + P_HEAD);
  if (straggler == 0) return;
  holdInTransit(threadSlot, pool, straggler, chainLength(straggler));
  while (transitCount(threadSlot) != 0) {
    deathPoint();
    backingRelease(threadSlot + T_TRANSIT, 0, 0, 0, false, false, transitCount(threadSlot));
  }
}

/**
 * Drops one user of a pool. At zero users the pool is flushed and its slot
 * freed; that is refused (ERR_POOL_IN_USE) while objects are still handed
 * out. Objects still in other threads' caches do not count as handed out:
 * the new stamp makes those threads release them to the backing allocator
 * at their next operation (cache.ts). The caller's own entry of the pool is
 * drained first either way. Returns the users left, or an error.
 */
export function registryDestroy(token: u32): i32 {
  registryLock();
  const pool = resolvePool(token);
  let result = ERR_STALE_POOL;
  if (pool != 0) {
    const users = load<u32>(pool + P_USERS);
    if (users <= 1) drainOwnEntry(token);
    if (users > 1) {
      atomic.sub<u32>(pool + P_USERS, 1);
      result = <i32>users - 1;
    } else if (atomic.load<u32>(pool + P_USED) != cachedCount(token)) {
      result = ERR_POOL_IN_USE;
    } else {
      restamp(pool);
      poolFlush(pool);
      store<u32>(pool + P_USERS, 0);
      atomic.store<u32>(pool + P_STATE, POOL_FREE);
      result = 0;
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

/** flush of one pool: new stamp, this thread's entry drained, the shared list released. */
export function registryFlush(pool: usize, token: u32): void {
  restamp(pool);
  drainOwnEntry(token);
  poolFlush(pool);
}
