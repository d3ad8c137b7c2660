// Waiting on a word of the shared memory, blocking where the thread may
// block and with a promise where it may not. Engines differ:
// - Atomics.wait throws a TypeError on a browser's main thread; the
//   blocking form turns it into CannotBlockError.
// - Atomics.waitAsync is missing in some engines, never settles in WebKit
//   workers, and does not keep Node's or Deno's event loop alive. So the
//   promise form always runs a timer beside it, which also reads the word:
//   a change seen by the timer settles the wait as a wake-up would.

import { CannotBlockError } from "./errors.js";

/** How a wait ended, as Atomics.wait says it. */
export type WaitResult = "ok" | "not-equal" | "timed-out";

/** The arrays Atomics.wait accepts. */
export type WaitArray = Int32Array | BigInt64Array;

type WaitAsync = (
  array: WaitArray,
  index: number,
  value: number | bigint,
  timeout?: number,
) => { async: false; value: "not-equal" | "timed-out" } | { async: true; value: Promise<WaitResult> };

const nativeWaitAsync = (Atomics as unknown as { waitAsync?: WaitAsync }).waitAsync;

/** Atomics.load over either kind of array (TypeScript's overloads take one kind each). */
function loadWord(array: WaitArray, index: number): number | bigint {
  return Atomics.load(array as Int32Array, index);
}

/** Longest time between two reads of the word by the timer of waitAsync, in ms. */
const POLL_MAX_MS = 50;

/** Blocks until `array[index]` is no longer `expected` and a notify came, or the timeout (ms) passed. */
export function waitBlocking(array: WaitArray, index: number, expected: number | bigint, timeoutMs: number): WaitResult {
  try {
    return Atomics.wait(array as Int32Array, index, expected as number, timeoutMs) as WaitResult;
  } catch (error) {
    if (error instanceof TypeError) {
      throw new CannotBlockError(
        "this thread may not block (a browser's main thread refuses Atomics.wait): use the promise form (waitAsync) here",
      );
    }
    throw error;
  }
}

/**
 * Resolves once `array[index]` is no longer `expected` (woken by a notify,
 * or seen changed by the timer), or with "timed-out" after `timeoutMs`.
 * Never blocks the thread; keeps Node's and Deno's event loop alive while
 * it waits.
 */
export function waitWithPromise(array: WaitArray, index: number, expected: number | bigint, timeoutMs: number): Promise<WaitResult> {
  if (loadWord(array, index) !== expected) return Promise.resolve("not-equal");
  const started = Date.now();
  return new Promise<WaitResult>((resolve) => {
    let done = false;
    let timer: ReturnType<typeof setTimeout> | undefined;
    let pollMs = 1;
    const finish = (result: WaitResult): void => {
      if (done) return;
      done = true;
      if (timer !== undefined) clearTimeout(timer);
      resolve(result);
    };
    const poll = (): void => {
      if (done) return;
      if (loadWord(array, index) !== expected) {
        finish("ok");
        return;
      }
      const left = timeoutMs - (Date.now() - started);
      if (left <= 0) {
        finish("timed-out");
        return;
      }
      pollMs = Math.min(pollMs * 2, POLL_MAX_MS);
      timer = setTimeout(poll, Math.min(pollMs, left));
    };
    if (nativeWaitAsync !== undefined) {
      const wait = nativeWaitAsync(array, index, expected, timeoutMs);
      if (!wait.async) {
        finish(wait.value);
        return;
      }
      wait.value.then(finish, () => poll());
    }
    timer = setTimeout(poll, Math.min(pollMs, timeoutMs));
  });
}
