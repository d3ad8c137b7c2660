// vitest's global setup: one seed for the whole run, chosen here when
// WASM_POOLS_SEED is not given and passed to every test file through the
// environment, then printed, so that a failing sample can be run again
// (test/support/sampling.ts).

import { EXHAUSTIVE, newSeed, seedFrom } from "./sampling.js";

export default function setup(): void {
  const seed = seedFrom(process.env.WASM_POOLS_SEED) ?? newSeed();
  process.env.WASM_POOLS_SEED = String(seed);
  // vitest runs this once per project: say it once.
  if (process.env.WASM_POOLS_SEED_SAID === "1") return;
  process.env.WASM_POOLS_SEED_SAID = "1";
  console.log(
    EXHAUSTIVE
      ? `every sweep whole (WASM_POOLS_EXHAUSTIVE=1); seed ${seed}`
      : `sampled sweeps, seed ${seed}: replay with WASM_POOLS_SEED=${seed} npm test, or run every sweep whole with npm run test:all`,
  );
}
