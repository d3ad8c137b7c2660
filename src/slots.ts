// Addresses and tokens of pool slots, channel slots, thread slots and cache entries, from
// the layout alone, as assembly/slots.ts has them for the core
// (docs/internals.md §2). Every file of the wrapper takes them from here.

import {
  CACHE_ENTRIES,
  CACHE_ENTRY_SIZE,
  CH_GENERATION,
  CH_LOCK,
  CH_NAME,
  CH_NAME_LEN,
  CH_STATE,
  CHANNEL_FREE,
  CHANNEL_SLOT_SIZE,
  CHANNELS_START,
  MAX_CHANNELS,
  MAX_POOLS,
  P_FLUSH_LOCK,
  P_GENERATION,
  P_NAME,
  P_NAME_LEN,
  P_STATE,
  POOL_INDEX_BITS,
  POOL_LIVE,
  POOL_RETIRED,
  POOL_SLOT_SIZE,
  POOLS_START,
  THREAD_SLOT_SIZE,
  THREADS_START,
} from "./layout.js";
import type { MemoryViews } from "./views.js";

/** The slot index bits of a word that names a pool slot beside other fields (the failure ring's). */
export const INDEX_MASK = (1 << POOL_INDEX_BITS) - 1;

const decoder = new TextDecoder();

export function poolSlotAddress(id: number): number {
  return POOLS_START + id * POOL_SLOT_SIZE;
}

/** The pool slot such a word names. */
export function poolIdOf(word: number): number {
  return word & INDEX_MASK;
}

// A pool incarnation is {slot id, generation} (assembly/layout.ts, "A pool
// token"): a slot's generation is never reused, so the generation alone
// tells a handle's incarnation from every other of its slot, and it is what
// a cache entry's token word holds (E_TOKEN).

/** The generation of the incarnation now in pool slot `id` (whatever its state). */
function generationIn(views: MemoryViews, id: number): number {
  return views.word(poolSlotAddress(id) + P_GENERATION);
}

/** The generation of the pool now live in slot `id`, or -1 if the slot is not live. */
export function liveGeneration(views: MemoryViews, id: number): number {
  return views.word(poolSlotAddress(id) + P_STATE) === POOL_LIVE ? generationIn(views, id) : -1;
}

/** The generation of the pool incarnation in slot `id`, live or retired (destroyed, objects still out), or -1 if the slot is free. */
export function incarnationGeneration(views: MemoryViews, id: number): number {
  const state = views.word(poolSlotAddress(id) + P_STATE);
  return state === POOL_LIVE || state === POOL_RETIRED ? generationIn(views, id) : -1;
}

/** The name in pool slot `id` (live or not). */
export function poolName(views: MemoryViews, id: number): string {
  const slot = poolSlotAddress(id);
  // The length is a byte; the name's first three bytes share its word.
  return decoder.decode(views.copy(slot + P_NAME, views.word(slot + P_NAME_LEN) & 0xff));
}

/** The pool slot whose flush lock is at `address`, or -1 when it is none. */
export function poolOfFlushLock(address: number): number {
  const id = (address - P_FLUSH_LOCK - POOLS_START) / POOL_SLOT_SIZE;
  return Number.isInteger(id) && id >= 0 && id < MAX_POOLS ? id : -1;
}

export function channelSlotAddress(id: number): number {
  return CHANNELS_START + id * CHANNEL_SLOT_SIZE;
}

/** The generation of the channel now in slot `id` (open or closed), or -1 if the slot is free. */
export function channelGeneration(views: MemoryViews, id: number): number {
  const slot = channelSlotAddress(id);
  return views.word(slot + CH_STATE) === CHANNEL_FREE ? -1 : views.word(slot + CH_GENERATION);
}

/** The name in channel slot `id` (in use or not). */
export function channelName(views: MemoryViews, id: number): string {
  const slot = channelSlotAddress(id);
  return decoder.decode(views.copy(slot + CH_NAME, views.word(slot + CH_NAME_LEN) & 0xff));
}

/** The u64 at `address` below the arena (a channel's counts), as a number: exact below 2^53; the high word read first, so a low word that wraps meanwhile reads low, never 2^32 too high. */
export function u64At(views: MemoryViews, address: number): number {
  const high = views.word(address + 4);
  return high * 2 ** 32 + views.word(address);
}

/** The channel slot whose lock is at `address`, or -1 when it is none. */
export function channelOfLock(address: number): number {
  const id = (address - CH_LOCK - CHANNELS_START) / CHANNEL_SLOT_SIZE;
  return Number.isInteger(id) && id >= 0 && id < MAX_CHANNELS ? id : -1;
}

export function threadSlotAddress(index: number): number {
  return THREADS_START + index * THREAD_SLOT_SIZE;
}

/** The thread slot a lock word's owner value (slot index + 1) names. */
export function slotOfOwner(owner: number): number {
  return threadSlotAddress(owner - 1);
}

/** The cache entry of pool slot `id` in the cache block at `block`. */
export function cacheEntryAddress(block: number, id: number): number {
  return block + CACHE_ENTRIES + id * CACHE_ENTRY_SIZE;
}
