// A worker of test/concurrency/channels.test.ts. A producer allocates each
// message from the shared pool "messages", writes who it is and the
// message's number, and sends it (trySend first, then send, which waits
// while the channel is full). A consumer receives until the channel is
// closed and drained, claims each message in the shared claims array,
// checks each producer's order, and frees it.

import { parentPort, workerData } from "node:worker_threads";
import { Heap } from "wasm-pools";
import { type ChannelReport, type ChannelTask, Message } from "./channel-protocol.js";

const task = workerData as ChannelTask;
const heap = await Heap.attach(task.handle);
const channel = heap.channel(task.channel);
const message = Message.bind(heap);
const pool = heap.pool("messages");
const report: ChannelReport = { refused: 0, received: 0, outOfOrder: 0 };
if (task.role === "producer") {
  for (let seq = 0; seq < task.count; seq++) {
    const ptr = pool.alloc();
    message.producer.set(ptr, task.producer);
    message.seq.set(ptr, seq);
    if (!channel.trySend(ptr)) {
      report.refused++;
      channel.send(ptr);
    }
  }
} else {
  const claims = new Int32Array(task.claims);
  const last = new Map<number, number>();
  for (const ptr of channel) {
    const producer = message.producer.get(ptr);
    const seq = message.seq.get(ptr);
    if ((last.get(producer) ?? -1) >= seq) report.outOfOrder++;
    last.set(producer, seq);
    Atomics.add(claims, producer * task.count + seq, 1);
    report.received++;
    pool.free(ptr);
  }
}
heap.close();
parentPort!.postMessage(report);
