// Taking the heap's locks: robust mutexes (a dead owner's lock is taken
// over), the backing lock (a dead owner's section rolled back), the
// distributed flush_lock, and waits that give up (unwind.ts) when no sign
// of life shows. The words and letting go of them: lock-words.ts. The
// protocol: docs/internals.md §3 and §4.

import {
  H_BACKING_LOCK,
  H_MAGIC,
  MAX_THREADS,
  P_FLUSH_LOCK,
  T_HEARTBEAT,
  T_READ_HOLD,
  T_STATE,
  THREAD_DEAD,
  TRAP_LOCK_TIMEOUT,
  TRAP_RECLAIM_DEFERRED,
} from "./layout";
import { beat, CONTENDED, OWNER_MASK, tellWriter } from "./lock-words";
import { slotOfOwner, threadSlotAt } from "./slots";
import {
  deathPoint,
  flushLockEnabled,
  ownerIsDead,
  ownerValue,
  patienceDivisor,
  reclaimingNow,
  taggedOwner,
  threadCanBlock,
  threadSlot,
  undoEnabled,
} from "./thread";
import { undoRollBack } from "./undo";
import { giveUp } from "./unwind";

const SPINS_BEFORE_WAIT: i32 = 64;
/** The longest back-off, in spin rounds. */
const MAX_BACKOFF: i32 = 1024;
/** Upper bound of one sleep; a wake-up is never lost, this only bounds how late a waiter notices a death. */
const WAIT_SLICE_NS: i64 = 10_000_000;
/** Quiet sleeps (about 3 s) or spin rounds before a waiter gives up. */
const QUIET_WAITS_BLOCKING: u32 = 300;
const QUIET_WAITS_SPINNING: u32 = 1 << 22;
/**
 * Whole sleeps of WAIT_SLICE_NS (or spin rounds) a reclaim waits for one
 * lock before it defers, whatever the holder shows: about 50 ms of a
 * thread whose event loop may be the one that must announce the holder's
 * death (docs/internals.md §5).
 */
const RECLAIM_WAITS_BLOCKING: u32 = 5;
/** What atomic.wait returns when the slice ran out. */
const WAIT_TIMED_OUT: i32 = 2;
const RECLAIM_WAITS_SPINNING: u32 = 1 << 12;

// ---- Waiting with patience --------------------------------------------------

let quietWaits: u32 = 0;
/** Waits made for the current lock (a reclaim defers after RECLAIM_WAITS_*). */
let allWaits: u32 = 0;
let seenWord: u32 = 0;
let seenBeat: u32 = 0;

/** Starts watching `word` for signs of life (its value, its owner's heartbeat). */
function startWaiting(word: usize): void {
  quietWaits = 0;
  allWaits = 0;
  seenWord = atomic.load<u32>(word);
  seenBeat = heartbeatOf(seenWord);
}

function heartbeatOf(lockWord: u32): u32 {
  const owner = lockWord & OWNER_MASK;
  return owner == 0 ? 0 : atomic.load<u32>(slotOfOwner(owner) + T_HEARTBEAT);
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
function backOff(current: i32): i32 {
  spinFor(current);
  return current < MAX_BACKOFF ? current << 1 : current;
}

/** Set in a give-up's detail when the holder waited for is a reader of a flush_lock. */
const HOLDS_FOR_READING: u32 = 0x10000;

/**
 * Sleeps (or spins, where this thread may not block) while `*word ==
 * expected`, then gives up on `lock` if nothing has moved for too long.
 * The holder waited for is the lock word's owner, or `reader` (an owner
 * value) when a writer waits for a reader to leave.
 */
function waitOn(word: usize, expected: u32, lock: usize, backoff: i32, reader: u32): i32 {
  deathPoint();
  // A whole slice slept (not woken early by an unlock), or a round spun.
  let waitedOut = true;
  if (threadCanBlock) waitedOut = atomic.wait<i32>(word, <i32>expected, WAIT_SLICE_NS) == WAIT_TIMED_OUT;
  else backoff = backOff(backoff);
  const now = atomic.load<u32>(lock);
  if (reclaimingNow && waitedOut && ++allWaits > (threadCanBlock ? RECLAIM_WAITS_BLOCKING : RECLAIM_WAITS_SPINNING)) {
    giveUp(TRAP_RECLAIM_DEFERRED, lock, now & OWNER_MASK);
  }
  const holderBeat = reader != 0 ? atomic.load<u32>(slotOfOwner(reader) + T_HEARTBEAT) : heartbeatOf(now);
  if (now != seenWord || holderBeat != seenBeat) {
    seenWord = now;
    seenBeat = holderBeat;
    quietWaits = 0;
    // Passed on: whoever waits for a lock this thread holds sees that the wait is going somewhere.
    beat();
  } else if (++quietWaits > (threadCanBlock ? QUIET_WAITS_BLOCKING : QUIET_WAITS_SPINNING) / patienceDivisor) {
    giveUp(TRAP_LOCK_TIMEOUT, lock, reader != 0 ? reader | HOLDS_FOR_READING : now & OWNER_MASK);
  }
  return backoff;
}

// ---- Robust mutex -------------------------------------------------------------

/**
 * Takes the mutex at `word`, writing `mine` (ownerValue, or taggedOwner for
 * the registry and backing locks) in it. Returns true when it was taken
 * over from a dead owner (whose section the caller must then repair or
 * roll back).
 */
export function mutexLock(word: usize, mine: u32): bool {
  if (atomic.cmpxchg<u32>(word, 0, mine) == 0) return false;
  let backoff = 1;
  for (let i = 0; i < SPINS_BEFORE_WAIT; i++) {
    deathPoint();
    backoff = backOff(backoff);
    if (atomic.load<u32>(word) == 0 && atomic.cmpxchg<u32>(word, 0, mine) == 0) return false;
  }
  startWaiting(word);
  while (true) {
    const seen = atomic.load<u32>(word);
    const owner = seen & OWNER_MASK;
    if (owner == 0) {
      // Others may still sleep here: keep the flag so that our unlock wakes one.
      if (atomic.cmpxchg<u32>(word, seen, mine | CONTENDED) == seen) return false;
    } else if (ownerIsDead(owner)) {
      if (atomic.cmpxchg<u32>(word, seen, mine | (seen & CONTENDED)) == seen) return true;
    } else if ((seen & CONTENDED) != 0 || atomic.cmpxchg<u32>(word, seen, seen | CONTENDED) == seen) {
      backoff = waitOn(word, seen | CONTENDED, word, backoff, 0);
    }
  }
}

// ---- The backing lock -----------------------------------------------------------

/** Takes the backing lock, rolling back a dead owner's half-done section. */
export function backingLock(): void {
  if (mutexLock(H_BACKING_LOCK, taggedOwner) && undoEnabled) undoRollBack();
}

// ---- flush_lock ---------------------------------------------------------------------

/** Read-locks `pool`'s flush_lock: one store to this thread's own slot when no writer is there. */
@inline export function readLock(pool: usize): void {
  if (!flushLockEnabled) return;
  // xchg, not atomic.store: as sequentially consistent, and cheaper where
  // an atomic store compiles to a store and a fence.
  atomic.xchg<u32>(threadSlot + T_READ_HOLD, <u32>pool);
  if (atomic.load<u32>(pool + P_FLUSH_LOCK) != 0) readLockSlow(pool);
}

function readLockSlow(pool: usize): void {
  const word = pool + P_FLUSH_LOCK;
  let backoff = 1;
  startWaiting(word);
  while (true) {
    // Step back while a writer is there, so that it does not wait for us.
    atomic.store<u32>(threadSlot + T_READ_HOLD, 0);
    tellWriter(word);
    let seen = atomic.load<u32>(word);
    while (seen != 0) {
      if ((seen & CONTENDED) != 0 || atomic.cmpxchg<u32>(word, seen, seen | CONTENDED) == seen) {
        backoff = waitOn(word, seen | CONTENDED, word, backoff, 0);
      }
      seen = atomic.load<u32>(word);
    }
    atomic.store<u32>(threadSlot + T_READ_HOLD, <u32>pool);
    if (atomic.load<u32>(word) == 0) return;
  }
}

/** Write-locks `pool`'s flush_lock: the writer word, then no live reader left inside a pop. */
export function writeLock(pool: usize): void {
  const word = pool + P_FLUSH_LOCK;
  mutexLock(word, ownerValue); // a dead writer's section needs no repair (pool.ts)
  let backoff = 1;
  startWaiting(word);
  for (let index: u32 = 0; index < MAX_THREADS; index++) {
    const slot = threadSlotAt(index);
    while (true) {
      // Read the word before the hold: a reader that leaves after this changes it.
      const seen = atomic.load<u32>(word);
      if (atomic.load<u32>(slot + T_READ_HOLD) != <u32>pool || atomic.load<u32>(slot + T_STATE) >= THREAD_DEAD) break;
      backoff = waitOn(word, seen, word, backoff, index + 1);
    }
  }
}
