// What test/structs.test.ts and its worker (struct-worker.ts) share: the
// layout both bind, and the worker's task.

import { type HeapHandle, struct, types } from "wasm-pools";

export const Counters = struct({ count: types.u32, flag: types.i32, reply: types.i32, big: types.u64 });

export interface StructTask {
  handle: HeapHandle;
  ptr: number;
  rounds: number;
  mode: "atomic-adds" | "plain-adds" | "wait";
}
