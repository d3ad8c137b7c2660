// Addresses and tokens of pool slots, channel slots, thread slots and cache entries, from
// the layout alone (docs/internals.md §2): every layer uses them, and they
// use nothing but layout.ts.

import {
  CHANNEL_SLOT_SIZE,
  CHANNELS_START,
  H_STAMP_COUNTER,
  P_FLAGS,
  P_GENERATION,
  P_STAMP,
  P_STATE,
  POOL_CORRUPT,
  POOL_FREE,
  POOL_INDEX_BITS,
  POOL_LIVE,
  POOL_SLOT_SIZE,
  POOLS_START,
  THREAD_SLOT_SIZE,
  THREADS_START,
} from "./layout";

/** The slot index bits of a pool token. */
export const INDEX_MASK: u32 = (1 << POOL_INDEX_BITS) - 1;

/** The token of generation `generation` of slot `index` (layout.ts, "A pool token"). */
@inline export function makeToken(index: u32, generation: u32): u64 {
  return ((<u64>generation) << 32) | <u64>(index & INDEX_MASK);
}

/** The pool slot index a token names. */
@inline export function tokenIndex(token: u64): u32 {
  return <u32>token & INDEX_MASK;
}

/** The generation a token names (what a cache entry holds, E_TOKEN). */
@inline export function tokenGeneration(token: u64): u32 {
  return <u32>(token >> 32);
}

@inline export function poolAt(index: u32): usize {
  return POOLS_START + index * POOL_SLOT_SIZE;
}

@inline export function poolIndexOf(pool: usize): u32 {
  return <u32>((pool - POOLS_START) / POOL_SLOT_SIZE);
}

/** The token of the pool incarnation now in slot `pool`. */
@inline export function tokenOf(pool: usize): u64 {
  return makeToken(poolIndexOf(pool), load<u32>(pool + P_GENERATION));
}

/** The live pool a token names, or 0 when the token is stale. Every bit of the generation is compared. */
@inline export function resolvePool(token: u64): usize {
  const pool = poolAt(tokenIndex(token));
  if (load<u32>(pool + P_GENERATION) != tokenGeneration(token) || atomic.load<u32>(pool + P_STATE) != POOL_LIVE) return 0;
  return pool;
}

/** Whether slot `pool` holds the incarnation a token names (live or retired, not yet freed). */
@inline export function holdsIncarnation(pool: usize, token: u64): bool {
  return load<u32>(pool + P_GENERATION) == tokenGeneration(token) && atomic.load<u32>(pool + P_STATE) != POOL_FREE;
}

/**
 * The pool a token names, live or retired (destroyed, but objects of it are
 * still out and come back to it), or 0 once its slot is free or reused.
 */
@inline export function resolveIncarnation(token: u64): usize {
  const pool = poolAt(tokenIndex(token));
  return holdsIncarnation(pool, token) ? pool : 0;
}

/** Gives the pool a new stamp: every cache entry filled under the old one gives its objects back (cache-miss.ts). */
export function restamp(pool: usize): void {
  atomic.store<u32>(pool + P_STAMP, atomic.add<u32>(H_STAMP_COUNTER, 1) + 1);
}

/** Marks the pool corrupt (layout.ts, POOL_CORRUPT) and stops every cache from serving it. */
export function markCorrupt(pool: usize): void {
  atomic.or<u32>(pool + P_FLAGS, POOL_CORRUPT);
  restamp(pool);
}

/** Whether the pool is marked corrupt. */
@inline export function isCorrupt(pool: usize): bool {
  return (atomic.load<u32>(pool + P_FLAGS) & POOL_CORRUPT) != 0;
}

@inline export function channelAt(index: u32): usize {
  return CHANNELS_START + index * CHANNEL_SLOT_SIZE;
}

@inline export function threadSlotAt(index: u32): usize {
  return THREADS_START + index * THREAD_SLOT_SIZE;
}

@inline export function threadIndexOf(slot: usize): u32 {
  return <u32>((slot - THREADS_START) / THREAD_SLOT_SIZE);
}

/** What a thread writes in a lock word it owns (locks.ts): its slot index + 1, so that 0 means unlocked. */
@inline export function ownerValueOf(slot: usize): u32 {
  return threadIndexOf(slot) + 1;
}

/** The thread slot a lock word's owner value names. */
@inline export function slotOfOwner(owner: u32): usize {
  return threadSlotAt(owner - 1);
}
