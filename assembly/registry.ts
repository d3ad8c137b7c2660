// The pool registry: MAX_POOLS slots after the header, claimed and released
// under the registry mutex. Callers name a pool by a token,
// `generation << POOL_INDEX_BITS | slot`, so a token kept after its pool was
// destroyed (and the slot perhaps reused) is refused instead of reaching
// another pool's objects.

import {
  H_REGISTRY_LOCK, MAX_POOLS, P_ALLOCATED, P_HEAD, P_FAILED, P_FLAGS, P_GENERATION, P_LIMIT,
  P_MIN_AVAIL, P_NAME, P_NAME_LEN, P_SIZE, P_STATE, P_USED, P_USERS, POOL_FREE,
  POOL_GENERATION_MASK, POOL_INDEX_BITS, POOL_LIVE, POOL_SHARED, POOL_SLOT_SIZE, POOLS_START,
  ERR_NAME_TAKEN, ERR_POOL_IN_USE, ERR_STALE_POOL, ERR_TOO_MANY_POOLS,
} from "./layout";
import { backingFreeChain } from "./backing";
import { chainLength, listDetachAll } from "./freelist";
import { mutexLock, mutexUnlock } from "./mutex";
import { poolFlush, poolGc } from "./pool";
import { cachedCount, drainOwnCache, drainOwnEntry, restamp } from "./cache";

@inline export function poolAt(index: u32): usize {
  return POOLS_START + index * POOL_SLOT_SIZE;
}

/** The token of the pool incarnation now in slot `pool`. */
@inline export function tokenOf(pool: usize): u32 {
  return (load<u32>(pool + P_GENERATION) << POOL_INDEX_BITS) | <u32>((pool - POOLS_START) / POOL_SLOT_SIZE);
}

/** The live pool a token names, or 0 when the token is stale or malformed. */
@inline export function resolvePool(token: u32): usize {
  const index = token & ((1 << POOL_INDEX_BITS) - 1);
  const pool = poolAt(index);
  if (load<u32>(pool + P_GENERATION) != token >> POOL_INDEX_BITS || load<u32>(pool + P_STATE) != POOL_LIVE) return 0;
  return pool;
}

function nameEquals(pool: usize, name: usize, length: u32): bool {
  return <u32>load<u8>(pool + P_NAME_LEN) == length && memory.compare(pool + P_NAME, name, length) == 0;
}

/**
 * Creates a pool, or joins an existing shared pool of the same rounded size.
 * Returns its token, or ERR_NAME_TAKEN / ERR_TOO_MANY_POOLS.
 */
export function registryCreate(name: usize, nameLength: u32, size: u32, flags: u32, minAvail: u32, limit: u32): i32 {
  mutexLock(H_REGISTRY_LOCK);
  let result = ERR_TOO_MANY_POOLS;
  let freeSlot: i32 = -1;
  let joined = false;
  for (let index: u32 = 0; index < MAX_POOLS; index++) {
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
    // The last flush left the list empty and flush_lock free. A free that
    // raced with that destroy (against the contract) may have pushed an
    // object since: give it back rather than hand it out uncounted.
    const straggler = listDetachAll(pool + P_HEAD);
    if (straggler != 0) backingFreeChain(straggler, chainLength(straggler));
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
 * Drops one user of a pool. At zero users the pool is flushed and its slot
 * freed; that is refused (ERR_POOL_IN_USE, nothing changed) while objects are
 * still handed out. Objects still in other threads' caches do not count as
 * handed out: the new stamp makes those threads release them to the backing
 * allocator at their next operation (cache.ts). Returns the users left, or an error.
 */
export function registryDestroy(token: u32): i32 {
  mutexLock(H_REGISTRY_LOCK);
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
  mutexLock(H_REGISTRY_LOCK);
  for (let index: u32 = 0; index < MAX_POOLS; index++) {
    const pool = poolAt(index);
    if (load<u32>(pool + P_STATE) == POOL_LIVE) restamp(pool);
  }
  drainOwnCache();
  for (let index: u32 = 0; index < MAX_POOLS; index++) {
    const pool = poolAt(index);
    if (load<u32>(pool + P_STATE) == POOL_LIVE) poolGc(pool);
  }
  mutexUnlock(H_REGISTRY_LOCK);
}

/** flush of one pool: new stamp, this thread's entry drained, the shared list released. */
export function registryFlush(pool: usize, token: u32): void {
  restamp(pool);
  drainOwnEntry(token);
  poolFlush(pool);
}
