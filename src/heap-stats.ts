// heap.stats(): the heap's sizes and counters, read from the raw words of
// its header and pool slots (docs/internals.md §2), beside every live
// pool's own stats. Each word is read atomically, one by one: the whole is
// exact once threads are quiet.

import { readFailures } from "./faults.js";
import type { HeapStats } from "./heap-types.js";
import {
  H_BACKING_FREE_BYTES,
  H_BACKING_USED_BYTES,
  H_LARGE_BLOCKS,
  H_LARGE_BYTES,
  H_MAX_PAGES,
  MAX_POOLS,
  P_ALLOCATED,
  P_STATE,
  PAGE_BYTES,
  POOL_RETIRED,
} from "./layout.js";
import type { PoolStats } from "./pool.js";
import { poolSlotAddress } from "./slots.js";
import type { MemoryViews } from "./views.js";

/** Destroyed pools whose slots still wait for objects, and how many objects they wait for. */
function retired(views: MemoryViews): { retiredPools: number; retiredObjects: number } {
  let retiredPools = 0;
  let retiredObjects = 0;
  for (let id = 0; id < MAX_POOLS; id++) {
    const slot = poolSlotAddress(id);
    if (views.word(slot + P_STATE) !== POOL_RETIRED) continue;
    retiredPools++;
    retiredObjects += views.word(slot + P_ALLOCATED);
  }
  return { retiredPools, retiredObjects };
}

/** The heap's stats, given every live pool's. */
export function heapStats(views: MemoryViews, pools: PoolStats[]): HeapStats {
  return {
    pools,
    memoryBytes: views.memoryBytes,
    maxBytes: views.word(H_MAX_PAGES) * PAGE_BYTES,
    allocatedBytes: pools.reduce((sum, p) => sum + p.allocated * p.size, 0),
    usedBytes: pools.reduce((sum, p) => sum + p.used * p.size, 0),
    cachedBytes: pools.reduce((sum, p) => sum + p.cached * p.size, 0),
    backingUsedBytes: views.word(H_BACKING_USED_BYTES),
    backingFreeBytes: views.word(H_BACKING_FREE_BYTES),
    ...retired(views),
    largeBlocks: views.word(H_LARGE_BLOCKS),
    largeBytes: views.word(H_LARGE_BYTES),
    ...readFailures(views),
  };
}
