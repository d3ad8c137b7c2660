// A tinypool task module: attaches to the heap once per worker thread, when
// tinypool loads it. Tinypool wraps Node's workerData: its own is
// Tinypool.workerData.

import Tinypool from "tinypool";
import { Heap, type HeapHandle } from "wasm-pools";
import { type PoolTask, type PoolTaskResult, runPoolTask } from "./pool-task.js";

const heap = await Heap.attach((Tinypool.workerData as { handle: HeapHandle }).handle);

export default function run(task: PoolTask): PoolTaskResult {
  return runPoolTask(heap, task);
}
