// The issue's speed targets, checked as ratios of cases of the same run.

import { CALL_PATTERN_GROUP, CLASS_FIELD, MODULE_CONST, PARAMETER, PICKED } from "./cases/call-patterns.js";
import { CHANNEL, CHANNEL_LATENCY_GROUP, CHANNEL_ONE_TO_ONE_GROUP, POSTMESSAGE_COPY, POSTMESSAGE_TRANSFER } from "./cases/channels.js";
import { INTERLEAVED, INTERLEAVED_GROUP } from "./cases/interleaved.js";
import { MALLOC_HOLD_GROUP, MALLOC_LARSON_GROUP, MALLOC_PAIR_GROUP, THING_MALLOC, WASM_POOLS_MALLOC } from "./cases/malloc.js";
import { SERVER_CHANNELS, SERVER_GROUP, SERVER_POSTMESSAGE, SERVER_RINGS } from "./cases/server.js";
import { HOLD_GROUP, PAIR_GROUP } from "./cases/single-thread.js";
import { STRUCT_ACCESSORS, STRUCTS_GROUP, TYPED_ARRAYS } from "./cases/structs.js";
import { CHURN_GROUP, LARSON_GROUP, LARSON_MALLOC, TRANSFER_GROUP } from "./cases/workers.js";
import { bestNative, type CaseResult, FLOOR, GLIBC, PARAMETER_FLOOR, type TargetResult } from "./results.js";

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
  return [...targets, ...callPatternTargets(cases), ...channelTargets(cases)].filter((t): t is TargetResult => t !== undefined);
}

/** The channel targets of #24 item 4: a 64-byte message through a channel against postMessage, same run; p99 latency reported. */
function channelTargets(cases: readonly CaseResult[]): Array<TargetResult | undefined> {
  const speedup = (a: CaseResult, b: CaseResult): number => a.opsPerSec / b.opsPerSec;
  const channel = find(cases, CHANNEL_ONE_TO_ONE_GROUP, CHANNEL);
  const latency = find(cases, CHANNEL_LATENCY_GROUP, CHANNEL);
  return [
    ratioTarget(
      "Channel 1→1 vs postMessage copies, 64 B (case 14)",
      "≥ 10×",
      "messages per second, channel / postMessage of a Uint8Array copy",
      channel,
      find(cases, CHANNEL_ONE_TO_ONE_GROUP, POSTMESSAGE_COPY),
      speedup,
      (r) => r >= 10,
    ),
    ratioTarget(
      "Channel 1→1 vs postMessage transfers, 64 B (case 14)",
      "≥ 3×",
      "messages per second, channel / postMessage of a transferred ArrayBuffer",
      channel,
      find(cases, CHANNEL_ONE_TO_ONE_GROUP, POSTMESSAGE_TRANSFER),
      speedup,
      (r) => r >= 3,
    ),
    latency?.p99Ns === undefined
      ? undefined
      : {
          name: "Channel round trip, p99 (case 17)",
          measured: latency.p99Ns / 1000,
          target: "reported",
          met: true,
          how: `µs, 99th percentile of the ping-pong's round trips through two channels (median ${(latency.nsPerOp / 1000).toFixed(1)} µs)`,
        },
    ratioTarget(
      "(g) server-like loop on channels vs postMessage",
      "≥ 2×",
      "requests per second, channels / postMessage",
      find(cases, SERVER_GROUP, SERVER_CHANNELS),
      find(cases, SERVER_GROUP, SERVER_POSTMESSAGE),
      speedup,
      (r) => r >= 2,
    ),
  ];
}

/** The call patterns of #12 item 3, (a) to (f); each is compared with the glibc and floor rows of its own group. */
const PATTERNS = [
  { title: MODULE_CONST, group: CALL_PATTERN_GROUP, name: MODULE_CONST, heldToGlibc: true },
  { title: PARAMETER, group: CALL_PATTERN_GROUP, name: PARAMETER, heldToGlibc: true },
  { title: CLASS_FIELD, group: CALL_PATTERN_GROUP, name: CLASS_FIELD, heldToGlibc: true },
  { title: PICKED, group: CALL_PATTERN_GROUP, name: PICKED, heldToGlibc: true, glibcRatio: 1.5 },
  { title: INTERLEAVED, group: INTERLEAVED_GROUP, name: INTERLEAVED, heldToGlibc: true },
  { title: "(f) hold 10,000 then free all", group: HOLD_GROUP, name: "wasm-pools, cache on", heldToGlibc: false },
] as const;

function callPatternTargets(cases: readonly CaseResult[]): Array<TargetResult | undefined> {
  const nsRatio = (a: CaseResult, b: CaseResult): number => a.nsPerOp / b.nsPerOp;
  const measured = PATTERNS.map((p) => ({
    ...p,
    ours: find(cases, p.group, p.name),
    glibc: find(cases, p.group, GLIBC),
    floor: find(cases, p.group, FLOOR),
  }));
  const heldToGlibc = measured.filter((p) => p.heldToGlibc);
  const best = heldToGlibc.filter((p) => p.ours && p.glibc).sort((a, b) => nsRatio(a.ours!, a.glibc!) - nsRatio(b.ours!, b.glibc!))[0];
  return [
    ...heldToGlibc.map((p) => {
      const most = "glibcRatio" in p ? p.glibcRatio : 1;
      return ratioTarget(
        `${p.title} vs glibc`,
        `≤ ${most.toFixed(1)}×`,
        "ns per pair, ours / glibc's in the same group",
        p.ours,
        p.glibc,
        nsRatio,
        (r) => r <= most,
      );
    }),
    ratioTarget(
      `${MODULE_CONST} vs the best native allocator`,
      "≤ 1.0×",
      "ns per pair, ours / the fastest of glibc, mimalloc, jemalloc and tcmalloc in the same group",
      find(cases, CALL_PATTERN_GROUP, MODULE_CONST),
      bestNative(cases.filter((c) => c.group === CALL_PATTERN_GROUP)),
      nsRatio,
      (r) => r <= 1,
    ),
    ratioTarget(
      `${PARAMETER} vs the parameter floor`,
      "≤ 4×",
      "ns per pair, ours / the Int32Array LIFO passed as a parameter, in the same group",
      find(cases, CALL_PATTERN_GROUP, PARAMETER),
      find(cases, CALL_PATTERN_GROUP, PARAMETER_FLOOR),
      nsRatio,
      (r) => r <= 4,
    ),
    best &&
      ratioTarget(
        `Best of (a)-(e) vs glibc: ${best.title}`,
        "≤ 0.7×",
        "ns per pair, ours / glibc's in the same group",
        best.ours,
        best.glibc,
        nsRatio,
        (r) => r <= 0.7,
      ),
    ratioTarget(
      "(e) 3 pools interleaved vs (a) one module-level pool",
      "≤ 1.3×",
      "ns per pair, (e) / (a)",
      find(cases, INTERLEAVED_GROUP, INTERLEAVED),
      find(cases, CALL_PATTERN_GROUP, MODULE_CONST),
      nsRatio,
      (r) => r <= 1.3,
    ),
    ...measured.map((p) =>
      ratioTarget(
        `${p.title} vs the floor`,
        "≤ 4×",
        "ns per pair, ours / the Int32Array LIFO's in the same group",
        p.ours,
        p.floor,
        nsRatio,
        (r) => r <= 4,
      ),
    ),
    ratioTarget(
      "Struct field access vs hand-written typed arrays (case 13)",
      "≤ 1.2×",
      "ns per object, bound struct accessors / the same fields through module-level typed arrays",
      find(cases, STRUCTS_GROUP, STRUCT_ACCESSORS),
      find(cases, STRUCTS_GROUP, TYPED_ARRAYS),
      nsRatio,
      (r) => r <= 1.2,
    ),
    ratioTarget(
      "(g) server-like loop vs postMessage",
      "≥ 2×",
      "requests per second, rings / postMessage",
      find(cases, SERVER_GROUP, SERVER_RINGS),
      find(cases, SERVER_GROUP, SERVER_POSTMESSAGE),
      (a, b) => a.opsPerSec / b.opsPerSec,
      (r) => r >= 2,
    ),
  ];
}

/** The malloc targets (#15): ratios of cases of the run, and the bytes reserved per byte requested against glibc's. */
export function mallocTargets(
  cases: readonly CaseResult[],
  overhead: number | undefined,
  glibcOverhead: number | undefined,
): TargetResult[] {
  const nsRatio = (a: CaseResult, b: CaseResult): number => a.nsPerOp / b.nsPerOp;
  const targets = [
    ratioTarget(
      "malloc: Larson-like load vs glibc with pthreads (2 threads)",
      "≤ 1.2×",
      "ns per step, heap.malloc on 2 workers / glibc on 2 threads",
      find(cases, LARSON_GROUP, LARSON_MALLOC),
      find(cases, LARSON_GROUP, "glibc, 2 threads"),
      nsRatio,
      (r) => r <= 1.2,
    ),
    ratioTarget(
      "malloc: random-size pair vs glibc",
      "≤ 1.2×",
      "ns per pair, heap.malloc+free / glibc malloc+free",
      find(cases, MALLOC_PAIR_GROUP, WASM_POOLS_MALLOC),
      find(cases, MALLOC_PAIR_GROUP, GLIBC),
      nsRatio,
      (r) => r <= 1.2,
    ),
    ratioTarget(
      "malloc: random-size pair vs @thi.ng/malloc",
      "≥ 3×",
      "speed, @thi.ng/malloc's ns per pair / ours",
      find(cases, MALLOC_PAIR_GROUP, THING_MALLOC),
      find(cases, MALLOC_PAIR_GROUP, WASM_POOLS_MALLOC),
      nsRatio,
      (r) => r >= 3,
    ),
    ratioTarget(
      "malloc: Larson-like load on one thread vs @thi.ng/malloc",
      "≥ 1.5×",
      "speed, @thi.ng/malloc's ns per step / ours",
      find(cases, MALLOC_LARSON_GROUP, THING_MALLOC),
      find(cases, MALLOC_LARSON_GROUP, WASM_POOLS_MALLOC),
      nsRatio,
      (r) => r >= 1.5,
    ),
    ratioTarget(
      "malloc: 10,000 held vs @thi.ng/malloc",
      "≥ 100×",
      "speed, @thi.ng/malloc's ns per pair / ours, 10,000 held",
      find(cases, MALLOC_HOLD_GROUP, THING_MALLOC),
      find(cases, MALLOC_HOLD_GROUP, WASM_POOLS_MALLOC),
      nsRatio,
      (r) => r >= 100,
    ),
    overhead === undefined
      ? undefined
      : {
          name: "malloc: bytes reserved per byte requested, 100,000 random sizes 16-1024 B",
          measured: overhead,
          target: "≤ 1.15",
          met: overhead <= 1.15,
          how: `chunks of the backing allocator (headers, cached and listed free objects included) / bytes asked${glibcOverhead === undefined ? "" : `; glibc (mallinfo2 uordblks): ${glibcOverhead.toFixed(3)}`}`,
        },
  ];
  return targets.filter((t): t is TargetResult => t !== undefined);
}
