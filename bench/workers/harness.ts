// The main-thread side of the worker cases: starts one worker per workload
// on a heap, runs them together for a number of rounds and returns each
// round's wall-clock time (the slowest worker's loop).

import { Worker } from "node:worker_threads";
import type { Heap } from "wasm-pools";
import { type BenchCommand, type BenchReply, type BenchWorkerData, portsOf, type Workload } from "./bench-worker-protocol.js";

const WORKER_SCRIPT = new URL("./bench-worker.js", import.meta.url);

interface Running {
  worker: Worker;
  /** Resolves with the worker's next message. */
  next(): Promise<BenchReply>;
}

function start(data: BenchWorkerData): Running {
  const worker = new Worker(WORKER_SCRIPT, { workerData: data, transferList: portsOf(data.workload) });
  const inbox: BenchReply[] = [];
  let waiting: { resolve: (reply: BenchReply) => void; reject: (error: Error) => void } | undefined;
  let failure: Error | undefined;
  worker.on("message", (reply: BenchReply) => {
    if (waiting) {
      waiting.resolve(reply);
      waiting = undefined;
    } else inbox.push(reply);
  });
  const fail = (error: Error): void => {
    failure = error;
    waiting?.reject(error);
  };
  worker.once("error", fail);
  worker.once("exit", (code) => fail(new Error(`benchmark worker ${data.number} exited with code ${code}`)));
  return {
    worker,
    next: () => {
      const queued = inbox.shift();
      if (queued) return Promise.resolve(queued);
      if (failure) return Promise.reject(failure);
      return new Promise((resolve, reject) => (waiting = { resolve, reject }));
    },
  };
}

/**
 * Runs `workloads`, one worker each, for a warm-up round and `rounds` rounds;
 * returns each counted round's wall time in ms. `onMainThread`, when given,
 * runs on this thread in every round once the workers are told to start,
 * and its time counts as one more worker's.
 */
export async function runWorkers(
  heap: Heap,
  cacheBytes: number,
  workloads: Workload[],
  rounds: number,
  onMainThread?: () => void,
): Promise<number[]> {
  const barrier = new SharedArrayBuffer(8);
  const workers = workloads.map((workload, number) =>
    start({ handle: heap.handle(), cacheBytes, number, workload, barrier, parties: workloads.length }),
  );
  const send = (command: BenchCommand): void => workers.forEach((w) => w.worker.postMessage(command));
  try {
    await Promise.all(workers.map((w) => w.next()));
    const walls: number[] = [];
    // Round 1 warms the JIT up and is not counted.
    for (let round = 1; round <= rounds + 1; round++) {
      send({ type: "run", round });
      const mainStart = performance.now();
      onMainThread?.();
      const mainMs = performance.now() - mainStart;
      const replies = await Promise.all(workers.map((w) => w.next()));
      if (round > 1) walls.push(Math.max(mainMs, ...replies.map((reply) => (reply.type === "done" ? reply.elapsedMs : 0))));
    }
    const exits = workers.map((w) => new Promise((resolve) => w.worker.once("exit", resolve)));
    send({ type: "stop" });
    await Promise.all(exits);
    return walls;
  } catch (error) {
    // The others may wait at the barrier for the one that failed.
    await Promise.all(workers.map((w) => w.worker.terminate()));
    throw error;
  }
}
