// What the pipeline page tells each worker, and the shared counters they
// keep for it.
//
//   source ──"parse"──▶ parse ──"compute"──▶ compute × 2 ──"done"──▶ the page

import type { HeapHandle } from "../../dist/index.js";

export type Stage = "source" | "parse" | "compute";

export const LINE_POOL = "line";
export const JOB_POOL = "job";
/** Channels in pipeline order: each stage receives from one and sends into the next. */
export const PARSE = "parse";
export const COMPUTE = "compute";
export const DONE = "done";

/** Int32Array words of StageStart.counters. */
export const SOURCE_WAITS = 0; // sends of the source that found "parse" full
export const PARSE_WAITS = 1; // sends of the parse stage that found "compute" full
export const COMPUTE_WAITS = 2; // sends of compute workers that found "done" full
export const JOBS_MADE = 3; // jobs the parse stage allocated
export const COMPUTE_RUNNING = 4; // compute workers not yet done: the last one closes "done"
export const COUNTERS = 5;

export interface StageStart {
  handle: HeapHandle;
  stage: Stage;
  counters: SharedArrayBuffer;
}

/** What a worker posts back: once, when its stage has ended (error "" when it ended well). */
export interface StageEnd {
  stage: Stage;
  error: string;
}
