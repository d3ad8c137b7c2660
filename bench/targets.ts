// The speed targets, checked as ratios of cases of the same run.

import { PAIR_GROUP } from "./cases/single-thread.js";
import { CHURN_GROUP, TRANSFER_GROUP } from "./cases/workers.js";
import type { CaseResult, TargetResult } from "./results.js";

function find(cases: readonly CaseResult[], group: string, name: string): CaseResult | undefined {
  return cases.find((c) => c.group === group && c.name === name);
}

function ratioTarget(
  name: string,
  target: string,
  how: string,
  numerator: CaseResult | undefined,
  denominator: CaseResult | undefined,
  value: (a: CaseResult, b: CaseResult) => number,
  met: (ratio: number) => boolean,
): TargetResult | undefined {
  if (!numerator || !denominator) return undefined;
  const measured = value(numerator, denominator);
  return { name, measured, target, met: met(measured), how };
}

export function checkTargets(cases: readonly CaseResult[]): TargetResult[] {
  const ours = find(cases, PAIR_GROUP, "wasm-pools, cache on");
  const nsRatio = (a: CaseResult, b: CaseResult): number => a.nsPerOp / b.nsPerOp;
  const speedup = (a: CaseResult, b: CaseResult): number => a.opsPerSec / b.opsPerSec;
  const batch = find(cases, PAIR_GROUP, "wasm-pools allocMany+freeMany, per object");
  const targets = [
    ratioTarget(
      "JS-driven pair with caches vs glibc malloc+free",
      "≤ 0.7×",
      "ns per pair, ours / glibc",
      ours,
      find(cases, PAIR_GROUP, "glibc malloc+free"),
      nsRatio,
      (r) => r <= 0.7,
    ),
    batch && {
      name: "Batch calls, per object",
      measured: batch.nsPerOp,
      target: "≤ 3 ns",
      met: batch.nsPerOp <= 3,
      how: "ns per object allocated and freed",
    },
    ratioTarget(
      "2 workers vs 1 worker, one pool (case 3)",
      "≥ 1.8×",
      "throughput, 2 workers / 1 worker, caches on",
      find(cases, CHURN_GROUP, "wasm-pools, cache on, 2 workers"),
      find(cases, CHURN_GROUP, "wasm-pools, cache on, 1 worker"),
      speedup,
      (r) => r >= 1.8,
    ),
    ratioTarget(
      "Producer/consumer, cache on vs off (case 4)",
      "≥ 3×",
      "throughput, cache on / cache off",
      find(cases, TRANSFER_GROUP, "wasm-pools, cache on"),
      find(cases, TRANSFER_GROUP, "wasm-pools, cache off"),
      speedup,
      (r) => r >= 3,
    ),
    ratioTarget(
      "Pair vs @thi.ng/malloc MemPool",
      "≥ 5×",
      "ns per pair, MemPool / ours",
      find(cases, PAIR_GROUP, "@thi.ng/malloc MemPool"),
      ours,
      nsRatio,
      (r) => r >= 5,
    ),
    ratioTarget(
      "Pair vs plain-JS Atomics pool",
      "≥ 3×",
      "ns per pair, Atomics pool / ours",
      find(cases, PAIR_GROUP, "plain-JS Atomics pool"),
      ours,
      nsRatio,
      (r) => r >= 3,
    ),
  ];
  return targets.filter((t): t is TargetResult => t !== undefined);
}
