// One demo worker: attaches to the heap it was sent and serves requests;
// then, when the main thread asks, times its hot path alone.

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

/** Allocs and frees `count` sessions in pairs, as a request that needs an object for a moment does. */
function pairs(count: number): void {
  for (let i = 0; i < count; i++) sessions.free(sessions.alloc());
}

/**
 * The hot path's steady state: nanoseconds per alloc+free pair of a pool
 * whose objects sit in this thread's cache, once the JIT has compiled the
 * loop (a warm-up of a million pairs), as the median of timed rounds.
 */
function hotPathNsPerPair(): number {
  const ROUND = 200_000;
  pairs(5 * ROUND);
  const rounds: number[] = [];
  const until = performance.now() + 250;
  while (rounds.length < 7 || performance.now() < until) {
    const start = performance.now();
    pairs(ROUND);
    rounds.push(((performance.now() - start) * 1e6) / ROUND);
  }
  rounds.sort((a, b) => a - b);
  return rounds[rounds.length >> 1]!;
}

parentPort!.once("message", () => {
  parentPort!.postMessage({ nsPerPair: hotPathNsPerPair() });
  heap.close();
});
