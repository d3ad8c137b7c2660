// Fault injection's options and the heap's record of recent allocation
// failures (assembly/faults.ts writes it).

import { InvalidArgumentError } from "./errors.js";
import {
  FAILED_INJECTED,
  FAILED_LIMIT,
  FAILURE_RING_SIZE,
  FAILURE_WRITTEN,
  H_FAIL_PPM,
  H_FAIL_SEED,
  H_FAILURE_RING,
  H_FAILURES,
  POOL_INDEX_BITS,
} from "./layout.js";
import { poolIdOf } from "./slots.js";
import { describe, integerIn } from "./validate.js";
import type { MemoryViews } from "./views.js";

/** Why an allocation failed: its pool's `limit`, the heap's `maxBytes`, or an injected failure (`failRate`). */
export type FailureReason = "limit" | "memory" | "injected";

/** One failed allocation, as kept in the heap's ring of recent failures. */
export interface FailureRecord {
  /** Slot number of the pool that failed to allocate. */
  poolId: number;
  /** What refused the allocation. */
  reason: FailureReason;
}

/** What heap.stats() reports of failures and fault injection. */
export interface FailureStats {
  /** Allocations that failed since the heap was made, in every pool and thread. */
  failures: number;
  /** The last (at most 12) failures, oldest first. */
  recentFailures: FailureRecord[];
  /** The heap's fault injection. */
  faultInjection: {
    /** Share of pool refills from the backing allocator failed on purpose, in percent. */
    failRate: number;
    /** Seed of the draws: pass it as `seed` to repeat a run. */
    seed: number;
  };
}

const PPM_PER_PERCENT = 10_000;

/** options.failRate (a percentage, fractions allowed) as parts per million. */
export function failPpm(value: unknown): number {
  if (value === undefined) return 0;
  if (typeof value !== "number" || !Number.isFinite(value) || value < 0 || value > 100) {
    throw new InvalidArgumentError("options.failRate", `expected a percentage from 0 to 100, got ${describe(value)}`);
  }
  return Math.round(value * PPM_PER_PERCENT);
}

/** options.seed, or a random one (reported by stats() so that the run can be repeated). */
export function failSeed(value: unknown): number {
  if (value === undefined) return crypto.getRandomValues(new Uint32Array(1))[0]!;
  return integerIn("options.seed", value, 0, 2 ** 32 - 1);
}

function reasonOf(code: number): FailureReason {
  return code === FAILED_INJECTED ? "injected" : code === FAILED_LIMIT ? "limit" : "memory";
}

export function readFailures(views: MemoryViews): FailureStats {
  const failures = views.word(H_FAILURES);
  const recentFailures: FailureRecord[] = [];
  for (let n = Math.max(0, failures - FAILURE_RING_SIZE); n < failures; n++) {
    const entry = views.word(H_FAILURE_RING + (n % FAILURE_RING_SIZE) * 4);
    // A failure counted but not written yet (another thread is between the two) is left out.
    if ((entry & FAILURE_WRITTEN) === 0) continue;
    recentFailures.push({ poolId: poolIdOf(entry), reason: reasonOf((entry & ~FAILURE_WRITTEN) >>> POOL_INDEX_BITS) });
  }
  return {
    failures,
    recentFailures,
    faultInjection: { failRate: views.word(H_FAIL_PPM) / PPM_PER_PERCENT, seed: views.word(H_FAIL_SEED) },
  };
}
