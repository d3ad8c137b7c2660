// The module's ABI: what the TypeScript wrapper calls. Numbers only cross
// the boundary; pool tokens and status codes are described in layout.ts. A
// pool token crosses as its two halves, the slot `id` and the `generation`,
// and every call compares the whole generation.

import { cacheAllocMany, cacheFreeMany } from "./batch";
import { cacheAlloc, cacheFree } from "./cache";
import { cacheScratch } from "./cache-block";
import { cachedCount, giveBackWaitedFor } from "./cache-miss";
import { channelClose, channelCreate, channelDestroy, channelReceive, channelSend } from "./channels";
import { heapAttach, heapCreate } from "./heap";
import { largeAlloc, largeFree } from "./large";
import {
  ALLOC_FAILED,
  ALLOC_NOT_ATTACHED,
  ARENA_START,
  CHANNEL_NAME_MAX,
  CHUNK_HEADER,
  ERR_NOT_READY,
  ERR_STALE_POOL,
  H_MAX_PAGES,
  LARGE_PREFIX,
  POOL_NAME_MAX,
} from "./layout";
import { poolFreeCount } from "./pool";
import { registryCountFailure, registryCreate, registryDestroy, registryFlush, registryGc } from "./registry";
import { makeToken, resolvePool } from "./slots";
import { threadSlot } from "./thread";
import { threadAbandonAttach, threadClose, threadReclaim, threadReclaimDead } from "./thread-slots";
import { releaseHolds } from "./unwind";

// Every layout constant, so the wrapper can check its mirror against them.
export * from "./layout";

export function heap_create(
  maxPages: u32,
  heapId: u32,
  testSwitches: u32,
  canBlock: bool,
  cacheBytes: u32,
  failPpm: u32,
  failSeed: u32,
  debugFlags: u32,
  nodeId: u32,
  parent: u32,
  grandparent: u32,
  lifeLock: u32,
): i32 {
  return heapCreate(
    maxPages,
    heapId,
    testSwitches,
    canBlock,
    cacheBytes,
    failPpm,
    failSeed,
    debugFlags,
    nodeId,
    parent,
    grandparent,
    lifeLock,
  );
}

/**
 * `nodeId` and the ancestors' are Node threadIds + 1 (0: none or unknown),
 * nearest ancestor first; `lifeLock` names the life lock the thread already
 * holds (T_LIFE_LOCK; 0: none, where exit events tell of its end).
 */
export function heap_attach(canBlock: bool, cacheBytes: u32, nodeId: u32, parent: u32, grandparent: u32, lifeLock: u32): i32 {
  return heapAttach(canBlock, cacheBytes, nodeId, parent, grandparent, lifeLock);
}

export function heap_gc(): void {
  registryGc();
}

/** Detaches this thread: its cache goes back to the pools. */
export function thread_close(): void {
  threadClose();
}

/**
 * Reclaims thread `id` (a heap thread id, or with `byNodeId` a Node
 * threadId + 1, with every thread it started), which must be gone for good.
 * Returns how many slots it marked dead, or ERR_UNKNOWN_THREAD.
 */
export function thread_reclaim(id: u32, byNodeId: bool): i32 {
  return threadReclaim(id, byNodeId);
}

/** Takes up every reclaim that was deferred or abandoned; returns how many slots it reclaimed. */
export function thread_reclaim_dead(): i32 {
  return threadReclaimDead();
}

/**
 * After a trap the core did not record (a stray write made it read outside
 * the memory): lets go of every lock and read hold this thread holds, rolls
 * back a half-done section of the backing allocator and puts its transit
 * back, so that the heap stays usable (unwind.ts, releaseHolds).
 */
export function thread_release_holds(): void {
  releaseHolds();
}

/** After heap_attach gave up: frees the slot it claimed (thread-slots.ts). */
export function thread_abandon_attach(): void {
  threadAbandonAttach();
}

/** Address of this thread's BATCH_MAX scratch words for the batch calls and for pool names. */
export function thread_scratch(): usize {
  return cacheScratch();
}

/** Before this thread sleeps in a wait of the wrapper: its cached objects of pools that someone waits for go back to their lists. */
export function thread_give_back(): void {
  if (threadSlot != 0) giveBackWaitedFor();
}

/** Address of this thread's slot. */
export function thread_slot(): usize {
  return threadSlot;
}

/**
 * Creates a pool whose name the caller wrote in this thread's scratch words.
 * Returns its slot id, its generation in the first scratch word; or an error.
 */
export function pool_create(nameLength: u32, size: u32, flags: u32, minAvail: u32, limit: u32): i32 {
  return registryCreate(cacheScratch(), min(nameLength, POOL_NAME_MAX), size, flags, minAvail, limit, cacheScratch());
}

/** Destroys (drops one user of) a pool; with `force`, also while objects of it are handed out or its list is corrupt. */
export function pool_destroy(id: u32, generation: u32, force: bool): i32 {
  return registryDestroy(makeToken(id, generation), force);
}

// The slow path's policy, in one place (as mimalloc's _mi_malloc_generic):
// when a pool cannot get objects, every pool gives back what it can (this
// thread's cache included), then one more try; only then is it a failure.

export function pool_alloc(id: u32, generation: u32): usize {
  if (threadSlot == 0) return ALLOC_NOT_ATTACHED;
  const token = makeToken(id, generation);
  let object = cacheAlloc(token);
  if (object != ALLOC_FAILED) return object;
  registryGc();
  object = cacheAlloc(token);
  if (object == ALLOC_FAILED) registryCountFailure(token);
  return object;
}

export function pool_alloc_many(id: u32, generation: u32, count: u32): i32 {
  if (threadSlot == 0) return ERR_STALE_POOL;
  const token = makeToken(id, generation);
  const done = cacheAllocMany(token, 0, count);
  if (done < 0 || <u32>done >= min(count, BATCH_MAX)) return done;
  registryGc();
  const reached = cacheAllocMany(token, <u32>done, count);
  if (reached == ERR_STALE_POOL) return done;
  if (<u32>reached < min(count, BATCH_MAX)) registryCountFailure(token);
  return reached;
}

/** A large block of `bytes` (malloc beyond the largest size class), under the same policy; 0 when none can be had. */
export function large_alloc(bytes: u32): usize {
  if (threadSlot == 0) return ALLOC_NOT_ATTACHED;
  const block = largeAlloc(bytes);
  // No gc can make room for more than the whole arena.
  if (block != 0 || <u64>bytes + LARGE_PREFIX + CHUNK_HEADER + ARENA_START > (<u64>load<u32>(H_MAX_PAGES)) << 16) return block;
  registryGc();
  return largeAlloc(bytes);
}

/** Frees a large block; ERR_BAD_POINTER when `block` is none. */
export function large_free(block: usize): i32 {
  return largeFree(block);
}

export function pool_free(id: u32, generation: u32, object: usize): i32 {
  return cacheFree(makeToken(id, generation), object);
}

export function pool_free_many(id: u32, generation: u32, count: u32): i32 {
  return cacheFreeMany(makeToken(id, generation), count);
}

export function pool_flush(id: u32, generation: u32): i32 {
  return registryFlush(makeToken(id, generation));
}

/** Free-list length; only exact while no thread allocates or frees in the pool. */
export function pool_free_count(id: u32, generation: u32): i32 {
  const pool = resolvePool(makeToken(id, generation));
  return pool == 0 ? ERR_STALE_POOL : <i32>poolFreeCount(pool);
}

/** Objects of the pool sitting in thread caches; only exact while threads are quiet. */
export function pool_cached_count(id: u32, generation: u32): i32 {
  const token = makeToken(id, generation);
  return resolvePool(token) == 0 ? ERR_STALE_POOL : <i32>cachedCount(token);
}

// Channels (channels.ts). Every call needs an attached thread: its slot owns the channel's lock while it works.

/**
 * Creates a channel of `capacity` messages whose name the caller wrote in
 * this thread's scratch words. Returns its slot id, its generation in the
 * first scratch word; or an error.
 */
export function channel_create(nameLength: u32, capacity: u32): i32 {
  if (threadSlot == 0) return ERR_NOT_READY;
  return channelCreate(cacheScratch(), min(nameLength, CHANNEL_NAME_MAX), capacity, cacheScratch());
}

export function channel_send(id: u32, generation: u32, object: u32): i32 {
  if (threadSlot == 0) return ERR_NOT_READY;
  return channelSend(id, generation, object);
}

/** A pointer, or RECEIVE_EMPTY, RECEIVE_STALE, ALLOC_NOT_ATTACHED, RECEIVE_CLOSED. */
export function channel_receive(id: u32, generation: u32): u32 {
  if (threadSlot == 0) return ALLOC_NOT_ATTACHED;
  return channelReceive(id, generation);
}

export function channel_close(id: u32, generation: u32): i32 {
  if (threadSlot == 0) return ERR_NOT_READY;
  return channelClose(id, generation);
}

export function channel_destroy(id: u32, generation: u32): i32 {
  if (threadSlot == 0) return ERR_NOT_READY;
  return channelDestroy(id, generation);
}
