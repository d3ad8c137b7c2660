// Backpressure (src/pool-waits.ts): waiting for an object of a pool at its
// limit, blocking in workers and with a promise anywhere, woken when objects
// come back: objects another thread frees while someone waits (they skip
// its cache), and objects a thread cached before, which it gives back
// before it sleeps in a wait of the package (a channel receive).

import { Worker } from "node:worker_threads";
import { describe, expect, it } from "vitest";
import { Heap, InvalidArgumentError, WaitTimeoutError } from "wasm-pools";

const WORKER = new URL("../../build/test/workers/backpressure-worker.js", import.meta.url);

function start(task: object): { worker: Worker; next: () => Promise<string> } {
  const worker = new Worker(WORKER, { workerData: task });
  const replies: string[] = [];
  let waiting: ((reply: string) => void) | undefined;
  worker.on("message", (reply: string) => {
    if (waiting) {
      const w = waiting;
      waiting = undefined;
      w(reply);
    } else replies.push(reply);
  });
  worker.on("error", (error) => {
    throw error;
  });
  const next = () => (replies.length > 0 ? Promise.resolve(replies.shift()!) : new Promise<string>((resolve) => (waiting = resolve)));
  return { worker, next };
}

describe("waiting for an object of a pool at its limit", () => {
  it("on one thread: times out with WaitTimeoutError (0: one try), and returns at once when an object is free", async () => {
    const heap = await Heap.create({ maxBytes: 16 << 20 });
    const pool = heap.createPool("limited", 32, { limit: 2 });
    const [a, b] = [pool.allocWait(), await pool.allocAsync()];
    expect(() => pool.allocWait({ timeoutMs: 0 })).toThrow(WaitTimeoutError);
    expect(() => pool.allocWait({ timeoutMs: 30 })).toThrow(WaitTimeoutError);
    await expect(pool.allocAsync({ timeoutMs: 30 })).rejects.toThrow(WaitTimeoutError);
    expect(() => pool.allocWait({ timeoutMs: -5 })).toThrow(InvalidArgumentError);
    pool.free(a!);
    expect(pool.allocWait({ timeoutMs: 0 })).toBe(a);
    pool.free(a!);
    pool.free(b!);
    expect(pool.stats()).toMatchObject({ used: 0, allocated: 2 });
    heap.check();
    heap.close();
  });

  it("a waiter on the main thread gets the objects an idle worker frees into its cache while it waits (they skip the cache)", async () => {
    const heap = await Heap.create({ maxBytes: 16 << 20 });
    const pool = heap.createPool("limited", 32, { limit: 4, shared: true });
    const control = new SharedArrayBuffer(8);
    const words = new Int32Array(control);
    const { worker, next } = start({ handle: heap.handle(), mode: "hold", count: 4, control });
    expect(await next()).toBe("holding");
    expect(pool.tryAlloc()).toBe(0);
    const waiting = pool.allocAsync({ timeoutMs: 20_000 });
    // The waiter counted itself: now the worker frees, then stays idle, never touching the pool again.
    Atomics.store(words, 0, 1);
    Atomics.notify(words, 0);
    expect(await next()).toBe("freed");
    // Without the skip, the worker's frees would sit in its cache, and the wait would time out.
    const got = await waiting;
    expect(got).toBeGreaterThan(0);
    pool.free(got);
    Atomics.store(words, 1, 1);
    Atomics.notify(words, 1);
    await new Promise((resolve) => worker.once("exit", resolve));
    expect(pool.stats().used).toBe(0);
    heap.check();
    heap.close();
  }, 30_000);

  it("a producer worker blocks in allocWait at the limit while the main thread frees what it receives (its frees cached, then given back before it sleeps in the channel): never more than the limit", async () => {
    const heap = await Heap.create({ maxBytes: 16 << 20 });
    const pool = heap.createPool("limited", 64, { limit: 8, shared: true });
    const pipe = heap.createChannel("pipe", { capacity: 64 });
    const count = 5_000;
    const { next } = start({ handle: heap.handle(), mode: "produce", count, control: new SharedArrayBuffer(8) });
    let received = 0;
    for await (const ptr of pipe) {
      pool.free(ptr);
      if (++received === count) break;
    }
    expect(await next()).toBe("produced");
    expect(pool.stats().allocated).toBeLessThanOrEqual(8);
    expect(pool.stats().failed).toBeGreaterThan(0); // the producer did meet the limit
    expect(pool.stats().used).toBe(0);
    pipe.destroy();
    heap.check();
    heap.close();
  }, 60_000);
});
