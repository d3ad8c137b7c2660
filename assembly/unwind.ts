// Giving up: what a thread does when it must stop a core call early (a
// lock whose holder shows no life, a corrupt list, a write after free, a
// reclaim to defer). It lets go of everything the thread holds, using the
// layers below: the undo log rolls back a backing section, a chain in
// transit goes back to its list, every lock word held is let go. The
// protocol: docs/internals.md §3 and §4.

import {
  CH_LOCK,
  H_BACKING_LOCK,
  H_REGISTRY_LOCK,
  MAX_CHANNELS,
  MAX_POOLS,
  P_FLUSH_LOCK,
  T_CACHE,
  T_READ_HOLD,
  T_RECLAIMING,
  T_STATE,
  THREAD_DEAD,
  THREAD_RECLAIMING,
  TRAP_CORRUPT_LIST,
  TRAP_WRITE_AFTER_FREE,
} from "./layout";
import { mutexUnlock, ownsMutex, readUnlock, writeUnlock } from "./lock-words";
import { CacheBlock } from "./records";
import { channelAt, poolAt } from "./slots";
import { recordTrap, setReclaimingNow, threadSlot } from "./thread";
import { pushTransit } from "./transit";
import { undoRollBack } from "./undo";

/**
 * Releases everything this thread holds: a chain in transit goes back to its
 * pool's list, a read hold is dropped, every lock it owns is unlocked (the
 * backing lock after rolling its section back). Every section leaves the
 * heap consistent at the points where it can wait, so this is all it takes.
 */
export function releaseHolds(): void {
  setReclaimingNow(false);
  // A reclaim this thread was doing is left for another go (thread-slots.ts).
  if (threadSlot == 0) return;
  const reclaiming = <usize>load<u32>(threadSlot + T_RECLAIMING);
  if (reclaiming != 0) {
    atomic.store<u32>(threadSlot + T_RECLAIMING, 0);
    atomic.cmpxchg<u32>(reclaiming - 1 + T_STATE, THREAD_RECLAIMING, THREAD_DEAD);
  }
  if (ownsMutex(H_BACKING_LOCK)) {
    undoRollBack();
    mutexUnlock(H_BACKING_LOCK);
  }
  // A chain of a pool destroyed meanwhile stays in the transit; the thread's
  // next move settles it (pool.ts, settleTransit), a reclaim otherwise.
  pushTransit(threadSlot);
  if (load<u32>(threadSlot + T_READ_HOLD) != 0) readUnlock(<usize>load<u32>(threadSlot + T_READ_HOLD));
  for (let index: u32 = 0; index < MAX_POOLS; index++) {
    if (ownsMutex(poolAt(index) + P_FLUSH_LOCK)) writeUnlock(poolAt(index));
  }
  for (let index: u32 = 0; index < MAX_CHANNELS; index++) {
    if (ownsMutex(channelAt(index) + CH_LOCK)) mutexUnlock(channelAt(index) + CH_LOCK);
  }
  if (ownsMutex(H_REGISTRY_LOCK)) mutexUnlock(H_REGISTRY_LOCK);
}

/** Stops the current core call: releases everything held, records why, and traps. */
export function giveUp(kind: u32, where: usize, detail: usize): void {
  releaseHolds();
  recordTrap(kind, where, detail);
  unreachable();
}

/** A free list of pool slot `index` holds `link`, no free object of it (0: the pool was found marked corrupt before). */
export function giveUpOnCorruptList(index: u32, link: usize): void {
  giveUp(TRAP_CORRUPT_LIST, index, link);
}

/** Debug poison: `object` of pool slot `index` was written at `offset` after it was freed. */
export function giveUpOnWriteAfterFree(index: u32, object: usize, offset: u32): void {
  releaseHolds();
  recordTrap(TRAP_WRITE_AFTER_FREE, index, object);
  changetype<CacheBlock>(load<u32>(threadSlot + T_CACHE)).trapOffset = offset;
  unreachable();
}
