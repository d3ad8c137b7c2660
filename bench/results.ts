// What one benchmark run measured, as written to bench/results/latest.json.

import os from "node:os";
import type { EngineResult } from "./engines/engine-bench-protocol.js";
import { median, quantile } from "./median.js";
import { NATIVE_ROWS } from "./names.js";

export { median, quantile } from "./median.js";
export { FLOOR, GLIBC, NATIVE_ROWS, PARAMETER_FLOOR } from "./names.js";

/** The fastest of a group's native rows (C: glibc, mimalloc, jemalloc, tcmalloc), if it has any. */
export function bestNative(cases: readonly CaseResult[]): CaseResult | undefined {
  return cases.filter((c) => NATIVE_ROWS.includes(c.name)).sort((a, b) => a.nsPerOp - b.nsPerOp)[0];
}

export interface CaseResult {
  /** Which of the cases this is, e.g. "1. alloc+free pair". */
  group: string;
  name: string;
  /** Median nanoseconds per operation (for worker cases: wall-clock time over all workers' operations). */
  nsPerOp: number;
  /** Operations per second at that median (all workers together). */
  opsPerSec: number;
  /** How many samples the median is of. */
  samples: number;
  /** What one operation is. */
  operation: string;
  /** For latency cases (each sample one operation): the 99th percentile, in ns. */
  p99Ns?: number;
}

export interface Machine {
  cpu: string;
  cores: number;
  node: string;
  platform: string;
  gcc: string | null;
}

export interface TargetResult {
  name: string;
  /** The measured ratio (or, for the batch target, ns per object). */
  measured: number;
  /** e.g. "≤ 0.7×" */
  target: string;
  met: boolean;
  how: string;
}

export interface RunResults {
  date: string;
  quick: boolean;
  machine: Machine;
  cases: CaseResult[];
  targets: TargetResult[];
  skipped: string[];
  /** The single-thread cases in each engine (--engines). */
  engines?: EngineResult[];
}

export function machine(gcc: string | null): Machine {
  return {
    cpu: os.cpus()[0]?.model.trim() ?? "unknown",
    cores: os.availableParallelism(),
    node: process.version,
    platform: `${os.platform()} ${os.release()} ${os.arch()}`,
    gcc,
  };
}

export function caseFromSamples(group: string, name: string, operation: string, nsPerOpSamples: readonly number[]): CaseResult {
  const nsPerOp = median(nsPerOpSamples);
  return { group, name, nsPerOp, opsPerSec: 1e9 / nsPerOp, samples: nsPerOpSamples.length, operation };
}

/** A latency case: each sample is one operation's time in ns; the median and the 99th percentile of them all. */
export function latencyFromSamples(group: string, name: string, operation: string, nsSamples: readonly number[]): CaseResult {
  return { ...caseFromSamples(group, name, operation, nsSamples), p99Ns: quantile(nsSamples, 0.99) };
}
