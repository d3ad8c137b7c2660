// A mutex in one aligned i32, for the slow paths (backing allocator,
// pool registry). States, as in Drepper's "Futexes Are Tricky":
//   0 unlocked, 1 locked, 2 locked and someone may be waiting.
// Threads that may block sleep in atomic.wait; the others (a browser's main
// thread) spin with back-off.

import { H_MAGIC } from "./layout";
import { threadCanBlock } from "./thread";

const UNLOCKED: i32 = 0;
const LOCKED: i32 = 1;
const CONTENDED: i32 = 2;
const SPINS_BEFORE_WAIT: i32 = 64;
/** Upper bound of one sleep; a wake-up is never lost, this only bounds a stall. */
const WAIT_SLICE_NS: i64 = 10_000_000;

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
    atomic.wait<i32>(word, expected, WAIT_SLICE_NS);
    return backoff;
  }
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
  while (atomic.xchg<i32>(word, CONTENDED) != UNLOCKED) {
    backoff = waitWhileEquals(word, CONTENDED, backoff);
  }
}

export function mutexUnlock(word: usize): void {
  if (atomic.xchg<i32>(word, UNLOCKED) == CONTENDED) atomic.notify(word, 1);
}
