// What a single-thread case is, and how one is measured: with tinybench, each
// task running a batch of operations per call so that tinybench's own cost
// is amortised; a case's figure is the median sample divided by the batch.
// Nothing here imports Node: the same cases run in every engine
// (bench/engines/).

import { Bench } from "tinybench";
import type { CaseResult } from "../results.js";

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

/** How long tinybench samples a case, and warms it up first, in ms. */
export interface MeasureTimes {
  time: number;
  warmupTime: number;
}

/** Measures one case: the median of tinybench's samples, per operation. */
export async function measure(job: SingleThreadCase, times: MeasureTimes): Promise<CaseResult> {
  const bench = new Bench(times);
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
