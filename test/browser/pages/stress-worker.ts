// A browser stress worker: churns the shared pool with an ownership claim on
// every object it holds, while holding big objects that make the memory grow;
// it checks their contents through views made after the growth.

import { Heap } from "../../../dist/index.js";
import { Claims } from "../../workers/claims.js";
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
  const held: number[] = [];
  const heldClaims: number[] = [];
  const bigs: number[] = [];
  let allocs = 0;
  let frees = 0;
  let random = 0x2545f491 ^ (task.number * 7919 + 1);
  const next = (): number => {
    random ^= random << 13;
    random ^= random >>> 17;
    random ^= random << 5;
    return random >>> 0;
  };
  const release = (index: number): void => {
    const ptr = held[index]!;
    const claim = heldClaims[index]!;
    held[index] = held[held.length - 1]!;
    heldClaims[index] = heldClaims[heldClaims.length - 1]!;
    held.pop();
    heldClaims.pop();
    if (claims.release(ptr, claim)) {
      shared.free(ptr);
      frees++;
    }
  };
  for (let i = 0; i < task.operations; i++) {
    if (held.length === 0 || (held.length < 64 && (next() & 1) === 0)) {
      const ptr = shared.alloc();
      held.push(ptr);
      heldClaims.push(claims.claim(ptr));
      allocs++;
    } else release(next() % held.length);
    // Spread the big allocations over the run, so the memory grows while others churn.
    if (bigs.length < task.bigObjects && i % 64 === 0) {
      const ptr = big.alloc();
      heap.bytes(ptr, BIG_SIZE).fill((task.number * 31 + bigs.length) & 0xff);
      bigs.push(ptr);
    }
  }
  while (held.length > 0) release(held.length - 1);
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
