// npm start (examples/node-workers): several workers share two pools of one heap; each makes
// "requests" (a session object and a buffer), and hands some buffers to the
// main thread, which frees them: objects may be freed by any thread. Then
// each worker times its hot path alone (alloc+free pairs, after warm-up):
// what a user's worker should expect of pool.alloc() and pool.free(), beside
// the whole run, whose figure includes starting the workers and messages.

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

const workers = Array.from(
  { length: WORKERS },
  (_, number) =>
    new Worker(new URL("./worker.js", import.meta.url), { workerData: { handle: heap.handle(), number, requests: REQUESTS_PER_WORKER } }),
);
const finished = workers.map(
  (worker) =>
    new Promise<number>((resolve, reject) => {
      worker.on("message", (message: { handOver?: number[]; done?: number }) => {
        if (message.handOver) {
          // Buffers another thread allocated, freed here.
          for (const ptr of message.handOver) buffers.free(ptr);
          handedOver += message.handOver.length;
        }
        if (message.done !== undefined) resolve(message.done);
      });
      worker.once("error", reject);
    }),
);

const operations = (await Promise.all(finished)).reduce((a, b) => a + b, 0);
const seconds = (performance.now() - started) / 1000;
console.log(
  `whole run: ${operations} allocs and frees in ${seconds.toFixed(2)} s, ` +
    `${(operations / seconds / 1e6).toFixed(1)} M/s (the workers' start-up and messages included)`,
);

// One worker at a time, so that the figure is each thread's own, whatever the machine's cores.
const nsPerPair: number[] = [];
for (const worker of workers) {
  const measured = new Promise<number>((resolve) => worker.once("message", (message: { nsPerPair: number }) => resolve(message.nsPerPair)));
  worker.postMessage("measure");
  nsPerPair.push(await measured);
}
const median = [...nsPerPair].sort((a, b) => a - b)[nsPerPair.length >> 1]!;
console.log(
  `hot path, per worker: ${median.toFixed(1)} ns per alloc+free pair, ${(2e3 / median).toFixed(0)} M allocs and frees per second\n` +
    `  (steady state after warm-up, each worker timed alone: ${nsPerPair.map((ns) => ns.toFixed(1)).join(", ")} ns)`,
);
console.log(`${handedOver} buffers were freed by the main thread after a worker allocated them\n`);
console.log(heap.dump());
heap.gc();
console.log(`\nafter heap.gc(): ${sessions.stats().allocated} sessions and ${buffers.stats().allocated} buffers kept (buffer minAvail 16)`);
