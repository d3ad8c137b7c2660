// A benchmark worker: attaches to the heap, then runs its workload once per
// "run" command, starting together with the other workers at a barrier, and
// reports how long its own loop took (up to the end of the promise of a
// loop that waits on MessagePort events).

import { parentPort, workerData } from "node:worker_threads";
import { Heap } from "wasm-pools";
import {
  BARRIER_ARRIVED,
  BARRIER_GO,
  type BenchCommand,
  type BenchReply,
  type BenchWorkerData,
  CHURN_POOL,
  MESSAGE_CHANNEL,
  MESSAGE_POOL,
  PING_CHANNEL,
  PONG_CHANNEL,
  TRANSFER_POOL,
} from "./bench-worker-protocol.js";
import {
  PortPonger,
  PortReceiver,
  PostPinger,
  pingThroughChannels,
  pongThroughChannels,
  receiveFromChannel,
  sendOnPorts,
  sendThroughChannel,
} from "./channel-loops.js";
import { answerRequests, answerRequestsOnChannels, serverChannels, serverPools } from "./server-worker.js";
import { churn, consume, larson, larsonMalloc, larsonPools, produce } from "./workloads.js";

const data = workerData as BenchWorkerData;
const heap = await Heap.attach(data.handle, { cacheBytes: data.cacheBytes });
const barrier = new Int32Array(data.barrier);
const port = parentPort!;

/** One round of the workload (numbered from 1), and what to close before the worker ends (MessagePorts keep it alive). */
interface Loop {
  run(round: number): void | Promise<void>;
  close?(): void;
}

function loop(): Loop {
  const work = data.workload;
  return work.kind.startsWith("port-") ? portLoop() : { run: heapLoop() };
}

function heapLoop(): (round: number) => void {
  const work = data.workload;
  switch (work.kind) {
    case "churn": {
      const pool = heap.pool(CHURN_POOL);
      return () => churn(pool, work.pairs);
    }
    case "produce": {
      const pool = heap.pool(TRANSFER_POOL);
      return () => produce(pool, work.ring, work.objects);
    }
    case "consume": {
      const pool = heap.pool(TRANSFER_POOL);
      return () => consume(pool, work.ring, work.objects);
    }
    case "larson": {
      const pools = larsonPools(heap);
      const slots = new Uint32Array(work.slots);
      return () => larson(pools, slots, work.steps, data.number, work.workers);
    }
    case "larson-malloc": {
      const slots = new Uint32Array(work.slots);
      return () => larsonMalloc(heap, slots, work.steps, data.number, work.workers);
    }
    case "answer": {
      const pools = serverPools(heap);
      return () => answerRequests(heap, pools, work.toWorker, work.fromWorker, work.requests);
    }
    case "answer-channels": {
      const pools = serverPools(heap);
      const channels = serverChannels(heap);
      return () => answerRequestsOnChannels(heap, pools, channels, work.requests);
    }
    case "channel-send": {
      const pool = heap.pool(MESSAGE_POOL);
      const channel = heap.channel(MESSAGE_CHANNEL);
      return () => sendThroughChannel(heap, pool, channel, work.messages);
    }
    case "channel-receive": {
      const pool = heap.pool(MESSAGE_POOL);
      const channel = heap.channel(MESSAGE_CHANNEL);
      return () => receiveFromChannel(heap, pool, channel, work.messages);
    }
    case "channel-ping": {
      const pool = heap.pool(MESSAGE_POOL);
      const ping = heap.channel(PING_CHANNEL);
      const pong = heap.channel(PONG_CHANNEL);
      return (round) => pingThroughChannels(heap, pool, ping, pong, roundSamples(work.samples, work.roundTrips, round));
    }
    case "channel-pong": {
      const ping = heap.channel(PING_CHANNEL);
      const pong = heap.channel(PONG_CHANNEL);
      return () => pongThroughChannels(heap, ping, pong, work.roundTrips);
    }
    default:
      throw new Error(`${work.kind} is no heap workload`);
  }
}

function portLoop(): Loop {
  const work = data.workload;
  switch (work.kind) {
    case "port-send":
      return { run: () => sendOnPorts(work.ports, work.messages), close: () => work.ports.forEach((port) => port.close()) };
    case "port-receive": {
      const receiver = new PortReceiver(work.ports);
      return { run: () => receiver.receive(work.messages), close: () => receiver.close() };
    }
    case "port-ping": {
      const pinger = new PostPinger(work.port, false);
      return { run: (round) => pinger.run(roundSamples(work.samples, work.roundTrips, round)), close: () => work.port.close() };
    }
    case "port-pong": {
      const ponger = new PortPonger(work.port);
      return { run: () => ponger.run(work.roundTrips), close: () => ponger.close() };
    }
    default:
      throw new Error(`${work.kind} is no MessagePort workload`);
  }
}

/** Round `round`'s part of a latency case's samples (the warm-up round's included: the main thread skips it). */
function roundSamples(samples: SharedArrayBuffer, roundTrips: number, round: number): Float64Array {
  return new Float64Array(samples, (round - 1) * roundTrips * 8, roundTrips);
}

/** The last worker to arrive opens round `round` for all. */
function meet(round: number): void {
  if (Atomics.add(barrier, BARRIER_ARRIVED, 1) === round * data.parties - 1) {
    Atomics.store(barrier, BARRIER_GO, round);
    Atomics.notify(barrier, BARRIER_GO);
  }
  while (Atomics.load(barrier, BARRIER_GO) < round) Atomics.wait(barrier, BARRIER_GO, round - 1);
}

const work = loop();
const reply = (message: BenchReply): void => port.postMessage(message);
port.on("message", async (command: BenchCommand) => {
  if (command.type === "stop") {
    work.close?.();
    heap.close();
    port.close();
    return;
  }
  meet(command.round);
  const start = performance.now();
  await work.run(command.round);
  reply({ type: "done", elapsedMs: performance.now() - start });
});
reply({ type: "ready" });
