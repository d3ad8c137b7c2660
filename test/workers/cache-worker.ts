// A worker the cache tests steer one command at a time (see CacheCommand),
// so that a test can put objects in a thread's cache, make the thread act
// later, and see what its cache gave back.

import { parentPort, workerData } from "node:worker_threads";
import { Heap, type HeapHandle, type Pool } from "wasm-pools";
import { RingConsumer, RingProducer } from "../support/ring.js";

export type CacheCommand =
  | { op: "alloc"; pool: string; count: number }
  | { op: "free"; pool: string; ptrs: number[] }
  | { op: "touch"; pool: string }
  | { op: "produce"; pool: string; ring: SharedArrayBuffer; count: number }
  | { op: "consume"; pool: string; ring: SharedArrayBuffer; count: number }
  | { op: "close" }
  | { op: "end" };

export type CacheReply = { ok: true; threadId: number; ptrs?: number[]; bad?: number } | { ok: false; error: string };

export interface CacheWorkerData {
  handle: HeapHandle;
  cacheBytes: number;
}

const data = workerData as CacheWorkerData;
const heap = await Heap.attach(data.handle, { cacheBytes: data.cacheBytes });
const port = parentPort!;
const words = (): Uint32Array => new Uint32Array(heap.memory.buffer);

/** Producer: writes each object's sequence number into it before handing it over. */
function produce(pool: Pool, ring: SharedArrayBuffer, count: number): void {
  const producer = new RingProducer(ring);
  const memory = words();
  for (let i = 0; i < count; i++) {
    const ptr = pool.alloc();
    memory[ptr >>> 2] = i;
    producer.push(ptr);
  }
  producer.flush();
}

/** Consumer: counts objects whose contents changed in flight (handed out twice), then frees each. */
function consume(pool: Pool, ring: SharedArrayBuffer, count: number): number {
  const memory = words();
  let expected = 0;
  let bad = 0;
  new RingConsumer(ring).drain(count, (ptr) => {
    if (memory[ptr >>> 2] !== expected++) bad++;
    pool.free(ptr);
  });
  return bad;
}

function run(command: CacheCommand): CacheReply {
  const threadId = heap.threadId;
  switch (command.op) {
    case "alloc": {
      const pool = heap.pool(command.pool);
      return { ok: true, threadId, ptrs: Array.from({ length: command.count }, () => pool.alloc()) };
    }
    case "free":
      for (const ptr of command.ptrs) heap.pool(command.pool).free(ptr);
      return { ok: true, threadId };
    case "touch": {
      const pool = heap.pool(command.pool);
      pool.free(pool.alloc());
      return { ok: true, threadId };
    }
    case "produce":
      produce(heap.pool(command.pool), command.ring, command.count);
      return { ok: true, threadId };
    case "consume":
      return { ok: true, threadId, bad: consume(heap.pool(command.pool), command.ring, command.count) };
    case "close":
      heap.close();
      return { ok: true, threadId };
    case "end":
      // Closed after the reply is sent (below).
      return { ok: true, threadId };
  }
}

port.on("message", (command: CacheCommand) => {
  try {
    port.postMessage(run(command));
    // Ends the worker without closing the heap: the exit hook must.
    if (command.op === "end") port.close();
  } catch (error) {
    port.postMessage({ ok: false, error: String(error) });
  }
});
port.postMessage({ ok: true, threadId: heap.threadId });
