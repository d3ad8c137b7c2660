// flush_lock: a reader-writer lock in one aligned i32 (one per pool).
//
//   bit 30         bits 16..29                 bits 0..15
//   | WRITER_HELD | writers waiting (count)   | readers holding (count) |
//
// alloc read-locks it around the free-list pop, because the pop reads the
// head object's `next` word; flush and gc write-lock it while they detach
// objects and give them back to the backing allocator. When a writer has
// the lock, no reader is inside a pop that could still read a released
// object (HAProxy, "BUG/MEDIUM: memory: Add a rwlock before freeing memory").
//
// Writers are preferred: a reader does not enter while any writer waits, so
// a steady stream of allocations cannot starve flush or gc. Waiters sleep on
// the word itself with atomic.wait (or spin where the thread may not block);
// the last reader out wakes waiting writers, a writer wakes everyone.

import { backOff, checkPatience, lockStuck, quietTooLong, startWaiting, waitWhileEquals } from "./mutex";

const READER_ONE: i32 = 1;
const READER_MASK: i32 = 0xffff;
const WRITER_WAITING_ONE: i32 = 1 << 16;
const WRITER_WAITING_MASK: i32 = 0x3fff << 16;
const WRITER_HELD: i32 = 1 << 30;
const READERS_MUST_WAIT: i32 = WRITER_HELD | WRITER_WAITING_MASK;

@inline
export function readLock(word: usize): void {
  const state = atomic.load<i32>(word);
  if ((state & READERS_MUST_WAIT) == 0 && atomic.cmpxchg<i32>(word, state, state + READER_ONE) == state) return;
  readLockSlow(word);
}

@inline
export function readUnlock(word: usize): void {
  const before = atomic.sub<i32>(word, READER_ONE);
  // Last reader out while a writer waits: wake it.
  if ((before & READER_MASK) == READER_ONE && (before & WRITER_WAITING_MASK) != 0) atomic.notify(word);
}

function readLockSlow(word: usize): void {
  let backoff = 1;
  startWaiting();
  while (true) {
    const state = atomic.load<i32>(word);
    if ((state & READERS_MUST_WAIT) == 0) {
      if (atomic.cmpxchg<i32>(word, state, state + READER_ONE) == state) return;
      backoff = backOff(backoff);
    } else {
      backoff = waitWhileEquals(word, state, backoff);
      checkPatience(word);
    }
  }
}

export function writeLock(word: usize): void {
  atomic.add<i32>(word, WRITER_WAITING_ONE);
  let backoff = 1;
  startWaiting();
  while (true) {
    const state = atomic.load<i32>(word);
    if ((state & (WRITER_HELD | READER_MASK)) == 0) {
      if (atomic.cmpxchg<i32>(word, state, state - WRITER_WAITING_ONE + WRITER_HELD) == state) return;
      backoff = backOff(backoff);
    } else {
      backoff = waitWhileEquals(word, state, backoff);
      if (quietTooLong()) {
        // Stop waiting before giving up, or readers would wait behind this writer forever.
        atomic.sub<i32>(word, WRITER_WAITING_ONE);
        atomic.notify(word);
        lockStuck(word);
      }
    }
  }
}

export function writeUnlock(word: usize): void {
  atomic.sub<i32>(word, WRITER_HELD);
  atomic.notify(word);
}
