// A browser stress worker: churns the shared pool with an ownership claim on
// every object it holds, while holding big objects that make the memory grow;
// it checks their contents through views made after the growth.

import { Heap } from "../../../dist/index.js";
import { churnWithClaims } from "../../workers/churn-with-claims.js";
import { BIG_POOL, BIG_SIZE, GO, SHARED_POOL, type StressReply, type StressStart } from "./stress-page-protocol.js";

interface WorkerScope {
  onmessage: ((event: MessageEvent<StressStart>) => void) | null;
  postMessage(message: StressReply): void;
}

const scope = self as unknown as WorkerScope;

function run(heap: Heap, task: StressStart): StressReply {
  const result = churnWithClaims(heap, heap.pool(SHARED_POOL), heap.pool(BIG_POOL), {
    number: task.number,
    operations: task.operations,
    bigObjects: task.bigObjects,
    bigSize: BIG_SIZE,
    seed: 0x2545f491,
  });
  return { type: "report", ...result, memoryBytesSeen: heap.stats().memoryBytes };
}

scope.onmessage = async ({ data }) => {
  try {
    const heap = await Heap.attach(data.handle);
    const signals = new Int32Array(data.signals);
    scope.postMessage({ type: "ready" });
    while (Atomics.load(signals, GO) === 0) Atomics.wait(signals, GO, 0);
    const report = run(heap, data);
    heap.close(); // a Web Worker has no exit hook: give the cache back
    scope.postMessage(report);
  } catch (error) {
    scope.postMessage({ type: "error", message: error instanceof Error && error.stack ? error.stack : String(error) });
  }
};
