// npm run bench [-- --quick] [-- --save] [-- --engines] [-- --group=14,17]:
// measures every case side by side, prints the tables and writes
// build/bench-results/ (with --save, the committed bench/results/ that the
// README quotes). --engines runs the single-thread cases in every other
// engine too (bench/engines/). --group runs only the groups of those numbers
// (and builds the C references only if one of them has native rows).

import { CALL_PATTERN_GROUP, callPatternCases } from "./cases/call-patterns.js";
import { channelJobs } from "./cases/channels.js";
import { INTERLEAVED_GROUP, interleavedCases } from "./cases/interleaved.js";
import { MALLOC_HOLD_GROUP, MALLOC_LARSON_GROUP, MALLOC_PAIR_GROUP, mallocCases, mallocOverhead } from "./cases/malloc.js";
import { measure } from "./cases/measure.js";
import { type AllocatorName, buildNative, gccVersion, glibcOverhead, nativeRowName, runNative } from "./cases/native.js";
import { serverJobs } from "./cases/server.js";
import { HOLD_GROUP, PAIR_GROUP, singleThreadCases } from "./cases/single-thread.js";
import { stringCases } from "./cases/strings.js";
import { structCases } from "./cases/structs.js";
import { sizes, workerJobs } from "./cases/workers.js";
import { engineCount, runEngines } from "./engines/run.js";
import { Progress } from "./progress.js";
import { printTables, writeResults } from "./report.js";
import { type CaseResult, caseFromSamples, GLIBC, machine, type RunResults } from "./results.js";
import { checkTargets, mallocTargets } from "./targets.js";

const quick = process.argv.includes("--quick");
const engines = process.argv.includes("--engines");
const QUICK_TIMES = { time: 150, warmupTime: 50 };
const FULL_TIMES = { time: 1000, warmupTime: 250 };

/** The group numbers --group=14,17 names, or undefined (every group). */
function selectedGroups(): Set<number> | undefined {
  const option = process.argv.find((arg) => arg.startsWith("--group="));
  if (option === undefined) return undefined;
  const numbers = option.slice("--group=".length).split(",").map(Number);
  if (numbers.some((n) => !Number.isInteger(n) || n <= 0)) throw new Error(`${option}: expected group numbers, e.g. --group=14,17`);
  if (process.argv.includes("--save")) throw new Error("--save writes the committed results: run every group, without --group");
  return new Set(numbers);
}
const only = selectedGroups();
/** Whether the run measures `group` ("14. ..."). */
const inRun = (group: string): boolean => only === undefined || only.has(Number.parseInt(group, 10));

const s = sizes(quick);
const nativeSamples = quick ? 5 : 15;
// The glibc rows beside the single-thread groups.
const glibcSingle = [
  {
    group: PAIR_GROUP,
    name: GLIBC,
    operation: "one alloc and one free",
    run: () => runNative("pair", [nativeSamples, 2_000_000]),
  },
  {
    group: HOLD_GROUP,
    name: GLIBC,
    operation: "one alloc and one free, 10,000 held at the peak",
    run: () => runNative("hold", [nativeSamples, 100]),
  },
  {
    group: CALL_PATTERN_GROUP,
    name: GLIBC,
    operation: "one alloc and one free",
    run: () => runNative("pair", [nativeSamples, 2_000_000]),
  },
  {
    group: INTERLEAVED_GROUP,
    name: GLIBC,
    operation: "one alloc and one free (a round of 3 sizes is 3 pairs)",
    run: () => runNative("interleaved", [nativeSamples, 700_000]),
  },
  {
    group: MALLOC_PAIR_GROUP,
    name: GLIBC,
    operation: "one malloc and one free",
    run: () => runNative("randsize", ["pair", nativeSamples, 2_000_000]),
  },
  {
    group: MALLOC_HOLD_GROUP,
    name: GLIBC,
    operation: "one malloc and one free, 10,000 held at the peak",
    run: () => runNative("randsize", ["hold", nativeSamples, 100]),
  },
  {
    group: MALLOC_LARSON_GROUP,
    name: GLIBC,
    operation: "one malloc into a random slot of 1,024, one free of what it held",
    run: () => runNative("larson", [nativeSamples, 2_000_000, 1]),
  },
];
const needsNative = [...glibcSingle, ...workerJobs(s)].some((job) => (!("native" in job) || job.native) && inRun(job.group));

const gcc = gccVersion();
const skipped: string[] = [];
let native = gcc !== null && needsNative;
let allocators: AllocatorName[] = [];
if (gcc === null) skipped.push("the C references (glibc, pthreads): gcc was not found on the PATH");
else if (native) {
  try {
    const { built, missing } = buildNative();
    allocators = built;
    skipped.push(...missing);
  } catch (error) {
    native = false;
    skipped.push(`the C references: gcc could not build them (${(error as Error).message.split("\n")[0]})`);
  }
}

const single = [
  ...(await singleThreadCases()),
  ...callPatternCases(),
  ...interleavedCases(),
  ...mallocCases(),
  ...stringCases(),
  ...structCases(),
].filter((job) => inRun(job.group));
// The other allocators beside glibc where #23 asks for them: the pair (groups 1 and 6) and random sizes.
const otherAllocators = allocators.filter((allocator) => allocator !== "glibc");
const fastestNative = otherAllocators.flatMap((allocator) => [
  {
    group: PAIR_GROUP,
    name: nativeRowName(allocator),
    operation: "one alloc and one free",
    run: () => runNative("pair", [nativeSamples, 2_000_000], allocator),
  },
  {
    group: CALL_PATTERN_GROUP,
    name: nativeRowName(allocator),
    operation: "one alloc and one free",
    run: () => runNative("pair", [nativeSamples, 2_000_000], allocator),
  },
  {
    group: MALLOC_PAIR_GROUP,
    name: nativeRowName(allocator),
    operation: "one malloc and one free",
    run: () => runNative("randsize", ["pair", nativeSamples, 2_000_000], allocator),
  },
]);
const nativeSingle = [...fastestNative, ...glibcSingle].filter((job) => inRun(job.group));
const workers = [
  ...workerJobs(s, otherAllocators),
  ...serverJobs(s.serverRequests, s.rounds),
  ...channelJobs(s.channelMessages, s.roundTrips, s.rounds),
].filter((job) => (native || !job.native) && inRun(job.group));
const progress = new Progress(single.length + (native ? nativeSingle.length : 0) + workers.length + (engines ? engineCount() : 0));
if (skipped.length > 0) for (const reason of skipped) process.stderr.write(`skipping ${reason}\n`);

const cases: CaseResult[] = [];
const record = (result: CaseResult): void => {
  cases.push(result);
  progress.done(`${result.nsPerOp.toFixed(2)} ns/op, ${(result.opsPerSec / 1e6).toFixed(1)} Mops/s`);
};
for (const job of single) {
  progress.start(`${job.group}: ${job.name}`);
  record(await measure(job, quick ? QUICK_TIMES : FULL_TIMES));
}
if (native) {
  for (const job of nativeSingle) {
    progress.start(`${job.group}: ${job.name}`);
    record(caseFromSamples(job.group, job.name, job.operation, job.run()));
  }
}
for (const job of workers) {
  progress.start(`${job.group}: ${job.name}`);
  record(await job.run());
}

// Keep the order: each group's cases together, native ones last.
const order = [...new Set(cases.map((c) => c.group))].sort((a, b) => Number.parseInt(a, 10) - Number.parseInt(b, 10) || (a < b ? -1 : 1));
cases.sort((a, b) => order.indexOf(a.group) - order.indexOf(b.group));
const OVERHEAD_BLOCKS = 100_000;
// The bytes reserved by random-size blocks, beside group 10 (holding many of them).
const overhead = inRun(MALLOC_HOLD_GROUP) ? await mallocOverhead(OVERHEAD_BLOCKS) : undefined;
const targets = [
  ...checkTargets(cases),
  ...mallocTargets(cases, overhead, native && overhead !== undefined ? glibcOverhead(OVERHEAD_BLOCKS) : undefined),
];
const engineResults = engines ? await runEngines(quick, undefined, progress) : undefined;
const results: RunResults = {
  date: new Date().toISOString(),
  quick,
  machine: machine(gcc),
  cases,
  targets,
  skipped,
  ...(engineResults ? { engines: engineResults } : {}),
};
printTables(results);
console.log(`\nWrote ${await writeResults(results)}latest.json and latest.md`);
