// A piscina task module: attaches to the heap once per worker thread, when
// piscina loads it, with the handle the pool's workerData carries.

import { workerData } from "node:worker_threads";
import { Heap, type HeapHandle } from "wasm-pools";
import { type PoolTask, type PoolTaskResult, runPoolTask } from "./pool-task.js";

const heap = await Heap.attach((workerData as { handle: HeapHandle }).handle);

export default function run(task: PoolTask): PoolTaskResult {
  return runPoolTask(heap, task);
}
