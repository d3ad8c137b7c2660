// The module's ABI: what the TypeScript wrapper calls. Numbers only cross
// the boundary; pool tokens and status codes are described in layout.ts.

import { backingAlloc, backingFree } from "./backing";
import { cacheAllocMany, cacheFreeMany } from "./batch";
import { cacheAlloc, cacheFree, cacheScratch, cachedCount } from "./cache";
import { heapAttach, heapCreate } from "./heap";
import { poolFreeCount } from "./pool";
import { registryCreate, registryDestroy, registryFlush, registryGc, resolvePool } from "./registry";
import { threadClose, threadReclaim } from "./threads";
import { ERR_STALE_POOL } from "./layout";

// Every layout constant, so the wrapper can check its mirror against them.
export * from "./layout";

export function heap_create(
  maxPages: u32, heapId: u32, testSwitches: u32, canBlock: bool, cacheBytes: u32, failPpm: u32, failSeed: u32, debugFlags: u32,
): i32 {
  return heapCreate(maxPages, heapId, testSwitches, canBlock, cacheBytes, failPpm, failSeed, debugFlags);
}

export function heap_attach(canBlock: bool, cacheBytes: u32): i32 {
  return heapAttach(canBlock, cacheBytes);
}

export function heap_gc(): void {
  registryGc();
}

/** Detaches this thread: its cache goes back to the pools. */
export function thread_close(): void {
  threadClose();
}

/** Drains the cache of thread `id`, which must be gone for good. */
export function thread_reclaim(id: u32): i32 {
  return threadReclaim(id);
}

/** Address of this thread's BATCH_MAX scratch words for the batch calls. */
export function thread_scratch(): usize {
  return cacheScratch();
}

export function pool_create(name: usize, nameLength: u32, size: u32, flags: u32, minAvail: u32, limit: u32): i32 {
  return registryCreate(name, nameLength, size, flags, minAvail, limit);
}

export function pool_destroy(token: u32): i32 {
  return registryDestroy(token);
}

export function pool_alloc(token: u32): usize {
  return cacheAlloc(token);
}

export function pool_free(token: u32, object: usize): i32 {
  return cacheFree(token, object);
}

export function pool_alloc_many(token: u32, count: u32): i32 {
  return cacheAllocMany(token, count);
}

export function pool_free_many(token: u32, count: u32): i32 {
  return cacheFreeMany(token, count);
}

export function pool_flush(token: u32): i32 {
  const pool = resolvePool(token);
  if (pool == 0) return ERR_STALE_POOL;
  registryFlush(pool, token);
  return 0;
}

/** Free-list length; only exact while no thread allocates or frees in the pool. */
export function pool_free_count(token: u32): i32 {
  const pool = resolvePool(token);
  return pool == 0 ? ERR_STALE_POOL : <i32>poolFreeCount(pool);
}

/** Objects of the pool sitting in thread caches; only exact while threads are quiet. */
export function pool_cached_count(token: u32): i32 {
  return resolvePool(token) == 0 ? ERR_STALE_POOL : <i32>cachedCount(token);
}

/** Scratch memory for passing strings in (pool names); 0 when memory is exhausted. */
export function scratch_alloc(bytes: u32): usize {
  return backingAlloc(bytes);
}

export function scratch_free(payload: usize): void {
  backingFree(payload);
}
