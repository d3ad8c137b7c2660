// npm run stress -- --workers N --seconds S [--seed X]: the stress run as a
// command; prints each phase and ends with PASS or FAIL (exit code 0 or 1).

import { parseArgs } from "node:util";
import { runStress } from "./stress-run.js";

const { values } = parseArgs({
  options: {
    workers: { type: "string", default: "4" },
    seconds: { type: "string", default: "10" },
    seed: { type: "string" },
  },
});

function positiveInteger(name: string, text: string): number {
  const value = Number(text);
  if (!Number.isInteger(value) || value < 1) {
    console.error(`--${name}: expected a positive integer, got ${text}`);
    process.exit(2);
  }
  return value;
}

const workers = positiveInteger("workers", values.workers);
const seconds = positiveInteger("seconds", values.seconds);
const seed = values.seed === undefined ? Math.floor(Math.random() * 2 ** 31) + 1 : positiveInteger("seed", values.seed);
console.log(`wasm-pools stress: ${workers} workers, ${seconds} s, seed ${seed} (repeat with --seed ${seed})`);
const result = await runStress({ workers, seconds, seed, log: (line) => console.log(line) });
const t = result.totals;
console.log(
  `\n${result.phases} phases, ${t.operations} operations: ${t.allocs} allocs (${t.mallocs} heap.malloc), ${t.frees} frees (${t.crossFrees} cross-thread), ` +
    `${t.refused} refused, ${t.flushes} flushes, ${t.gcs} gcs, ${t.poolsCreated + 2 * result.phases + t.churnRemade} pools created and destroyed ` +
    `(${t.churnRemade} under load), ${t.doubles} double hand-outs`,
);
console.log(result.passed ? "PASS" : `FAIL\n  ${result.failures.join("\n  ")}`);
process.exit(result.passed ? 0 : 1);
