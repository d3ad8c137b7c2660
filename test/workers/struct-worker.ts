// A worker of test/structs.test.ts: binds the shared test layout to the
// heap it attaches to and either adds to its counters (atomically, or with
// a plain read and write when asked, to show what atomics prevent), or
// waits on its flag and answers through its reply field.

import { parentPort, workerData } from "node:worker_threads";
import { Heap } from "wasm-pools";
import { Counters, type StructTask } from "./struct-protocol.js";

const task = workerData as StructTask;
const heap = await Heap.attach(task.handle);
const counters = Counters.bind(heap);
const { ptr, rounds } = task;
if (task.mode === "atomic-adds") {
  for (let i = 0; i < rounds; i++) {
    counters.count.add(ptr, 1);
    counters.big.add(ptr, 1n);
  }
} else if (task.mode === "plain-adds") {
  // Both workers start together (reply counts the ones ready), so that their read-add-write steps overlap.
  counters.reply.add(ptr, 1);
  while (counters.reply.load(ptr) < 2);
  for (let i = 0; i < rounds; i++) counters.count.set(ptr, counters.count.get(ptr) + 1);
} else {
  // Waits until the main thread raises the flag, then answers.
  counters.flag.wait(ptr, 0);
  counters.reply.store(ptr, counters.flag.load(ptr) * 2);
  counters.reply.notify(ptr);
}
heap.close();
parentPort!.postMessage("done");
