// Channels in every engine: one thread's FIFO (full, empty, closed and
// drained), typed errors, what a blocking receive does on this main thread
// (a browser's refuses to block: CannotBlockError), and a relay with a
// worker: it sends up blocking (the channel holds 4), this thread relays
// each message down with promises (for await, sendAsync), and the worker
// then receives them blocking.

import type { Heap } from "../../dist/index.js";
import { type ConformanceReport, DOWN_CHANNEL, SHARED_POOL, UP_CHANNEL, type WorkerReply } from "./conformance-protocol.js";
import type { TestThread } from "./engine-threads.js";
import { errorName } from "./error-name.js";

/** Whether this thread may block in Atomics.wait (not a browser's main thread). */
function mayBlock(): boolean {
  try {
    Atomics.wait(new Int32Array(new WebAssembly.Memory({ initial: 1, maximum: 1, shared: true }).buffer), 0, 1, 0);
    return true;
  } catch {
    return false;
  }
}

export function channelChecks(heap: Heap): ConformanceReport["channels"] {
  const pool = heap.createPool("channel objects", 16);
  const channel = heap.createChannel("conformance", { capacity: 2 });
  const [a, b, c] = [pool.alloc(), pool.alloc(), pool.alloc()];
  const fifo =
    channel.trySend(a) &&
    channel.trySend(b) &&
    !channel.trySend(c) &&
    channel.tryReceive() === a &&
    channel.trySend(c) &&
    channel.tryReceive() === b &&
    channel.tryReceive() === c &&
    channel.tryReceive() === undefined;
  const blockingReceive = errorName(() => channel.receive({ timeoutMs: 1 }));
  channel.trySend(a);
  channel.close();
  const errors = [
    errorName(() => channel.trySend(b)),
    errorName(() => heap.createChannel("conformance")),
    errorName(() => channel.destroy()),
    errorName(() => channel.trySend(3)),
  ];
  const drained = fifo && channel.tryReceive() === a && channel.tryReceive() === null;
  channel.destroy();
  errors.push(errorName(() => channel.tryReceive()));
  for (const ptr of [a, b, c]) pool.free(ptr);
  return { fifo: drained, errors, mainMayBlock: mayBlock(), blockingReceive };
}

export async function relay(heap: Heap, thread: TestThread, count: number): Promise<ConformanceReport["relay"]> {
  const up = heap.createChannel(UP_CHANNEL, { capacity: 4 });
  // Room for every message: the worker sends them all before it receives any.
  const down = heap.createChannel(DOWN_CHANNEL, { capacity: count });
  const relayed = new Promise<Extract<WorkerReply, { type: "relayed" }>>((resolve, reject) =>
    thread.onReply((reply) => {
      const r = reply as unknown as WorkerReply;
      if (r.type === "relayed") resolve(r);
      else if (r.type === "error") reject(new Error(r.message));
    }),
  );
  thread.post({ type: "relay", handle: heap.handle(), count } as never);
  let upInOrder = true;
  let n = 0;
  for await (const ptr of up) {
    if (heap.array(Uint32Array, ptr, 1)[0] !== n) upInOrder = false;
    await down.sendAsync(ptr);
    if (++n === count) break;
  }
  down.close();
  const { received, outOfOrder } = await relayed;
  up.close();
  up.destroy();
  down.destroy();
  return { count: n, upInOrder, received, outOfOrder, used: heap.pool(SHARED_POOL).stats().used };
}
