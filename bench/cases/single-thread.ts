// Cases 1 and 2, on the main thread (measured by measure.ts).

import { MemPool } from "@thi.ng/malloc";
import { Heap, type Pool } from "wasm-pools";
import { AtomicsPool } from "../baselines/atomics-pool.js";
import { Int32Lifo } from "../baselines/int32-lifo.js";
import { FLOOR } from "../names.js";
import { keep, type SingleThreadCase } from "./measure.js";

export const PAIR_GROUP = "1. alloc+free pair (64 B)";
export const HOLD_GROUP = "2. hold 10,000 then free all (64 B)";
export const CACHE_ON = "wasm-pools, cache on";
export const CACHE_OFF = "wasm-pools, cache off";
export const NEW_UINT8ARRAY = "new Uint8Array(64)";
const PAIRS_PER_CALL = 1000;
const HELD = 10_000;
const BATCH = 256;
const OBJECT = 64;

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

/** The pair with the pool's cache on and off, and `new Uint8Array(64)`: the pair cases every engine runs too (bench/engines/). */
export function basicPairCases(cached: Pool, uncached: Pool): [SingleThreadCase, SingleThreadCase, SingleThreadCase] {
  return [
    pairCase(CACHE_ON, () => {
      for (let i = 0; i < PAIRS_PER_CALL; i++) cached.free(cached.alloc());
    }),
    pairCase(CACHE_OFF, () => {
      for (let i = 0; i < PAIRS_PER_CALL; i++) uncached.free(uncached.alloc());
    }),
    pairCase(NEW_UINT8ARRAY, () => {
      for (let i = 0; i < PAIRS_PER_CALL; i++) keep(new Uint8Array(OBJECT).length);
    }),
  ];
}

export async function singleThreadCases(): Promise<SingleThreadCase[]> {
  const { cached, uncached, noFlushLock } = await packagePools();
  const memPool = new MemPool({ size: 32 << 20 });
  const atomicsPool = new AtomicsPool(OBJECT, 2 * HELD);
  const floor = new Int32Lifo(OBJECT, HELD);
  const batch = new Uint32Array(BATCH);
  const [cacheOn, cacheOff, newUint8Array] = basicPairCases(cached, uncached);
  return [
    cacheOn,
    cacheOff,
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
    newUint8Array,
    pairCase("new ArrayBuffer(64)", () => {
      for (let i = 0; i < PAIRS_PER_CALL; i++) keep(new ArrayBuffer(OBJECT).byteLength);
    }),
    holdCase(
      CACHE_ON,
      () => cached.alloc(),
      (ptr) => cached.free(ptr),
    ),
    holdCase(
      CACHE_OFF,
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
