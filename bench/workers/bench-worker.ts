// A benchmark worker: attaches to the heap, then runs its workload once per
// "run" command, starting together with the other workers at a barrier, and
// reports how long its own loop took.

import { parentPort, workerData } from "node:worker_threads";
import { Heap } from "wasm-pools";
import {
  BARRIER_ARRIVED,
  BARRIER_GO,
  type BenchCommand,
  type BenchReply,
  type BenchWorkerData,
  CHURN_POOL,
  TRANSFER_POOL,
} from "./bench-worker-protocol.js";
import { answerRequests, serverPools } from "./server-worker.js";
import { churn, consume, larson, larsonMalloc, larsonPools, produce } from "./workloads.js";

const data = workerData as BenchWorkerData;
const heap = await Heap.attach(data.handle, { cacheBytes: data.cacheBytes });
const barrier = new Int32Array(data.barrier);
const port = parentPort!;

function loop(): () => void {
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
  }
}

/** The last worker to arrive opens round `round` for all. */
function meet(round: number): void {
  if (Atomics.add(barrier, BARRIER_ARRIVED, 1) === round * data.parties - 1) {
    Atomics.store(barrier, BARRIER_GO, round);
    Atomics.notify(barrier, BARRIER_GO);
  }
  while (Atomics.load(barrier, BARRIER_GO) < round) Atomics.wait(barrier, BARRIER_GO, round - 1);
}

const run = loop();
const reply = (message: BenchReply): void => port.postMessage(message);
port.on("message", (command: BenchCommand) => {
  if (command.type === "stop") {
    heap.close();
    port.close();
    return;
  }
  meet(command.round);
  const start = performance.now();
  run();
  reply({ type: "done", elapsedMs: performance.now() - start });
});
reply({ type: "ready" });
