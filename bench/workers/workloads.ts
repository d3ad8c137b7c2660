// The loops the worker cases run, written as the C references in
// bench/native/ are, so that the two measure the same work.

import type { Heap, Pool } from "wasm-pools";
import { RingConsumer, RingProducer } from "../../test/support/ring.js";
import { xorshift32 } from "../../test/support/xorshift.js";
import { LARSON_CLASSES, LARSON_SLOTS_PER_WORKER } from "./bench-worker-protocol.js";

const WINDOW = 16;

/** Holds a window of 16 objects and replaces the oldest at every step. */
export function churn(pool: Pool, pairs: number): void {
  const window = new Array<number>(WINDOW).fill(0);
  for (let i = 0; i < pairs; i++) {
    const at = i % WINDOW;
    if (window[at] !== 0) pool.free(window[at]!);
    window[at] = pool.alloc();
  }
  for (const ptr of window) if (ptr !== 0) pool.free(ptr);
}

export function produce(pool: Pool, ring: SharedArrayBuffer, objects: number): void {
  const producer = new RingProducer(ring);
  for (let i = 0; i < objects; i++) producer.push(pool.alloc());
  producer.flush();
}

export function consume(pool: Pool, ring: SharedArrayBuffer, objects: number): void {
  new RingConsumer(ring).drain(objects, (ptr) => pool.free(ptr));
}

export function larsonPools(heap: Heap): Pool[] {
  return LARSON_CLASSES.map((size) => heap.pool(`larson-${size}`));
}

/**
 * Allocates 16-1024 random bytes from the matching size-class pool and swaps
 * the object into a shared slot (3 times in 4 in this worker's part of the
 * array, otherwise anywhere), then frees what it swapped out, which another
 * worker may have allocated. A slot holds the pointer with its class index in
 * the low 3 bits (objects are 8-aligned).
 */
export function larson(pools: Pool[], slots: Uint32Array, steps: number, number: number, workers: number): void {
  const random = xorshift32(0x9e3779b9 ^ (number * 7919 + 1));
  const total = workers * LARSON_SLOTS_PER_WORKER;
  for (let i = 0; i < steps; i++) {
    const r = random();
    const size = 16 + (r % 1009);
    const sizeClass = size <= 16 ? 0 : 28 - Math.clz32(size - 1);
    const slot = (r >>> 12) % 4 !== 0 ? number * LARSON_SLOTS_PER_WORKER + ((r >>> 16) % LARSON_SLOTS_PER_WORKER) : random() % total;
    const old = Atomics.exchange(slots, slot, pools[sizeClass]!.alloc() | sizeClass);
    if (old !== 0) pools[old & 7]!.free(old & ~7);
  }
}

/** larson(), with heap.malloc and heap.free instead of hand-picked size-class pools (#15). */
export function larsonMalloc(heap: Heap, slots: Uint32Array, steps: number, number: number, workers: number): void {
  const random = xorshift32(0x9e3779b9 ^ (number * 7919 + 1));
  const total = workers * LARSON_SLOTS_PER_WORKER;
  for (let i = 0; i < steps; i++) {
    const r = random();
    const size = 16 + (r % 1009);
    const slot = (r >>> 12) % 4 !== 0 ? number * LARSON_SLOTS_PER_WORKER + ((r >>> 16) % LARSON_SLOTS_PER_WORKER) : random() % total;
    const old = Atomics.exchange(slots, slot, heap.malloc(size));
    if (old !== 0) heap.free(old);
  }
}
