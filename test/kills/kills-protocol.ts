// What the random-kill suite's main thread and its workers say to each other
// (test/kills/), and the report it gives its runner (test/death/kills.test.ts).

import type { HeapHandle } from "../../dist/index.js";

export const KILLS_POOL = "kills";
/** The channel the workers pass objects through, beside the pool. */
export const KILLS_CHANNEL = "kills";
/** Words of the shared counters every worker writes as it goes, so that what a killed worker saw is never lost. */
export const DOUBLES = 0;
export const ERRORS = 1;
export const LOCK_TIMEOUTS = 2;
/** Set by the main thread: the survivor stops and reports. */
export const STOP = 3;
/** Objects received through the channel, every worker's. */
export const MESSAGES = 4;
/**
 * Errors that are no WasmPoolsError, seen by a worker the main thread had
 * already begun to kill: the runtime stopping it (Deno, whose terminated
 * threads run on for a while, throws "Uncaught null" from a module it was
 * loading). Counted apart; a WasmPoolsError counts as an error whoever sees it.
 */
export const TERMINATION_ERRORS = 5;
/** From here, one word per worker number: set before the worker is terminated. */
export const KILLED = 6;
/** Worker numbers the KILLED words cover (a nested worker's number is its parent's + NESTED_NUMBER). */
export const NUMBERS = 1024;
export const NESTED_NUMBER = 100;
export const COUNTERS = KILLED + NUMBERS;

export interface KillTask {
  type: "churn";
  handle: HeapHandle;
  counters: Int32Array;
  /** Claims differ per worker number. */
  number: number;
  /** Attach twice (two slots of one thread) and churn through both. */
  twice: boolean;
  /** Start a worker of the same kind that churns too, and dies with this one. */
  nested: boolean;
  /** Churn until counters[STOP] is set, then close and say "stopped"; else until terminated. */
  survivor: boolean;
}

export type KillReply = { type: "started" } | { type: "ready" } | { type: "stopped" } | { type: "error"; message: string };

export interface KillsReport {
  engine: string;
  kills: number;
  /** Kills of workers that had not yet said they were attached. */
  killedWhileAttaching: number;
  nested: number;
  twice: number;
  /** The most thread slots still taken once every round's wait was over, less the main thread's and the survivor's. */
  slotsLeft: number;
  /** Rounds whose slots were not all back within the patience. */
  roundsNotBack: number;
  doubles: number;
  errors: number;
  lockTimeouts: number;
  /** Objects the workers passed to one another through the channel. */
  messages: number;
  /** Errors of the runtime stopping a worker it was told to kill (TERMINATION_ERRORS): reported, not judged. */
  terminationErrors: number;
  /** Messages left in the channel at the end (the suite frees them). */
  messagesLeft: number;
  /** The survivor said "stopped" after STOP. */
  survivorStopped: boolean;
  /**
   * The longest gap between two ticks of a 5 ms timer on the main thread
   * while it waited for killed workers to be reclaimed (measured, never
   * judged: a figure for the notes; starting a worker is left out, which
   * blocks Deno's main thread for 80 to 120 ms by itself).
   */
  longestStallMs: number;
  /** heap.check() at the end: "passed" or the error's name and message. */
  check: string;
  error?: string;
}

export const KILLS_REPORT_PREFIX = "kills report: ";
