// npm start (examples/node-workers): several workers share two pools of one heap; each makes
// "requests" (a session object and a buffer), and hands some buffers to the
// main thread, which frees them: objects may be freed by any thread.

import { Worker } from "node:worker_threads";
import { Heap } from "wasm-pools";

const WORKERS = 3;
const REQUESTS_PER_WORKER = 200_000;

const heap = await Heap.create({ maxBytes: 64 << 20 });
const sessions = heap.createPool("session", 64, { shared: true });
const buffers = heap.createPool("buffer", 2048, { minAvail: 16 });

console.log(`wasm-pools demo: ${WORKERS} workers, ${REQUESTS_PER_WORKER} requests each\n`);
const started = performance.now();
let handedOver = 0;

const finished = Array.from({ length: WORKERS }, (_, number) => {
  const worker = new Worker(new URL("./worker.js", import.meta.url), {
    workerData: { handle: heap.handle(), number, requests: REQUESTS_PER_WORKER },
  });
  return new Promise<number>((resolve, reject) => {
    worker.on("message", (message: { handOver?: number[]; done?: number }) => {
      if (message.handOver) {
        // Buffers another thread allocated, freed here.
        for (const ptr of message.handOver) buffers.free(ptr);
        handedOver += message.handOver.length;
      }
      if (message.done !== undefined) resolve(message.done);
    });
    worker.once("error", reject);
  });
});

const operations = (await Promise.all(finished)).reduce((a, b) => a + b, 0);
const seconds = (performance.now() - started) / 1000;
console.log(`${operations} allocs and frees in ${seconds.toFixed(2)} s (${(operations / seconds / 1e6).toFixed(1)} M/s)`);
console.log(`${handedOver} buffers were freed by the main thread after a worker allocated them\n`);
console.log(heap.dump());
heap.gc();
console.log(`\nafter heap.gc(): ${sessions.stats().allocated} sessions and ${buffers.stats().allocated} buffers kept (buffer minAvail 16)`);
