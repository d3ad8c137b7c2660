// Samples of the long sweeps. `npm test` runs a sample of each sweep that
// would take minutes whole (the death points of every operation, the random
// kills in every runtime, the terminated workers, the aborted worker-pool
// tasks), chosen by one seed per run; `npm run test:all`
// (WASM_POOLS_EXHAUSTIVE=1) runs every sweep whole. The seed is printed when
// the run starts (seed-setup.ts) and in every sampled test's line; give it
// back as WASM_POOLS_SEED=<seed> to run the same samples again.
// docs/testing.md says more.

import { xorshift32 } from "./xorshift.js";

/** Every sweep whole (npm run test:all). */
export const EXHAUSTIVE = process.env.WASM_POOLS_EXHAUSTIVE === "1";

/** Parses WASM_POOLS_SEED: an integer from 1 to 2^32 - 1; undefined when unset. */
export function seedFrom(text: string | undefined): number | undefined {
  if (text === undefined || text === "") return undefined;
  const seed = Number(text);
  if (!Number.isInteger(seed) || seed < 1 || seed > 0xffff_ffff) {
    throw new Error(`WASM_POOLS_SEED must be an integer from 1 to 4294967295, not ${JSON.stringify(text)}`);
  }
  return seed;
}

/** A fresh seed, for a run that was given none. */
export function newSeed(): number {
  return (Math.floor(Math.random() * 0xffff_fffe) + 1) >>> 0;
}

/** The run's seed: seed-setup.ts sets it for every test file when it was not given. */
export const SEED: number = seedFrom(process.env.WASM_POOLS_SEED) ?? newSeed();

/** FNV-1a of a label: each sweep draws from its own stream, whatever ran before it. */
function hashOf(label: string): number {
  let hash = 0x811c9dc5;
  for (let i = 0; i < label.length; i++) hash = Math.imul(hash ^ label.charCodeAt(i), 0x01000193);
  return hash >>> 0;
}

/** A reproducible stream of uint32 for the sweep `label`, from the run's seed. */
export function randomFor(label: string, seed = SEED): () => number {
  return xorshift32((seed ^ hashOf(label)) >>> 0 || 1);
}

/**
 * `count` distinct numbers of 1..total, in ascending order, drawn for
 * `label` from the run's seed; every one of them when `count >= total`.
 * `always` are in the sample whatever is drawn (and count towards `count`).
 */
export function sampleOf(total: number, count: number, label: string, always: readonly number[] = []): number[] {
  if (count >= total) return Array.from({ length: total }, (_, i) => i + 1);
  const picked = new Set(always.filter((k) => k >= 1 && k <= total));
  const next = randomFor(label);
  while (picked.size < count) picked.add((next() % total) + 1);
  return [...picked].sort((a, b) => a - b);
}

/** How to run a sampled test again with the same sample, or whole. */
export function replayHint(): string {
  return EXHAUSTIVE ? "every case (WASM_POOLS_EXHAUSTIVE=1)" : `seed ${SEED}; replay: WASM_POOLS_SEED=${SEED}, all: npm run test:all`;
}
