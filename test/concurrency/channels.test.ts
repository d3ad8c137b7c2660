// Channels (src/channel.ts, assembly/channels.ts): what one thread sees, bad
// input, and real workers on real shared memory sending and receiving
// through one small channel, every message received exactly once and each
// producer's messages in order.

import { Worker } from "node:worker_threads";
import { describe, expect, it } from "vitest";
import {
  ChannelClosedError,
  ChannelDestroyedError,
  ChannelExistsError,
  ChannelNotEmptyError,
  ChannelNotFoundError,
  Heap,
  HeapClosedError,
  InvalidArgumentError,
  InvalidPointerError,
  TooManyChannelsError,
  WaitTimeoutError,
} from "wasm-pools";
import { CH_SENT, CHANNEL_SLOT_SIZE, CHANNELS_START } from "../../dist/layout.js";
import { type ChannelReport, type ChannelTask, Message } from "../workers/channel-protocol.js";

const WORKER = new URL("../../build/test/workers/channel-worker.js", import.meta.url);

function runWorker(task: ChannelTask): Promise<ChannelReport> {
  const worker = new Worker(WORKER, { workerData: task });
  return new Promise((resolve, reject) => {
    worker.once("message", resolve);
    worker.once("error", reject);
    worker.once("exit", (code) => reject(new Error(`channel worker exited with code ${code} before reporting`)));
  });
}

describe("a channel, on one thread", () => {
  it("is a bounded FIFO: trySend refuses when full, tryReceive answers undefined when empty, null once closed and drained", async () => {
    const heap = await Heap.create({ maxBytes: 16 << 20 });
    const pool = heap.createPool("p", 16);
    const channel = heap.createChannel("jobs", { capacity: 3 });
    expect(channel.capacity).toBe(3);
    const ptrs = Array.from({ length: 4 }, () => pool.alloc());
    expect(ptrs.map((ptr) => channel.trySend(ptr))).toEqual([true, true, true, false]);
    expect(channel.stats()).toMatchObject({ queued: 3, sent: 3, received: 0, closed: false });
    expect(channel.tryReceive()).toBe(ptrs[0]);
    expect(channel.trySend(ptrs[3]!)).toBe(true);
    expect([channel.tryReceive(), channel.tryReceive(), channel.tryReceive()]).toEqual(ptrs.slice(1));
    expect(channel.tryReceive()).toBeUndefined();
    // Many rounds: the ring wraps, order holds.
    for (let round = 0; round < 50; round++) {
      expect(channel.trySend(ptrs[round % 4]!)).toBe(true);
      expect(channel.trySend(ptrs[(round + 1) % 4]!)).toBe(true);
      expect(channel.tryReceive()).toBe(ptrs[round % 4]);
      expect(channel.tryReceive()).toBe(ptrs[(round + 1) % 4]);
    }
    channel.trySend(ptrs[0]!);
    channel.close();
    expect(channel.closed).toBe(true);
    expect(() => channel.trySend(ptrs[1]!)).toThrow(ChannelClosedError);
    expect(channel.tryReceive()).toBe(ptrs[0]);
    expect(channel.tryReceive()).toBeNull();
    expect(channel.receive()).toBeNull();
    expect(await channel.receiveAsync()).toBeNull();
    expect(channel.stats()).toMatchObject({ queued: 0, sent: 105, received: 105, closed: true });
    channel.destroy();
    for (const ptr of ptrs) pool.free(ptr);
    heap.check();
    heap.close();
  });

  it("is found by name or id from any handle; names are its own (a pool may share one); destroy refuses while messages are in it", async () => {
    const heap = await Heap.create({ maxBytes: 16 << 20 });
    const pool = heap.createPool("jobs", 16);
    const channel = heap.createChannel("jobs");
    expect(channel.capacity).toBe(1024);
    expect(() => heap.createChannel("jobs")).toThrow(ChannelExistsError);
    expect(heap.channel("jobs").id).toBe(channel.id);
    expect(heap.channel(channel.id).name).toBe("jobs");
    expect(heap.channels().map((c) => c.name)).toEqual(["jobs"]);
    expect(() => heap.channel("nope")).toThrow(ChannelNotFoundError);
    const ptr = pool.alloc();
    heap.channel("jobs").trySend(ptr);
    expect(() => channel.destroy()).toThrow(ChannelNotEmptyError);
    expect(channel.tryReceive()).toBe(ptr);
    heap.channel(channel.id).destroy();
    for (const stale of [
      () => channel.trySend(ptr),
      () => channel.tryReceive(),
      () => channel.close(),
      () => channel.destroy(),
      () => channel.stats(),
    ]) {
      expect(stale).toThrow(ChannelDestroyedError);
    }
    expect(() => heap.channel("jobs")).toThrow(ChannelNotFoundError);
    // A new incarnation in the same slot: the old handle stays stale.
    const again = heap.createChannel("jobs");
    expect(again.id).toBe(channel.id);
    expect(() => channel.tryReceive()).toThrow(ChannelDestroyedError);
    again.destroy();
    pool.free(ptr);
    heap.check();
    heap.close();
    expect(() => again.tryReceive()).toThrow(HeapClosedError);
  });

  it("waits with a timeout: a blocking receive or send ends with WaitTimeoutError, and timeoutMs 0 tries once", async () => {
    const heap = await Heap.create({ maxBytes: 16 << 20 });
    const pool = heap.createPool("p", 16);
    const channel = heap.createChannel("one", { capacity: 1 });
    const ptr = pool.alloc();
    expect(() => channel.receive({ timeoutMs: 0 })).toThrow(WaitTimeoutError);
    expect(() => channel.receive({ timeoutMs: 20 })).toThrow(WaitTimeoutError);
    await expect(channel.receiveAsync({ timeoutMs: 20 })).rejects.toThrow(WaitTimeoutError);
    channel.send(ptr, { timeoutMs: 0 });
    expect(() => channel.send(ptr, { timeoutMs: 20 })).toThrow(WaitTimeoutError);
    await expect(channel.sendAsync(ptr, { timeoutMs: 20 })).rejects.toThrow(WaitTimeoutError);
    expect(channel.receive({ timeoutMs: 0 })).toBe(ptr);
    pool.free(ptr);
    heap.close();
  });

  it("refuses bad input with typed errors and leaves the channel as it was", async () => {
    const heap = await Heap.create({ maxBytes: 16 << 20 });
    const channel = heap.createChannel("c", { capacity: 2 });
    // Not a pointer at all, or not one the heap could hand out (0, misaligned, below the arena).
    for (const bad of [-8, 1.5, 2 ** 32, Number.NaN, "8", null, undefined, 8n]) {
      expect(() => channel.trySend(bad as number), String(bad)).toThrow(InvalidArgumentError);
    }
    for (const bad of [0, 12, 8, 4096]) expect(() => channel.trySend(bad), String(bad)).toThrow(InvalidPointerError);
    for (const bad of [0, -1, 2 ** 24 + 1, 1.5, "8"]) {
      expect(() => heap.createChannel("x", { capacity: bad as number })).toThrow(InvalidArgumentError);
    }
    for (const bad of ["", "x".repeat(32), 7]) expect(() => heap.createChannel(bad as string)).toThrow(InvalidArgumentError);
    expect(() => channel.receive({ timeoutMs: -1 })).toThrow(InvalidArgumentError);
    expect(() => heap.channel(64)).toThrow(InvalidArgumentError);
    expect(() => heap.channel({} as string)).toThrow(InvalidArgumentError);
    expect(channel.stats()).toMatchObject({ queued: 0, sent: 0, received: 0 });
    // Every slot taken.
    const more = Array.from({ length: 63 }, (_, i) => heap.createChannel(`c${i}`, { capacity: 1 }));
    expect(() => heap.createChannel("one too many")).toThrow(TooManyChannelsError);
    for (const c of [channel, ...more]) c.destroy();
    heap.check();
    heap.close();
  });

  it("heap.check() finds a message that points at a freed object, and a count past the capacity", async () => {
    const heap = await Heap.create({ maxBytes: 16 << 20 });
    const pool = heap.createPool("p", 16);
    const channel = heap.createChannel("c", { capacity: 2 });
    const ptr = pool.alloc();
    channel.trySend(ptr);
    expect(heap.check().channels).toBe(1);
    pool.free(ptr); // a bug of the caller's: the object was sent, then freed
    expect(() => heap.check()).toThrow(/channel "c" \(id 0\): message 0 is \d+, an object that is free/);
    expect(channel.tryReceive()).toBe(ptr);
    heap.check();
    // A stray write over the channel's count.
    const words = new Uint32Array(heap.memory.buffer);
    const sent = (CHANNELS_START + channel.id * CHANNEL_SLOT_SIZE + CH_SENT) >>> 2;
    words[sent] = words[sent]! + 5;
    expect(() => heap.check()).toThrow(/5 messages queued, its capacity is 2/);
    words[sent] = words[sent]! - 5;
    channel.destroy();
    heap.check();
    heap.close();
  });
});

describe("a channel between workers", () => {
  for (const [producers, consumers] of [
    [1, 1],
    [3, 1],
    [1, 3],
    [2, 2],
  ] as const) {
    it(`${producers} producer(s) to ${consumers} consumer(s) through 8 slots: every message once, each producer's in order, backpressure used`, async () => {
      const count = 20_000;
      const heap = await Heap.create({ maxBytes: 64 << 20 });
      heap.createPool("messages", Message.size, { shared: true });
      const channel = heap.createChannel("pipe", { capacity: 8 });
      const claims = new SharedArrayBuffer(4 * producers * count);
      const base = { handle: heap.handle(), channel: "pipe", count, claims };
      const consuming = Array.from({ length: consumers }, (_, i) => runWorker({ ...base, role: "consumer", producer: i }));
      const producing = Array.from({ length: producers }, (_, i) => runWorker({ ...base, role: "producer", producer: i }));
      const sent = await Promise.all(producing);
      channel.close();
      const received = await Promise.all(consuming);
      const counts = new Int32Array(claims);
      const wrong = counts.findIndex((n) => n !== 1);
      expect(wrong, `message ${wrong} was received ${counts[wrong]} times`).toBe(-1);
      expect(received.reduce((n, r) => n + r.received, 0)).toBe(producers * count);
      expect(received.reduce((n, r) => n + r.outOfOrder, 0)).toBe(0);
      // Eight slots between fast producers and consumers fill up: the waiting send path ran.
      expect(sent.reduce((n, r) => n + r.refused, 0)).toBeGreaterThan(0);
      expect(channel.stats()).toMatchObject({ queued: 0, sent: producers * count, received: producers * count });
      expect(heap.pool("messages").stats().used).toBe(0);
      channel.destroy();
      heap.check();
      heap.close();
    }, 60_000);
  }

  it("a main thread receives with for await and sends with sendAsync while workers block on the other side", async () => {
    const count = 5_000;
    const heap = await Heap.create({ maxBytes: 64 << 20 });
    const pool = heap.createPool("messages", Message.size, { shared: true });
    const message = Message.bind(heap);
    const up = heap.createChannel("up", { capacity: 4 });
    const down = heap.createChannel("down", { capacity: 4 });
    const claims = new SharedArrayBuffer(4 * count);
    const base = { handle: heap.handle(), count, claims, producer: 0 };
    // A worker produces into "up"; the main thread moves each message to "down"; a worker consumes "down".
    const consumer = runWorker({ ...base, channel: "down", role: "consumer" });
    const producer = runWorker({ ...base, channel: "up", role: "producer" });
    let moved = 0;
    const forwarding = (async () => {
      for await (const ptr of up) {
        expect(message.seq.get(ptr)).toBe(moved);
        await down.sendAsync(ptr);
        moved++;
      }
      down.close();
    })();
    await producer;
    up.close();
    await forwarding;
    const report = await consumer;
    expect(moved).toBe(count);
    expect(report).toMatchObject({ received: count, outOfOrder: 0 });
    expect(new Int32Array(claims).every((n) => n === 1)).toBe(true);
    expect(pool.stats().used).toBe(0);
    up.destroy();
    down.destroy();
    heap.check();
    heap.close();
  }, 60_000);
});
