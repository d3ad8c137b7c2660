// Thread-local state. Module globals are per instance, and every thread
// (worker) has its own instance, so a global here is exactly a thread-local
// (docs/internals.md §1). Nothing shared may live in a global.
//
// Also the two ways a core call stops early:
//   - giveUp: a wait saw no sign of life for too long, or a debug check
//     failed. Everything the thread holds is released or put back first
//     (releaseHolds), then it traps; the wrapper turns the recorded reason
//     into a typed error. No lock is ever held across a trap.
//   - deathPoint (test switch): the thread stops dead, holding whatever it
//     holds, exactly as a terminated worker would, and never runs again.

import { T_CACHE, T_DEATH_POINTS, T_DIE_AT, T_STATE, THREAD_DEAD, TRAP_DIED } from "./layout";
import { CacheBlock } from "./records";
import { ownerValueOf, slotOfOwner } from "./slots";

/** Whether this thread may block in `atomic.wait` (false on a browser's main thread). */
export let threadCanBlock: bool = false;
/** Added to a free-list head's sequence on every pop; 0 only in the no-sequence negative control. */
export let sequenceStep: u64 = 1;
/** Whether alloc read-locks flush_lock around the pop; false only in the no-lock negative control. */
export let flushLockEnabled: bool = true;
/** Whether death points are armed (test switch TEST_DEATH_POINTS). */
let deathPointsOn: bool = false;
/** Whether a dead owner's backing-allocator section is rolled back; false only in the no-undo and no-recovery negative controls. */
export let undoEnabled: bool = true;
/** Whether a dead thread's transit is put back; false only in the no-transit-recovery and no-recovery negative controls. */
export let transitRecoveryEnabled: bool = true;
/** Whether a dead thread's cache chains are recounted; false only in the no-recovery negative control. */
export let recountEnabled: bool = true;
/** Divides how long a waiter waits for a sign of life before it gives up (test switch TEST_SHORT_PATIENCE). */
export let patienceDivisor: u32 = 1;

/**
 * Whether this thread is reclaiming dead threads now: its waits then give
 * up after a short while (locks.ts), because the holder of the lock may be
 * a thread whose death has not been announced yet, and the announcement
 * may have to come through this very thread's event loop.
 */
export let reclaimingNow: bool = false;

export function setReclaimingNow(on: bool): void {
  reclaimingNow = on;
}

/** This thread's slot, 0 until attached. */
export let threadSlot: usize = 0;
/** What this thread writes in a lock word it owns: its slot index + 1. */
export let ownerValue: u32 = 0;
/**
 * ownerValue with the low 15 bits of the heap thread id in bits 16..30, for
 * the registry and backing locks: a waiter that read a dead owner's word and
 * stalled while that slot was reclaimed and taken by a new thread cannot
 * mistake the new owner for the dead one (its CAS expects the old tag).
 */
export let taggedOwner: u32 = 0;

/** Whether the owner a lock word names is known to be gone (its locks may be taken over). */
@inline export function ownerIsDead(owner: u32): bool {
  return atomic.load<u32>(slotOfOwner(owner) + T_STATE) >= THREAD_DEAD;
}

export function setThreadSlot(slot: usize): void {
  threadSlot = slot;
  ownerValue = slot == 0 ? 0 : ownerValueOf(slot);
  taggedOwner = ownerValue;
}

/** The bits of a lock word that tag its owner (bits 16..30; docs/internals.md §4). */
const OWNER_TAG_SHIFT: u32 = 16;
const OWNER_TAG_MASK: u32 = 0x7fff;
/** With the shortPatience test switch, waiters give up this many times sooner (about 20 ms instead of 3 s). */
const SHORT_PATIENCE: u32 = 150;

/** Once the thread has its heap id: tags the lock words it will own. */
export function setOwnerTag(threadId: u32): void {
  taggedOwner = ownerValue | ((threadId & OWNER_TAG_MASK) << OWNER_TAG_SHIFT);
}

export function setThreadState(
  canBlock: bool,
  seqStep: u64,
  lockEnabled: bool,
  deathPoints: bool,
  undo: bool,
  transitRecovery: bool,
  recount: bool,
  shortPatience: bool,
): void {
  threadCanBlock = canBlock;
  patienceDivisor = shortPatience ? SHORT_PATIENCE : 1;
  undoEnabled = undo;
  transitRecoveryEnabled = transitRecovery;
  recountEnabled = recount;
  sequenceStep = seqStep;
  flushLockEnabled = lockEnabled;
  deathPointsOn = deathPoints;
}

/**
 * Records, in this thread's cache block, why the core is about to trap, so
 * that the wrapper can tell the caller (traps carry no message).
 */
export function recordTrap(kind: u32, where: usize, object: usize): void {
  if (threadSlot == 0) return;
  const block = <usize>load<u32>(threadSlot + T_CACHE);
  if (block == 0) return;
  changetype<CacheBlock>(block).setTrap(kind, <u32>where, <u32>object);
}

/**
 * A point where an engine may stop a terminated thread: a loop head or a
 * call inside an operation on shared state. With the test switch on, the
 * thread counts them in its slot and stops dead at the one its slot names.
 */
@inline export function deathPoint(): void {
  if (deathPointsOn) passDeathPoint();
}

function passDeathPoint(): void {
  if (threadSlot == 0) return;
  const passed = load<u32>(threadSlot + T_DEATH_POINTS) + 1;
  store<u32>(threadSlot + T_DEATH_POINTS, passed);
  if (passed != load<u32>(threadSlot + T_DIE_AT)) return;
  recordTrap(TRAP_DIED, passed, 0);
  unreachable();
}
