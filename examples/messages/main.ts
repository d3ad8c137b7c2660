// examples/messages: workers share variable-length log records with the
// main thread by pointer. Each record is one heap.malloc block holding a
// struct header and its text (record.ts); a worker writes it and sends the
// pointer through a channel, and the main thread receives it, reads it and
// frees it: blocks cross threads, nothing is serialised, and no message is
// posted.
//
//   npm run build:changed && node build/examples/messages/main.js

import { Worker } from "node:worker_threads";
import { Heap } from "wasm-pools";
import { Records } from "./record.js";

const WORKERS = 2;
const RECORDS = 50_000;

const heap = await Heap.create({ maxBytes: 64 << 20 });
const channel = heap.createChannel("records", { capacity: 1024 });
const reader = new Records(heap);
let received = 0;
let textBytes = 0;
const levels = [0, 0, 0, 0];

const workers = Array.from({ length: WORKERS }, (_, number) => {
  const worker = new Worker(new URL("./worker.js", import.meta.url), {
    workerData: { handle: heap.handle(), number, records: RECORDS },
  });
  return new Promise<void>((resolve, reject) => {
    worker.once("error", reject);
    worker.once("exit", () => resolve());
  });
});
// Once every producer is done, nothing more comes: receivers drain what is left, then the loop ends.
const closed = Promise.all(workers).then(() => channel.close());

for await (const ptr of channel) {
  const record = reader.read(ptr);
  levels[record.level]!++;
  textBytes += record.text.length;
  heap.free(ptr); // allocated by a worker, freed here
  received++;
}
await closed;
channel.destroy();

console.log(`${received} records from ${WORKERS} workers, ${textBytes} characters of text, by level: ${levels.join(" / ")}`);
const classes = heap.stats().pools.filter((pool) => pool.name.startsWith("malloc:"));
console.log(
  `size classes used: ${classes.map((pool) => pool.size).join(", ")} bytes; blocks still out: ${classes.reduce((n, p) => n + p.used, 0)}`,
);
heap.check();
