// A browser stress worker: churns the shared pool with an ownership claim on
// every object it holds, while holding big objects that make the memory grow;
// it checks their contents through views made after the growth.

import { xorshift32 } from "../../../bench/workers/xorshift.js";
import { Heap } from "../../../dist/index.js";
import { Claims, Holding } from "../../workers/claims.js";
import { BIG_POOL, BIG_SIZE, GO, SHARED_POOL, type StressReply, type StressStart } from "./protocol.js";

interface WorkerScope {
  onmessage: ((event: MessageEvent<StressStart>) => void) | null;
  postMessage(message: StressReply): void;
}

const scope = self as unknown as WorkerScope;

function run(heap: Heap, task: StressStart): StressReply {
  const shared = heap.pool(SHARED_POOL);
  const big = heap.pool(BIG_POOL);
  const claims = new Claims(heap.memory, task.number);
  const held = new Holding(claims);
  const bigs: number[] = [];
  let allocs = 0;
  let frees = 0;
  const next = xorshift32(0x2545f491 ^ (task.number * 7919 + 1));
  const release = (index: number): void => {
    const ptr = held.take(index);
    if (ptr === 0) return; // a double hand-out: the other owner frees it
    shared.free(ptr);
    frees++;
  };
  for (let i = 0; i < task.operations; i++) {
    if (held.size === 0 || (held.size < 64 && (next() & 1) === 0)) {
      held.add(shared.alloc());
      allocs++;
    } else release(next() % held.size);
    // Spread the big allocations over the run, so the memory grows while others churn.
    if (bigs.length < task.bigObjects && i % 64 === 0) {
      const ptr = big.alloc();
      heap.bytes(ptr, BIG_SIZE).fill((task.number * 31 + bigs.length) & 0xff);
      bigs.push(ptr);
    }
  }
  while (held.size > 0) release(held.size - 1);
  let badBigObjects = 0;
  bigs.forEach((ptr, n) => {
    const expected = (task.number * 31 + n) & 0xff;
    if (!heap.bytes(ptr, BIG_SIZE).every((byte) => byte === expected)) badBigObjects++;
    big.free(ptr);
  });
  return { type: "report", allocs, frees, doubles: claims.doubles, memoryBytesSeen: heap.stats().memoryBytes, badBigObjects };
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
