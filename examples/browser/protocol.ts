// What the demo page sends each of its workers.

import type { HeapHandle } from "../../dist/index.js";

export interface DemoWorkerStart {
  handle: HeapHandle;
  /** Int32Array word RUNNING: 1 while the workers should run. */
  control: SharedArrayBuffer;
  /** BigInt64Array: operations done, one word per worker. */
  counts: SharedArrayBuffer;
  number: number;
}

export const RUNNING = 0;
export const SESSION_POOL = "session";
export const BUFFER_POOL = "buffer";
