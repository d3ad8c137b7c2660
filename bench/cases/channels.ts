// Cases 14 to 17 (#24): 64-byte messages through a wasm-pools channel
// between Node workers, against the ways workers pass messages without
// shared memory. Throughput, 1→1, 2→1 and 1→2 (cases 14 to 16): the channel
// rows and the MessageChannel rows run in benchmark workers
// (bench/workers/bench-worker.ts, started together at a barrier; a round's
// time is its slowest worker's loop); the postMessage rows go between the
// main thread and workers (bench/workers/post-message-worker.ts; a round's
// time is the main thread's, from its first post to the last message in).
// Latency (case 17): a ping-pong, one message in flight; every round trip
// is a sample, and the table gives their median and 99th percentile.

import { once } from "node:events";
import { MessageChannel, type MessagePort, Worker } from "node:worker_threads";
import { Heap } from "wasm-pools";
import { type CaseResult, caseFromSamples, latencyFromSamples } from "../results.js";
import {
  MESSAGE_BYTES,
  MESSAGE_CHANNEL,
  MESSAGE_POOL,
  PING_CHANNEL,
  PONG_CHANNEL,
  type PostCommand,
  type PostDone,
  type Workload,
} from "../workers/bench-worker-protocol.js";
import { intact, PostPinger, writeMessage } from "../workers/channel-loops.js";
import { runWorkers } from "../workers/harness.js";
import { CACHE_ON, type WorkerJob } from "./workers.js";

export const CHANNEL_ONE_TO_ONE_GROUP = "14. channel throughput, 1→1 (64 B messages)";
export const CHANNEL_MANY_TO_ONE_GROUP = "15. channel throughput, 2→1 (64 B messages)";
export const CHANNEL_ONE_TO_MANY_GROUP = "16. channel throughput, 1→2 (64 B messages)";
export const CHANNEL_LATENCY_GROUP = "17. channel latency: 64 B round trip, ping-pong";
/** The groups charted as throughput (bench/report.ts). */
export const THROUGHPUT_GROUPS: readonly string[] = [CHANNEL_ONE_TO_ONE_GROUP, CHANNEL_MANY_TO_ONE_GROUP, CHANNEL_ONE_TO_MANY_GROUP];
export const CHANNEL = "wasm-pools channel, pointers to pool objects";
export const POSTMESSAGE_COPY = "postMessage, Uint8Array copied";
export const POSTMESSAGE_TRANSFER = "postMessage, ArrayBuffer transferred";
export const MESSAGE_CHANNEL_PORTS = "MessageChannel between the workers, Uint8Array copied";

const THROUGHPUT_OPERATION =
  "one 64-byte message allocated, written, sent, received, checked (and freed); channel and MessageChannel: worker to worker; postMessage: workers to the main thread (1→2: the main thread to workers)";
const LATENCY_OPERATION =
  "one round trip of a 64-byte message (allocate, write, send, the other side receives, checks and sends it back; check, free); postMessage: the main thread and a worker";
const POST_SCRIPT = new URL("../workers/post-message-worker.js", import.meta.url);
/** Big enough that the memory never grows during a case: the loops' views of it stay whole. */
const INITIAL_BYTES = 16 << 20;
/** Messages the throughput case's channel holds (the default of heap.createChannel). */
const CAPACITY = 1024;

interface Topology {
  group: string;
  senders: number;
  receivers: number;
}

const TOPOLOGIES: readonly Topology[] = [
  { group: CHANNEL_ONE_TO_ONE_GROUP, senders: 1, receivers: 1 },
  { group: CHANNEL_MANY_TO_ONE_GROUP, senders: 2, receivers: 1 },
  { group: CHANNEL_ONE_TO_MANY_GROUP, senders: 1, receivers: 2 },
];

/** A heap with the messages' pool and the given channels, closed after `use`. */
async function withHeap<T>(channels: Array<[string, number]>, use: (heap: Heap) => Promise<T>): Promise<T> {
  const heap = await Heap.create({ initialBytes: INITIAL_BYTES, cacheBytes: CACHE_ON });
  try {
    heap.createPool(MESSAGE_POOL, MESSAGE_BYTES);
    for (const [name, capacity] of channels) heap.createChannel(name, { capacity });
    return await use(heap);
  } finally {
    heap.close();
  }
}

function perMessage(topology: Topology, name: string, messages: number, walls: readonly number[]): CaseResult {
  return caseFromSamples(
    topology.group,
    name,
    THROUGHPUT_OPERATION,
    walls.map((ms) => (ms * 1e6) / messages),
  );
}

/** Senders and receivers in workers, on one channel; each sender sends its share of `messages`, each receiver takes its share. */
function measureChannel(topology: Topology, messages: number, rounds: number): Promise<CaseResult> {
  const workloads: Workload[] = [
    ...Array.from({ length: topology.receivers }, (): Workload => ({ kind: "channel-receive", messages: messages / topology.receivers })),
    ...Array.from({ length: topology.senders }, (): Workload => ({ kind: "channel-send", messages: messages / topology.senders })),
  ];
  return withHeap([[MESSAGE_CHANNEL, CAPACITY]], async (heap) =>
    perMessage(topology, CHANNEL, messages, await runWorkers(heap, CACHE_ON, workloads, rounds)),
  );
}

/** The same in workers, a MessageChannel between each sender and each receiver; a sender posts on its ports in turn. */
function measureMessageChannels(topology: Topology, messages: number, rounds: number): Promise<CaseResult> {
  const pairs = Array.from({ length: topology.senders }, () => Array.from({ length: topology.receivers }, () => new MessageChannel()));
  const receiverPorts = (receiver: number): MessagePort[] => pairs.map((row) => row[receiver]!.port2);
  const workloads: Workload[] = [
    ...Array.from(
      { length: topology.receivers },
      (_, receiver): Workload => ({
        kind: "port-receive",
        messages: messages / topology.receivers,
        ports: receiverPorts(receiver),
      }),
    ),
    ...pairs.map((row): Workload => ({ kind: "port-send", messages: messages / topology.senders, ports: row.map((pair) => pair.port1) })),
  ];
  // The workers use no heap; the harness attaches them to one all the same.
  return withHeap([], async (heap) =>
    perMessage(topology, MESSAGE_CHANNEL_PORTS, messages, await runWorkers(heap, CACHE_ON, workloads, rounds)),
  );
}

async function startPostWorkers(count: number): Promise<Worker[]> {
  const workers = Array.from({ length: count }, () => new Worker(POST_SCRIPT));
  await Promise.all(workers.map((worker) => once(worker, "online")));
  return workers;
}

async function stopPostWorkers(workers: readonly Worker[]): Promise<void> {
  await Promise.all(workers.map((worker) => worker.terminate()));
}

/** Resolves once `messages` messages came from the workers, each checked; rejects on a damaged one or a worker's error. */
function receiveOnMainThread(workers: readonly Worker[], messages: number): Promise<void> {
  return new Promise((resolve, reject) => {
    let left = messages;
    let wrong = 0;
    const finish = (error?: Error): void => {
      for (const worker of workers) {
        worker.off("message", take);
        worker.off("error", finish);
      }
      if (error) reject(error);
      else if (wrong !== 0) reject(new Error(`${wrong} messages arrived damaged`));
      else resolve();
    };
    const take = (message: Uint8Array | ArrayBuffer): void => {
      if (!intact(message instanceof ArrayBuffer ? new Uint8Array(message) : message, 0)) wrong++;
      if (--left === 0) finish();
    };
    for (const worker of workers) {
      worker.on("message", take);
      worker.on("error", finish);
    }
  });
}

/** Resolves when `worker` says it took every message of its "consume". */
function consumed(worker: Worker): Promise<void> {
  return new Promise((resolve, reject) => {
    const finish = (reply: PostDone | Error): void => {
      worker.off("message", finish);
      worker.off("error", finish);
      if (reply instanceof Error) reject(reply);
      else if (reply.wrong !== 0) reject(new Error(`${reply.wrong} messages arrived damaged`));
      else resolve();
    };
    worker.on("message", finish);
    worker.on("error", finish);
  });
}

/** Posts `messages` messages from the main thread to the workers in turn: new Uint8Arrays copied, or ArrayBuffers transferred. */
function postFromMainThread(workers: readonly Worker[], messages: number, transfer: boolean): void {
  for (let seq = 0; seq < messages; seq++) {
    const worker = workers[seq % workers.length]!;
    if (transfer) {
      const buffer = new ArrayBuffer(MESSAGE_BYTES);
      writeMessage(new Uint8Array(buffer), 0, seq);
      worker.postMessage(buffer, [buffer]);
    } else {
      const message = new Uint8Array(MESSAGE_BYTES);
      writeMessage(message, 0, seq);
      worker.postMessage(message);
    }
  }
}

/** postMessage between workers and the main thread: the workers post to it (1→1, 2→1), or it posts to them (1→2). */
async function measurePostMessage(topology: Topology, transfer: boolean, messages: number, rounds: number): Promise<CaseResult> {
  const fromMainThread = topology.senders === 1 && topology.receivers > 1;
  const workers = await startPostWorkers(fromMainThread ? topology.receivers : topology.senders);
  const post = (command: PostCommand): void => workers.forEach((worker) => worker.postMessage(command));
  try {
    const walls: number[] = [];
    // Round 1 warms the JIT up and is not counted, as in the other worker cases.
    for (let round = 1; round <= rounds + 1; round++) {
      let start: number;
      if (fromMainThread) {
        const done = Promise.all(workers.map(consumed));
        post({ type: "consume", messages: messages / workers.length });
        start = performance.now();
        postFromMainThread(workers, messages, transfer);
        await done;
      } else {
        const received = receiveOnMainThread(workers, messages);
        start = performance.now();
        post({ type: "produce", messages: messages / workers.length, transfer });
        await received;
      }
      if (round > 1) walls.push(performance.now() - start);
    }
    return perMessage(topology, transfer ? POSTMESSAGE_TRANSFER : POSTMESSAGE_COPY, messages, walls);
  } finally {
    await stopPostWorkers(workers);
  }
}

/** The round trips of rounds 2 and on (round 1 warms up), from samples laid out round after round. */
function countedSamples(samples: SharedArrayBuffer, roundTrips: number): number[] {
  return Array.from(new Float64Array(samples, roundTrips * 8));
}

function newSamples(roundTrips: number, rounds: number): SharedArrayBuffer {
  return new SharedArrayBuffer((rounds + 1) * roundTrips * 8);
}

/** Ping-pong between two workers through two channels, "ping" and "pong". */
function channelLatency(roundTrips: number, rounds: number): Promise<CaseResult> {
  const samples = newSamples(roundTrips, rounds);
  return withHeap(
    [
      [PING_CHANNEL, 16],
      [PONG_CHANNEL, 16],
    ],
    async (heap) => {
      await runWorkers(
        heap,
        CACHE_ON,
        [
          { kind: "channel-ping", roundTrips, samples },
          { kind: "channel-pong", roundTrips },
        ],
        rounds,
      );
      return latencyFromSamples(CHANNEL_LATENCY_GROUP, CHANNEL, LATENCY_OPERATION, countedSamples(samples, roundTrips));
    },
  );
}

/** Ping-pong between two workers through a MessageChannel. */
function messageChannelLatency(roundTrips: number, rounds: number): Promise<CaseResult> {
  const samples = newSamples(roundTrips, rounds);
  const { port1, port2 } = new MessageChannel();
  return withHeap([], async (heap) => {
    await runWorkers(
      heap,
      CACHE_ON,
      [
        { kind: "port-ping", roundTrips, port: port1, samples },
        { kind: "port-pong", roundTrips, port: port2 },
      ],
      rounds,
    );
    return latencyFromSamples(CHANNEL_LATENCY_GROUP, MESSAGE_CHANNEL_PORTS, LATENCY_OPERATION, countedSamples(samples, roundTrips));
  });
}

/** Ping-pong between the main thread and a worker, by postMessage. */
async function postMessageLatency(transfer: boolean, roundTrips: number, rounds: number): Promise<CaseResult> {
  const workers = await startPostWorkers(1);
  try {
    const worker = workers[0]!;
    const pinger = new PostPinger(worker, transfer);
    const failed = new Promise<never>((_, reject) => worker.once("error", reject));
    const samples: number[] = [];
    for (let round = 1; round <= rounds + 1; round++) {
      const roundSamples = new Float64Array(roundTrips);
      await Promise.race([pinger.run(roundSamples), failed]);
      if (round > 1) samples.push(...roundSamples);
    }
    return latencyFromSamples(CHANNEL_LATENCY_GROUP, transfer ? POSTMESSAGE_TRANSFER : POSTMESSAGE_COPY, LATENCY_OPERATION, samples);
  } finally {
    await stopPostWorkers(workers);
  }
}

/** Cases 14 to 17: `messages` per round of a throughput case (even: shared by 2), `roundTrips` per round of a latency case. */
export function channelJobs(messages: number, roundTrips: number, rounds: number): WorkerJob[] {
  const jobs: WorkerJob[] = [];
  const job = (group: string, name: string, run: () => Promise<CaseResult>): void => {
    jobs.push({ group, name, native: false, run });
  };
  for (const topology of TOPOLOGIES) {
    job(topology.group, CHANNEL, () => measureChannel(topology, messages, rounds));
    job(topology.group, POSTMESSAGE_COPY, () => measurePostMessage(topology, false, messages, rounds));
    job(topology.group, POSTMESSAGE_TRANSFER, () => measurePostMessage(topology, true, messages, rounds));
    job(topology.group, MESSAGE_CHANNEL_PORTS, () => measureMessageChannels(topology, messages, rounds));
  }
  job(CHANNEL_LATENCY_GROUP, CHANNEL, () => channelLatency(roundTrips, rounds));
  job(CHANNEL_LATENCY_GROUP, POSTMESSAGE_COPY, () => postMessageLatency(false, roundTrips, rounds));
  job(CHANNEL_LATENCY_GROUP, POSTMESSAGE_TRANSFER, () => postMessageLatency(true, roundTrips, rounds));
  job(CHANNEL_LATENCY_GROUP, MESSAGE_CHANNEL_PORTS, () => messageChannelLatency(roundTrips, rounds));
  return jobs;
}
