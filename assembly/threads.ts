// Thread slots: every attached thread claims one (layout.ts) and a cache
// block from the backing allocator, and gives both back when it closes.
// A thread that is gone without closing (a terminated worker) leaves its
// slot LIVE; threadReclaim, called by a thread that knows it is gone, drains
// its cache and frees the slot.

import {
  CACHE_BLOCK_BYTES, ERR_NO_MEMORY, ERR_TOO_MANY_THREADS, ERR_UNKNOWN_THREAD, H_NEXT_THREAD_ID, MAX_THREADS, OK,
  P_FLUSH_LOCK, T_CACHE, T_ID, T_READ_HOLD, T_STATE, THREAD_BUSY, THREAD_FREE, THREAD_LIVE, THREAD_SLOT_SIZE, THREADS_START,
} from "./layout";
import { backingAlloc, backingFree } from "./backing";
import { cacheForget, cacheInit, drainBlock, drainOwnCache } from "./cache";
import { readUnlock } from "./rwlock";
import { setThreadSlot } from "./thread";

/** This thread's slot (0 until attached). */
let ownSlot: usize = 0;

@inline function slotAt(index: u32): usize {
  return THREADS_START + index * THREAD_SLOT_SIZE;
}

/** Claims a slot and a cache block for the calling thread; returns its id (>= 1) or an error. */
export function threadAttach(cacheLimitBytes: u32): i32 {
  let slot: usize = 0;
  for (let index: u32 = 0; index < MAX_THREADS && slot == 0; index++) {
    if (atomic.cmpxchg<u32>(slotAt(index) + T_STATE, THREAD_FREE, THREAD_BUSY) == THREAD_FREE) slot = slotAt(index);
  }
  if (slot == 0) return ERR_TOO_MANY_THREADS;
  const block = backingAlloc(CACHE_BLOCK_BYTES);
  if (block == 0) {
    atomic.store<u32>(slot + T_STATE, THREAD_FREE);
    return ERR_NO_MEMORY;
  }
  cacheInit(block, cacheLimitBytes);
  const id = atomic.add<u32>(H_NEXT_THREAD_ID, 1) + 1;
  store<u32>(slot + T_ID, id);
  store<u32>(slot + T_CACHE, <u32>block);
  store<u32>(slot + T_READ_HOLD, 0);
  atomic.store<u32>(slot + T_STATE, THREAD_LIVE);
  ownSlot = slot;
  setThreadSlot(slot);
  return <i32>id;
}

/** Detaches the calling thread: its cache goes back to the pools, its slot and block are freed. */
export function threadClose(): void {
  if (ownSlot == 0) return;
  atomic.store<u32>(ownSlot + T_STATE, THREAD_BUSY);
  drainOwnCache();
  backingFree(<usize>load<u32>(ownSlot + T_CACHE));
  cacheForget();
  atomic.store<u32>(ownSlot + T_STATE, THREAD_FREE);
  ownSlot = 0;
}

/**
 * Releases the slot of thread `id`, which the caller knows is gone (it must
 * never run again): its cached objects go back to their pools.
 * Returns OK, or ERR_UNKNOWN_THREAD when no live thread has that id.
 */
export function threadReclaim(id: u32): i32 {
  for (let index: u32 = 0; index < MAX_THREADS; index++) {
    const slot = slotAt(index);
    if (slot == ownSlot || atomic.load<u32>(slot + T_STATE) != THREAD_LIVE || load<u32>(slot + T_ID) != id) continue;
    if (atomic.cmpxchg<u32>(slot + T_STATE, THREAD_LIVE, THREAD_BUSY) != THREAD_LIVE) continue;
    // Terminated inside a pop: release the flush_lock read hold it left.
    const held = <usize>load<u32>(slot + T_READ_HOLD);
    if (held != 0) {
      store<u32>(slot + T_READ_HOLD, 0);
      readUnlock(held + P_FLUSH_LOCK);
    }
    const block = <usize>load<u32>(slot + T_CACHE);
    drainBlock(block);
    backingFree(block);
    atomic.store<u32>(slot + T_STATE, THREAD_FREE);
    return OK;
  }
  return ERR_UNKNOWN_THREAD;
}
