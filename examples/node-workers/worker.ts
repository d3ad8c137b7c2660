// One demo worker: attaches to the heap it was sent and serves requests.

import { parentPort, workerData } from "node:worker_threads";
import { Heap, type HeapHandle } from "wasm-pools";

const { handle, number, requests } = workerData as { handle: HeapHandle; number: number; requests: number };
const heap = await Heap.attach(handle);
const sessions = heap.pool("session");
const buffers = heap.pool("buffer");

let operations = 0;
let handOver: number[] = [];
for (let i = 0; i < requests; i++) {
  const session = sessions.alloc();
  const buffer = buffers.alloc();
  heap.bytes(session, 8).fill(number);
  heap.bytes(buffer, 16).fill(i & 0xff);
  sessions.free(session);
  operations += 3;
  // Every 64th buffer goes to the main thread to free; the rest are freed here.
  if (i % 64 === 0) handOver.push(buffer);
  else {
    buffers.free(buffer);
    operations++;
  }
  if (handOver.length === 32) {
    parentPort!.postMessage({ handOver });
    operations += handOver.length;
    handOver = [];
  }
}
parentPort!.postMessage({ handOver, done: operations + handOver.length });
heap.close();
