// Cases 1 and 2, on the main thread with tinybench: each task runs a batch
// of operations per call so that tinybench's own cost is amortised; a
// case's figure is the median sample divided by the batch.

import { MemPool } from "@thi.ng/malloc";
import { Bench } from "tinybench";
import { Heap, type Pool } from "wasm-pools";
import { AtomicsPool } from "../baselines/atomics-pool.js";
import { Int32Lifo } from "../baselines/int32-lifo.js";
import { type CaseResult, FLOOR } from "../results.js";

export const PAIR_GROUP = "1. alloc+free pair (64 B)";
export const HOLD_GROUP = "2. hold 10,000 then free all (64 B)";
const PAIRS_PER_CALL = 1000;
const HELD = 10_000;
const BATCH = 256;
const OBJECT = 64;

export interface SingleThreadCase {
  group: string;
  name: string;
  operation: string;
  /** Operations one call of `run` does. */
  perCall: number;
  run: () => void;
}

let sink = 0;

/** Keeps a loop's checksum of the pointers it got, so that no pointer is dead code (measure() reads the sum). */
export function keep(checksum: number): void {
  sink += checksum >>> 0;
}

/** The package's pools in their configurations: caches on, off, and off without the flush lock (ablation). */
export async function packagePools(): Promise<{ cached: Pool; uncached: Pool; noFlushLock: Pool; heaps: Heap[] }> {
  const cachedHeap = await Heap.create();
  const uncachedHeap = await Heap.create({ cacheBytes: 0 });
  const unlockedHeap = await Heap.create({ cacheBytes: 0, unsafeTestSwitches: { noFlushLock: true } });
  return {
    cached: cachedHeap.createPool("bench", OBJECT),
    uncached: uncachedHeap.createPool("bench", OBJECT),
    noFlushLock: unlockedHeap.createPool("bench", OBJECT),
    heaps: [cachedHeap, uncachedHeap, unlockedHeap],
  };
}

function pairCase(name: string, run: () => void): SingleThreadCase {
  return { group: PAIR_GROUP, name, operation: "one alloc and one free", perCall: PAIRS_PER_CALL, run };
}

function holdCase(name: string, alloc: () => number, free: (ptr: number) => void): SingleThreadCase {
  const held = new Float64Array(HELD);
  return {
    group: HOLD_GROUP,
    name,
    operation: "one alloc and one free, 10,000 held at the peak",
    perCall: HELD,
    run: () => {
      for (let i = 0; i < HELD; i++) held[i] = alloc();
      for (let i = 0; i < HELD; i++) free(held[i]!);
    },
  };
}

export async function singleThreadCases(): Promise<SingleThreadCase[]> {
  const { cached, uncached, noFlushLock } = await packagePools();
  const memPool = new MemPool({ size: 32 << 20 });
  const atomicsPool = new AtomicsPool(OBJECT, 2 * HELD);
  const floor = new Int32Lifo(OBJECT, HELD);
  const batch = new Uint32Array(BATCH);
  return [
    pairCase("wasm-pools, cache on", () => {
      for (let i = 0; i < PAIRS_PER_CALL; i++) cached.free(cached.alloc());
    }),
    pairCase("wasm-pools, cache off", () => {
      for (let i = 0; i < PAIRS_PER_CALL; i++) uncached.free(uncached.alloc());
    }),
    pairCase("wasm-pools, cache off, no flush lock (ablation)", () => {
      for (let i = 0; i < PAIRS_PER_CALL; i++) noFlushLock.free(noFlushLock.alloc());
    }),
    {
      group: PAIR_GROUP,
      name: "wasm-pools allocMany+freeMany, per object",
      operation: "one object allocated and freed in batches of 256",
      perCall: BATCH * 4,
      run: () => {
        for (let i = 0; i < 4; i++) {
          cached.allocMany(BATCH, batch);
          cached.freeMany(batch);
        }
      },
    },
    pairCase("@thi.ng/malloc MemPool", () => {
      for (let i = 0; i < PAIRS_PER_CALL; i++) memPool.free(memPool.malloc(OBJECT));
    }),
    pairCase("plain-JS Atomics pool", () => {
      for (let i = 0; i < PAIRS_PER_CALL; i++) atomicsPool.free(atomicsPool.alloc());
    }),
    pairCase("new Uint8Array(64)", () => {
      for (let i = 0; i < PAIRS_PER_CALL; i++) sink += new Uint8Array(OBJECT).length;
    }),
    pairCase("new ArrayBuffer(64)", () => {
      for (let i = 0; i < PAIRS_PER_CALL; i++) sink += new ArrayBuffer(OBJECT).byteLength;
    }),
    holdCase(
      "wasm-pools, cache on",
      () => cached.alloc(),
      (ptr) => cached.free(ptr),
    ),
    holdCase(
      "wasm-pools, cache off",
      () => uncached.alloc(),
      (ptr) => uncached.free(ptr),
    ),
    holdCase(
      "@thi.ng/malloc MemPool",
      () => memPool.malloc(OBJECT),
      (ptr) => memPool.free(ptr),
    ),
    holdCase(
      "plain-JS Atomics pool",
      () => atomicsPool.alloc(),
      (ptr) => atomicsPool.free(ptr),
    ),
    holdCase(
      FLOOR,
      () => floor.alloc(),
      (ptr) => floor.free(ptr),
    ),
  ];
}

/** Measures one case: the median of tinybench's samples, per operation. */
export async function measure(job: SingleThreadCase, quick: boolean): Promise<CaseResult> {
  const bench = new Bench({ time: quick ? 150 : 1000, warmupTime: quick ? 50 : 250 });
  bench.add(job.name, job.run);
  await bench.run();
  const result = bench.tasks[0]!.result;
  if (result.state !== "completed") throw new Error(`${job.name}: ${result.state === "errored" ? String(result.error) : result.state}`);
  if (sink < 0) throw new Error("unreachable");
  const nsPerOp = (result.latency.p50 * 1e6) / job.perCall;
  return {
    group: job.group,
    name: job.name,
    nsPerOp,
    opsPerSec: 1e9 / nsPerOp,
    samples: result.latency.samplesCount,
    operation: job.operation,
  };
}
