// Thread-local state. Module globals are per instance, and every thread
// (worker) has its own instance, so a global here is exactly a thread-local
// (DESIGN.md §2 rule 2). Nothing shared may live in a global.

/** Whether this thread may block in `atomic.wait` (false on a browser's main thread). */
export let threadCanBlock: bool = false;
/** Added to a free-list head's sequence on every pop; 0 only in the no-sequence negative control. */
export let sequenceStep: u64 = 1;
/** Whether alloc read-locks flush_lock around the pop; false only in the no-lock negative control. */
export let flushLockEnabled: bool = true;

export function setThreadState(canBlock: bool, seqStep: u64, lockEnabled: bool): void {
  threadCanBlock = canBlock;
  sequenceStep = seqStep;
  flushLockEnabled = lockEnabled;
}
