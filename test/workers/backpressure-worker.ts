// A worker of test/concurrency/backpressure.test.ts. "hold": allocates
// every object the pool's limit allows, says so, waits for the go word,
// frees them all (into its cache, as any thread frees), says so, and stays
// idle until told to end, never touching the pool again. "produce":
// allocWait()s `count` objects, sending each through the channel "pipe".

import { parentPort, workerData } from "node:worker_threads";
import { Heap } from "wasm-pools";

interface Task {
  handle: Parameters<typeof Heap.attach>[0];
  mode: "hold" | "produce";
  count: number;
  /** [0]: the go word (hold), [1]: the end word. */
  control: SharedArrayBuffer;
}

const task = workerData as Task;
const heap = await Heap.attach(task.handle);
const pool = heap.pool("limited");
const control = new Int32Array(task.control);
if (task.mode === "hold") {
  const held = Array.from({ length: task.count }, () => pool.alloc());
  parentPort!.postMessage("holding");
  Atomics.wait(control, 0, 0);
  for (const ptr of held) pool.free(ptr);
  parentPort!.postMessage("freed");
  Atomics.wait(control, 1, 0);
} else {
  const pipe = heap.channel("pipe");
  for (let i = 0; i < task.count; i++) pipe.send(pool.allocWait());
  parentPort!.postMessage("produced");
}
heap.close();
