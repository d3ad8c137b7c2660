// The lock words of the heap and the letting go of them: who owns a robust
// mutex, unlocking it, taking over a dead owner's, and leaving a
// flush_lock (a read hold, or the writer word). Taking a lock, which may
// wait and give up, is locks.ts; giving up, which lets go of everything
// held, is unwind.ts. The protocol: docs/internals.md §3 and §4.

import { P_FLUSH_LOCK, T_HEARTBEAT, T_READ_HOLD } from "./layout";
import { flushLockEnabled, ownerValue, threadSlot } from "./thread";

/** The owner's value in a lock word (ownerValue, or taggedOwner). */
export const OWNER_MASK: u32 = 0xffff;
/** Set in a lock word while others may sleep on it: the unlock wakes one. */
export const CONTENDED: u32 = 0x80000000;
/** flush_lock only: bits 16..30 count readers that left while a writer held the word, so its wait cannot miss them. */
const LEFT_ONE: u32 = 1 << 16;
const LEFT_MASK: u32 = 0x7fff0000;

/**
 * Shows waiters that this thread is alive: long operations under a lock
 * beat at every step, every unlock beats (a holder that lets go and takes
 * the lock again at once may leave the same word for a waiter to read), and
 * so does a waiter whenever the lock it waits for moves.
 */
@inline export function beat(): void {
  if (threadSlot != 0) store<u32>(threadSlot + T_HEARTBEAT, load<u32>(threadSlot + T_HEARTBEAT) + 1);
}

// ---- Robust mutex: letting go ---------------------------------------------------

export function mutexUnlock(word: usize): void {
  beat();
  if ((atomic.xchg<u32>(word, 0) & CONTENDED) != 0) atomic.notify(word, 1);
}

@inline export function ownsMutex(word: usize): bool {
  return (atomic.load<u32>(word) & OWNER_MASK) == ownerValue;
}

/**
 * If the mutex at `word` is held by the dead thread `owner`, takes it over
 * and returns true (the caller repairs the section, then unlocks).
 */
export function takeOverFrom(word: usize, owner: u32): bool {
  while (true) {
    const seen = atomic.load<u32>(word);
    if ((seen & OWNER_MASK) != owner) return false;
    if (atomic.cmpxchg<u32>(word, seen, ownerValue | (seen & CONTENDED)) == seen) return true;
  }
}

// ---- flush_lock: letting go --------------------------------------------------------

@inline export function readUnlock(pool: usize): void {
  if (!flushLockEnabled) return;
  atomic.xchg<u32>(threadSlot + T_READ_HOLD, 0);
  // A writer may be waiting for this hold to go.
  if (atomic.load<u32>(pool + P_FLUSH_LOCK) != 0) tellWriter(pool + P_FLUSH_LOCK);
}

/**
 * Changes the writer word (its count of readers that left) and wakes the
 * writer: a writer that read the word before this reader left then finds
 * it changed and does not sleep through the wake-up.
 */
export function tellWriter(word: usize): void {
  while (true) {
    const seen = atomic.load<u32>(word);
    if ((seen & OWNER_MASK) == 0) return;
    const bumped = (seen & ~LEFT_MASK) | ((seen + LEFT_ONE) & LEFT_MASK);
    if (atomic.cmpxchg<u32>(word, seen, bumped) == seen) break;
  }
  atomic.notify(word);
}

export function writeUnlock(pool: usize): void {
  const word = pool + P_FLUSH_LOCK;
  beat();
  atomic.store<u32>(word, 0);
  atomic.notify(word);
}
