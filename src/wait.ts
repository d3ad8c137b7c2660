// Waiting on a word of the shared memory, blocking where the thread may
// block and with a promise where it may not. Engines differ:
// - Atomics.wait throws a TypeError on a browser's main thread; the
//   blocking form turns it into CannotBlockError.
// - Atomics.waitAsync is missing in some engines, never settles in WebKit
//   workers, and does not keep Node's or Deno's event loop alive. So the
//   promise form always runs a timer beside it, which also reads the word:
//   a change seen by the timer settles the wait as a wake-up would.

import { CannotBlockError, WaitTimeoutError } from "./errors.js";
import { optionalIntegerIn, optionsObject } from "./validate.js";
import { threadMayBlock } from "./wasm.js";

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

/** How long a wait may take. */
export interface WaitOptions {
  /** Milliseconds (default: no limit); then WaitTimeoutError. 0: try once. */
  timeoutMs?: number;
}

/** The longest timeout a wait takes (about 24 days, what timers take). */
const NO_LIMIT = 2 ** 31 - 1;

/** When a wait must end (Date.now() ms): 0 for "try once", Infinity for no limit. */
export function deadlineOf(options: WaitOptions | undefined): number {
  const o = optionsObject("options", options);
  const timeoutMs = optionalIntegerIn("options.timeoutMs", o.timeoutMs, 0, NO_LIMIT, -1);
  if (timeoutMs < 0) return Number.POSITIVE_INFINITY;
  return timeoutMs === 0 ? 0 : Date.now() + timeoutMs;
}

/** Milliseconds a sleep may take now, or WaitTimeoutError saying `what` once the deadline passed. */
export function timeLeft(deadline: number, what: string): number {
  if (deadline === Number.POSITIVE_INFINITY) return NO_LIMIT;
  const left = deadline - Date.now();
  if (left <= 0) throw new WaitTimeoutError(`${what} for the whole timeout`);
  return left;
}

/**
 * Refuses a blocking call (`what`) on a thread that may not block (a
 * browser's main thread) at once, whether or not it would have had to
 * wait: such a call works the same in every engine or not at all.
 */
export function requireBlocking(what: string): void {
  if (!threadMayBlock()) {
    throw new CannotBlockError(`${what} blocks, and this thread may not block (a browser's main thread): use its promise form`);
  }
}
