// examples/messages: workers share variable-length log records with the
// main thread by pointer. Each record is one heap.malloc block holding its
// fields and its text (record.ts); a worker writes it, posts the pointer,
// and the main thread reads it and frees it: blocks cross threads, and
// nothing is serialised.
//
//   npm run build:changed && node build/examples/messages/main.js

import { Worker } from "node:worker_threads";
import { Heap } from "wasm-pools";
import { readRecord } from "./record.js";

const WORKERS = 2;
const RECORDS = 50_000;

const heap = await Heap.create({ maxBytes: 64 << 20 });
let received = 0;
let textBytes = 0;
const levels = [0, 0, 0, 0];

const done = Array.from({ length: WORKERS }, (_, number) => {
  const worker = new Worker(new URL("./worker.js", import.meta.url), {
    workerData: { handle: heap.handle(), number, records: RECORDS },
  });
  return new Promise<void>((resolve, reject) => {
    worker.on("message", (message: { pointers: number[] }) => {
      for (const ptr of message.pointers) {
        const record = readRecord(heap, ptr);
        levels[record.level]!++;
        textBytes += record.text.length;
        heap.free(ptr); // allocated by the worker, freed here
        received++;
      }
    });
    worker.once("error", reject);
    // Messages come before the exit event; by then the worker has closed its heap.
    worker.once("exit", () => resolve());
  });
});
await Promise.all(done);

console.log(`${received} records from ${WORKERS} workers, ${textBytes} characters of text, by level: ${levels.join(" / ")}`);
const classes = heap.stats().pools.filter((pool) => pool.name.startsWith("malloc:"));
console.log(
  `size classes used: ${classes.map((pool) => pool.size).join(", ")} bytes; blocks still out: ${classes.reduce((n, p) => n + p.used, 0)}`,
);
heap.check();
