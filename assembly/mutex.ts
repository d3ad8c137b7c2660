// A mutex in one aligned i32, for the slow paths (backing allocator,
// pool registry). States, as in Drepper's "Futexes Are Tricky":
//   0 unlocked, 1 locked, 2 locked and someone may be waiting.
// Threads that may block sleep in atomic.wait; the others (a browser's main
// thread) spin with back-off.

import { H_MAGIC, TRAP_LOCK_TIMEOUT } from "./layout";
import { recordTrap, threadCanBlock } from "./thread";

const UNLOCKED: i32 = 0;
const LOCKED: i32 = 1;
const CONTENDED: i32 = 2;
const SPINS_BEFORE_WAIT: i32 = 64;
/** Upper bound of one sleep; a wake-up is never lost, this only bounds a stall. */
const WAIT_SLICE_NS: i64 = 10_000_000;

// Bounded waits. A thread killed while it holds a lock (worker.terminate())
// never releases it. A waiter counts its quiet waits: sleeps that timed out
// with nobody waking it, or spin rounds where it may not sleep; past the
// limit (about 3 s) it records the lock in the header and traps, and the
// wrapper throws LockTimeoutError naming the lock. A live holder releases
// and notifies long before that.
const QUIET_WAITS_BLOCKING: u32 = 300;
const QUIET_WAITS_SPINNING: u32 = 1 << 22;
let quietWaits: u32 = 0;

/** Starts counting the quiet waits of one lock acquisition. */
export function startWaiting(): void {
  quietWaits = 0;
}

export function quietTooLong(): bool {
  return quietWaits > (threadCanBlock ? QUIET_WAITS_BLOCKING : QUIET_WAITS_SPINNING);
}

/** Gives up on `word` (traps) once the waits have been quiet too long. */
export function checkPatience(word: usize): void {
  if (quietTooLong()) lockStuck(word);
}

export function lockStuck(word: usize): void {
  recordTrap(TRAP_LOCK_TIMEOUT, word, 0);
  unreachable();
}

/**
 * Busy-waits for roughly `rounds` iterations; wasm has no pause instruction.
 * Each round is an atomic load of a read-only header word, which the
 * optimiser cannot remove and which costs no cache-line traffic.
 */
function spinFor(rounds: i32): void {
  for (let i = 0; i < rounds; i++) atomic.load<u32>(H_MAGIC);
}

/** Doubles the back-off, capped, and spins that long. Returns the next back-off. */
export function backOff(current: i32): i32 {
  spinFor(current);
  return current < 1024 ? current << 1 : current;
}

/** Sleeps while `*word == expected` if this thread may block, else spins a while. */
export function waitWhileEquals(word: usize, expected: i32, backoff: i32): i32 {
  if (threadCanBlock) {
    // 2: timed out, nobody woke this thread.
    if (atomic.wait<i32>(word, expected, WAIT_SLICE_NS) == 2) quietWaits++;
    return backoff;
  }
  quietWaits++;
  return backOff(backoff);
}

export function mutexLock(word: usize): void {
  if (atomic.cmpxchg<i32>(word, UNLOCKED, LOCKED) == UNLOCKED) return;
  let backoff = 1;
  for (let i = 0; i < SPINS_BEFORE_WAIT; i++) {
    backoff = backOff(backoff);
    if (atomic.load<i32>(word) == UNLOCKED && atomic.cmpxchg<i32>(word, UNLOCKED, LOCKED) == UNLOCKED) return;
  }
  // Mark the lock contended, so the holder knows to notify on unlock.
  startWaiting();
  while (atomic.xchg<i32>(word, CONTENDED) != UNLOCKED) {
    backoff = waitWhileEquals(word, CONTENDED, backoff);
    checkPatience(word);
  }
}

export function mutexUnlock(word: usize): void {
  if (atomic.xchg<i32>(word, UNLOCKED) == CONTENDED) atomic.notify(word, 1);
}
