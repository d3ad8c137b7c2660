// Thread-local state. Module globals are per instance, and every thread
// (worker) has its own instance, so a global here is exactly a thread-local
// (DESIGN.md §2 rule 2). Nothing shared may live in a global.

import { B_TRAP, B_TRAP_OBJECT, B_TRAP_WHERE, T_CACHE } from "./layout";

/** Whether this thread may block in `atomic.wait` (false on a browser's main thread). */
export let threadCanBlock: bool = false;
/** Added to a free-list head's sequence on every pop; 0 only in the no-sequence negative control. */
export let sequenceStep: u64 = 1;
/** Whether alloc read-locks flush_lock around the pop; false only in the no-lock negative control. */
export let flushLockEnabled: bool = true;

/** This thread's slot (threads.ts), 0 until attached. */
export let threadSlot: usize = 0;

export function setThreadSlot(slot: usize): void {
  threadSlot = slot;
}

/**
 * Records, in this thread's cache block, why the core is about to trap, so
 * that the wrapper can tell the caller (traps carry no message).
 */
export function recordTrap(kind: u32, where: usize, object: usize): void {
  if (threadSlot == 0) return;
  const block = <usize>load<u32>(threadSlot + T_CACHE);
  store<u32>(block + B_TRAP, kind);
  store<u32>(block + B_TRAP_WHERE, <u32>where);
  store<u32>(block + B_TRAP_OBJECT, <u32>object);
}

export function setThreadState(canBlock: bool, seqStep: u64, lockEnabled: bool): void {
  threadCanBlock = canBlock;
  sequenceStep = seqStep;
  flushLockEnabled = lockEnabled;
}
