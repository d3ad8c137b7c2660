// Cases 9, 10 and 12: heap.malloc of random sizes 16-1024 bytes (#15),
// beside @thi.ng/malloc (one thread, no atomics) and glibc (main.ts adds it,
// from bench/native/randsize.c, which draws the same sizes, and larson.c):
// the pair, 10,000 held then freed, the Larson-like load on one thread,
// and the bytes reserved per byte requested after a fill.

import { MemPool } from "@thi.ng/malloc";
import { Heap } from "wasm-pools";
import { xorshift32 } from "../../test/support/xorshift.js";
import { keep, type SingleThreadCase } from "./measure.js";

export const MALLOC_PAIR_GROUP = "9. malloc+free pair, random sizes 16-1024 B";
export const MALLOC_HOLD_GROUP = "10. malloc: hold 10,000 random sizes 16-1024 B, then free all";
export const MALLOC_LARSON_GROUP = "12. malloc: Larson-like load on one thread, 16-1024 B";
export const WASM_POOLS_MALLOC = "wasm-pools heap.malloc+free";
export const THING_MALLOC = "@thi.ng/malloc MemPool";

const SIZE_COUNT = 4096;
const PAIRS_PER_CALL = 1000;
const HELD = 10_000;

/** The sizes randsize.c draws: 16 + xorshift32 % 1009, from the same seed. */
export const RANDOM_SIZES = (() => {
  const random = xorshift32(0x9e3779b9);
  return Int32Array.from({ length: SIZE_COUNT }, () => 16 + (random() % 1009));
})();

const heap = await Heap.create();
const thing = new MemPool({ size: 64 << 20 });
let next = 0;

/** The pair as a user writes it: a size from the program's data, malloc, use, free. */
function mallocPairs(pairs: number): number {
  let check = 0;
  for (let i = 0; i < pairs; i++) {
    const ptr = heap.malloc(RANDOM_SIZES[next++ & (SIZE_COUNT - 1)]!);
    check = (check + ptr) | 0;
    heap.free(ptr);
  }
  return check;
}

function thingPairs(pairs: number): number {
  let check = 0;
  for (let i = 0; i < pairs; i++) {
    const ptr = thing.malloc(RANDOM_SIZES[next++ & (SIZE_COUNT - 1)]!);
    check = (check + ptr) | 0;
    thing.free(ptr);
  }
  return check;
}

function holdCase(name: string, malloc: (bytes: number) => number, free: (ptr: number) => void): SingleThreadCase {
  const held = new Float64Array(HELD);
  return {
    group: MALLOC_HOLD_GROUP,
    name,
    operation: "one malloc and one free, 10,000 held at the peak",
    perCall: HELD,
    run: () => {
      for (let i = 0; i < HELD; i++) held[i] = malloc(RANDOM_SIZES[(next + i) & (SIZE_COUNT - 1)]!);
      for (let i = 0; i < HELD; i++) free(held[i]!);
      next += HELD;
    },
  };
}

const LARSON_SLOTS = 1024;
const LARSON_STEPS_PER_CALL = 1000;

/** larson.c on one thread: malloc a random size into a random slot of 1,024, free what was there. */
function larsonCase(name: string, malloc: (bytes: number) => number, free: (ptr: number) => void): SingleThreadCase {
  const slots = new Float64Array(LARSON_SLOTS);
  const random = xorshift32(0x9e3779b9 ^ 1);
  return {
    group: MALLOC_LARSON_GROUP,
    name,
    operation: "one malloc into a random slot of 1,024, one free of what it held",
    perCall: LARSON_STEPS_PER_CALL,
    run: () => {
      for (let i = 0; i < LARSON_STEPS_PER_CALL; i++) {
        const r = random();
        const slot = (r >>> 12) % 4 !== 0 ? (r >>> 16) % LARSON_SLOTS : random() % LARSON_SLOTS;
        const old = slots[slot]!;
        slots[slot] = malloc(16 + (r % 1009));
        if (old !== 0) free(old);
      }
    },
  };
}

export function mallocCases(): SingleThreadCase[] {
  const pair = (name: string, run: () => void): SingleThreadCase => ({
    group: MALLOC_PAIR_GROUP,
    name,
    operation: "one malloc and one free",
    perCall: PAIRS_PER_CALL,
    run,
  });
  return [
    pair(WASM_POOLS_MALLOC, () => keep(mallocPairs(PAIRS_PER_CALL))),
    pair(THING_MALLOC, () => keep(thingPairs(PAIRS_PER_CALL))),
    holdCase(
      WASM_POOLS_MALLOC,
      (bytes) => heap.malloc(bytes),
      (ptr) => heap.free(ptr),
    ),
    holdCase(
      THING_MALLOC,
      (bytes) => thing.malloc(bytes),
      (ptr) => thing.free(ptr),
    ),
    larsonCase(
      WASM_POOLS_MALLOC,
      (bytes) => heap.malloc(bytes),
      (ptr) => heap.free(ptr),
    ),
    larsonCase(
      THING_MALLOC,
      (bytes) => thing.malloc(bytes),
      (ptr) => thing.free(ptr),
    ),
  ];
}

/** Bytes the heap's backing allocator reserves per byte requested, after `blocks` random-size mallocs (free objects cached or listed count as reserved). */
export async function mallocOverhead(blocks: number): Promise<number> {
  const fresh = await Heap.create({ maxBytes: 1 << 30 });
  const before = fresh.stats().backingUsedBytes;
  let requested = 0;
  const held = new Uint32Array(blocks);
  for (let i = 0; i < blocks; i++) {
    const bytes = RANDOM_SIZES[i % SIZE_COUNT]!;
    held[i] = fresh.malloc(bytes);
    requested += bytes;
  }
  const reserved = (fresh.stats().backingUsedBytes - before) / requested;
  for (const ptr of held) fresh.free(ptr);
  fresh.close();
  return reserved;
}
