// The single-thread cases every engine runs, the same code in each (bundled
// by bundle.ts): the call patterns (a)-(d) with the floor, the interleaved
// pools (e) with theirs, the pair with the cache on and off beside
// `new Uint8Array(64)`, and the struct fields (group 13) beside the same
// fields written by hand. Each sample repeats a case's loop until it lasts
// a millisecond and 50 steps of the engine's clock, so that the coarse
// clocks of browsers (5-20 µs steps here) do not show in the figures; the
// runs go round every case in turn, and each case's figure is the median of
// its runs.

import { callPatternCases } from "../cases/call-patterns.js";
import { interleavedCases } from "../cases/interleaved.js";
import { measure, type SingleThreadCase } from "../cases/measure.js";
import { basicPairCases, packagePools } from "../cases/single-thread.js";
import { structCases } from "../cases/structs.js";
import { median } from "../median.js";
import type { EngineCaseResult, SuiteOptions } from "./engine-bench-protocol.js";

/** A sample lasts at least this long, and at least STEPS_PER_SAMPLE steps of the engine's clock. */
const SAMPLE_MS = 1;
const STEPS_PER_SAMPLE = 50;

/** The smallest step of performance.now() seen over a few hundred reads, in ns. */
export function timerStepNs(): number {
  let step = Number.POSITIVE_INFINITY;
  let last = performance.now();
  for (let seen = 0; seen < 200; ) {
    const now = performance.now();
    if (now !== last) {
      step = Math.min(step, now - last);
      last = now;
      seen++;
    }
  }
  return step * 1e6;
}

/** Runs `run` `repeats` times; returns the ms it took. */
function timed(run: () => void, repeats: number): number {
  const started = performance.now();
  for (let i = 0; i < repeats; i++) run();
  return performance.now() - started;
}

/**
 * The case with its loop repeated so that one call lasts at least `sampleMs`,
 * counted once the engine has warmed the loop up (its first, unoptimised
 * calls are many times slower).
 */
function lengthened(job: SingleThreadCase, sampleMs: number, warmupMs: number): SingleThreadCase {
  const warmedUntil = performance.now() + warmupMs;
  while (performance.now() < warmedUntil) job.run();
  let repeats = 1;
  while (timed(job.run, repeats) < sampleMs) repeats *= 2;
  const run = job.run;
  return {
    ...job,
    perCall: job.perCall * repeats,
    run: () => {
      for (let i = 0; i < repeats; i++) run();
    },
  };
}

export async function engineCases(): Promise<SingleThreadCase[]> {
  const { cached, uncached } = await packagePools();
  return [...callPatternCases(), ...interleavedCases(), ...basicPairCases(cached, uncached), ...structCases()];
}

export async function runSuite(options: SuiteOptions): Promise<EngineCaseResult[]> {
  const runs = options.quick ? 1 : 5;
  const times = options.quick ? { time: 100, warmupTime: 30 } : { time: 400, warmupTime: 100 };
  const sampleMs = Math.max(SAMPLE_MS, (STEPS_PER_SAMPLE * timerStepNs()) / 1e6);
  const cases = (await engineCases()).map((job) => lengthened(job, sampleMs, times.warmupTime));
  const figures = cases.map(() => [] as number[]);
  for (let run = 0; run < runs; run++) {
    for (const [index, job] of cases.entries()) figures[index]!.push((await measure(job, times)).nsPerOp);
  }
  return cases.map((job, index) => ({ group: job.group, name: job.name, nsPerOp: median(figures[index]!), runs: figures[index]! }));
}
