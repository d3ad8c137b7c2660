// A producer of examples/messages: writes records of random lengths and
// posts only their pointers; the main thread reads and frees them.

import { parentPort, workerData } from "node:worker_threads";
import { Heap } from "wasm-pools";
import { writeRecord } from "./record.js";

const { handle, number, records } = workerData as { handle: ReturnType<Heap["handle"]>; number: number; records: number };
const heap = await Heap.attach(handle);
const words = ["disk", "queue", "request", "timeout", "wasm", "pool", "retry", "ok", "é", "✓"];

let batch: number[] = [];
for (let sequence = 0; sequence < records; sequence++) {
  const length = 1 + ((sequence * 7 + number) % 40);
  const text = Array.from({ length }, (_, i) => words[(sequence + i) % words.length]).join(" ");
  batch.push(writeRecord(heap, { sequence, level: sequence % 4, time: performance.now(), text }));
  if (batch.length === 256) {
    parentPort!.postMessage({ pointers: batch });
    batch = [];
  }
}
parentPort!.postMessage({ pointers: batch });
heap.close();
