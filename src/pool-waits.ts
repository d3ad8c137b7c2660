// Backpressure for a pool at its limit: waiting for an object, blocking in
// workers and with a promise anywhere. A waiter counts itself in the pool
// slot's waiters word, reads its returns word, and tries; a push onto the
// pool's free list while anyone waits moves the returns word and wakes the
// waiters (assembly/freelist.ts, tellWaiters), so no wake-up is lost. A
// failed try also asks every thread cache to give its objects of the pool
// back at its next operation on it (pool_alloc's gc), which it cannot do
// for a thread that never touches the pool again: so waiters retry by
// themselves too, from RETRY_FIRST_MS, doubling to RETRY_MAX_MS.

import { P_RETURNS, P_WAITERS } from "./layout.js";
import { timeLeft, waitBlocking, waitWithPromise } from "./wait.js";

const RETRY_FIRST_MS = 2;
const RETRY_MAX_MS = 100;

/** What a wait needs of its pool. */
export interface WaitedPool {
  /** An object, or 0. */
  tryAlloc(): number;
  readonly name: string;
}

/** A sleep the wait asks for: while the returns word at `index` reads `seen`, for at most `timeoutMs`. */
interface Sleep {
  index: number;
  seen: number;
  timeoutMs: number;
}

/**
 * The wait, once for both forms: it counts itself among the pool's waiters,
 * tries, and yields the sleeps it needs between tries; its value is the
 * object (WaitTimeoutError once `deadline` passed). The caller sleeps each
 * one blocking or with a promise, and closes the generator when a sleep
 * throws, so the count comes off.
 */
function* tries(pool: WaitedPool, words: Int32Array, slot: number, deadline: number, what: string): Generator<Sleep, number> {
  const waiters = (slot + P_WAITERS) >>> 2;
  const returns = (slot + P_RETURNS) >>> 2;
  Atomics.add(words, waiters, 1);
  try {
    for (let retryMs = RETRY_FIRST_MS; ; retryMs = Math.min(retryMs * 2, RETRY_MAX_MS)) {
      const seen = Atomics.load(words, returns);
      const object = pool.tryAlloc();
      if (object !== 0) return object;
      const left = timeLeft(deadline, `pool "${pool.name}": ${what} found no object`);
      yield { index: returns, seen, timeoutMs: Math.min(left, retryMs) };
    }
  } finally {
    Atomics.sub(words, waiters, 1);
  }
}

/** allocWait's loop: an object, or WaitTimeoutError once `deadline` passed. */
export function waitForObject(pool: WaitedPool, words: Int32Array, slot: number, deadline: number): number {
  const wait = tries(pool, words, slot, deadline, "allocWait");
  try {
    for (let step = wait.next(); ; step = wait.next()) {
      if (step.done) return step.value;
      waitBlocking(words, step.value.index, step.value.seen, step.value.timeoutMs);
    }
  } finally {
    wait.return(0); // a sleep that threw: the count comes off
  }
}

/** allocAsync's loop: as waitForObject, never blocking the thread. */
export async function waitForObjectAsync(pool: WaitedPool, words: Int32Array, slot: number, deadline: number): Promise<number> {
  const wait = tries(pool, words, slot, deadline, "allocAsync");
  try {
    for (let step = wait.next(); ; step = wait.next()) {
      if (step.done) return step.value;
      await waitWithPromise(words, step.value.index, step.value.seen, step.value.timeoutMs);
    }
  } finally {
    wait.return(0); // a sleep that threw: the count comes off
  }
}
