// A producer of examples/messages: writes records of random lengths and
// sends their pointers through the channel "records" (send waits while the
// channel is full); the main thread reads and frees them.

import { workerData } from "node:worker_threads";
import { Heap } from "wasm-pools";
import { Records } from "./record.js";

const { handle, number, records } = workerData as { handle: ReturnType<Heap["handle"]>; number: number; records: number };
const heap = await Heap.attach(handle);
const channel = heap.channel("records");
const writer = new Records(heap);
const words = ["disk", "queue", "request", "timeout", "wasm", "pool", "retry", "ok", "é", "✓"];

for (let sequence = 0; sequence < records; sequence++) {
  const length = 1 + ((sequence * 7 + number) % 40);
  const text = Array.from({ length }, (_, i) => words[(sequence + i) % words.length]).join(" ");
  channel.send(writer.write({ sequence, level: sequence % 4, time: performance.now(), text }));
}
heap.close();
