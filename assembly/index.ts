// The module's ABI: what the TypeScript wrapper calls. Numbers only cross
// the boundary; pool tokens and status codes are described in layout.ts.

import { backingAlloc, backingFree } from "./backing";
import { heapAttach, heapCreate } from "./heap";
import { poolAlloc, poolFree, poolFreeCount, poolFlush } from "./pool";
import { registryCreate, registryDestroy, registryGc, resolvePool } from "./registry";
import { ERR_STALE_POOL } from "./layout";

// Every layout constant, so the wrapper can check its mirror against them.
export * from "./layout";

export {
  ABI_VERSION, HEAP_MAGIC, HEADER_START, H_INIT_STATE, H_HEAP_ID, H_MAX_PAGES, H_BACKING_TOP,
  H_BACKING_FREE_BYTES, H_BACKING_USED_BYTES, MAX_POOLS, POOL_SLOT_SIZE, POOLS_START, ARENA_START,
  MIN_PAGES, MAX_PAGES_LIMIT, P_HEAD, P_FLUSH_LOCK, P_ALLOCATED, P_USED, P_FAILED, P_STATE,
  P_GENERATION, P_SIZE, P_FLAGS, P_USERS, P_MIN_AVAIL, P_LIMIT, P_NAME_LEN, P_NAME, POOL_NAME_MAX,
  POOL_LIVE, POOL_SHARED, POOL_INDEX_BITS, CHUNK_HEADER, CHUNK_MAX_PAYLOAD,
  TEST_NO_SEQUENCE, TEST_NO_FLUSH_LOCK,
} from "./layout";

export function heap_create(maxPages: u32, heapId: u32, testSwitches: u32, canBlock: bool): i32 {
  return heapCreate(maxPages, heapId, testSwitches, canBlock);
}

export function heap_attach(canBlock: bool): i32 {
  return heapAttach(canBlock);
}

export function heap_gc(): void {
  registryGc();
}

export function pool_create(name: usize, nameLength: u32, size: u32, flags: u32, minAvail: u32, limit: u32): i32 {
  return registryCreate(name, nameLength, size, flags, minAvail, limit);
}

export function pool_destroy(token: u32): i32 {
  return registryDestroy(token);
}

export function pool_alloc(token: u32): usize {
  return poolAlloc(token);
}

export function pool_free(token: u32, object: usize): i32 {
  return poolFree(token, object);
}

export function pool_flush(token: u32): i32 {
  const pool = resolvePool(token);
  if (pool == 0) return ERR_STALE_POOL;
  poolFlush(pool);
  return 0;
}

/** Free-list length; only exact while no thread allocates or frees in the pool. */
export function pool_free_count(token: u32): i32 {
  const pool = resolvePool(token);
  return pool == 0 ? ERR_STALE_POOL : <i32>poolFreeCount(pool);
}

/** Scratch memory for passing strings in (pool names); 0 when memory is exhausted. */
export function scratch_alloc(bytes: u32): usize {
  return backingAlloc(bytes);
}

export function scratch_free(payload: usize): void {
  backingFree(payload);
}
