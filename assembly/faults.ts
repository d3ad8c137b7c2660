// Fault injection (as HAProxy's tune.fail-alloc) and the record of recent
// allocation failures. A heap made with a failure rate makes that share of
// pool refills from the backing allocator fail, drawn from a random stream
// per thread seeded from the heap's seed and the thread's id, so a run with
// the same seed and the same operations fails at the same places.

import {
  FAILED_INJECTED,
  FAILED_LIMIT,
  FAILED_MEMORY,
  FAILURE_RING_SIZE,
  FAILURE_WRITTEN,
  H_FAIL_PPM,
  H_FAIL_SEED,
  H_FAILURE_RING,
  H_FAILURES,
  P_FAILED,
  POOL_INDEX_BITS,
} from "./layout";
import { poolIndexOf } from "./slots";

/** This thread's random stream (xorshift32; a module global is per thread). */
let randomState: u32 = 1;
/** Why this thread's last refill from the backing allocator failed. */
let lastRefusal: u32 = FAILED_MEMORY;

export function seedThread(threadId: u32): void {
  const seeded = load<u32>(H_FAIL_SEED) ^ (threadId * 0x9e3779b9);
  randomState = seeded != 0 ? seeded : 1;
}

function nextRandom(): u32 {
  let x = randomState;
  x ^= x << 13;
  x ^= x >> 17;
  x ^= x << 5;
  randomState = x;
  return x;
}

/** Whether this refill must fail on purpose (draws only when a rate is set). */
export function injectFailure(): bool {
  const ppm = load<u32>(H_FAIL_PPM);
  if (ppm == 0) return false;
  if (nextRandom() % 1_000_000 >= ppm) return false;
  lastRefusal = FAILED_INJECTED;
  return true;
}

export function refusedByLimit(): void {
  lastRefusal = FAILED_LIMIT;
}

export function refusedByMemory(): void {
  lastRefusal = FAILED_MEMORY;
}

/** Counts a failed allocation of `pool` in the heap's ring, with the reason of the last refusal. */
export function recordFailure(pool: usize): void {
  const index = poolIndexOf(pool);
  atomic.add<u32>(pool + P_FAILED, 1);
  const n = atomic.add<u32>(H_FAILURES, 1);
  atomic.store<u32>(H_FAILURE_RING + (n % FAILURE_RING_SIZE) * 4, FAILURE_WRITTEN | (lastRefusal << POOL_INDEX_BITS) | index);
}
