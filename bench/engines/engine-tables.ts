// The engine column's tables: an overview (one row per engine) and, per
// engine, each case's ns per pair (per object for the struct fields), its
// ratio to its floor (the Int32Array LIFO; for the struct fields, the same
// fields by hand over module-level typed arrays) and to `new Uint8Array(64)`,
// and whether two targets hold there: #23's "pattern (b) cheaper than new
// Uint8Array(64)" and #24's "struct access within 1.2× of hand-written
// typed-array code". A missing or failed engine gets a line saying so.

import Table from "cli-table3";
import { CALL_PATTERN_GROUP, CLASS_FIELD, MODULE_CONST, PARAMETER, PICKED } from "../cases/call-patterns.js";
import { INTERLEAVED, INTERLEAVED_GROUP } from "../cases/interleaved.js";
import { CACHE_OFF, NEW_UINT8ARRAY } from "../cases/single-thread.js";
import { GROWING_TYPED_ARRAYS, STRUCT_ACCESSORS, STRUCTS_GROUP, TYPED_ARRAYS } from "../cases/structs.js";
import { FLOOR } from "../names.js";
import type { EngineCaseResult, EngineReport, EngineResult } from "./engine-bench-protocol.js";

const OVERVIEW: Array<{ title: string; name: string; group?: string }> = [
  { title: "(a)", name: MODULE_CONST },
  { title: "(b)", name: PARAMETER },
  { title: "(c)", name: CLASS_FIELD },
  { title: "(d)", name: PICKED },
  { title: "(e)", name: INTERLEAVED },
  { title: "cache off", name: CACHE_OFF },
  { title: "floor", name: FLOOR, group: CALL_PATTERN_GROUP },
  { title: "new Uint8Array(64)", name: NEW_UINT8ARRAY },
];

function find(cases: readonly EngineCaseResult[], name: string, group?: string): EngineCaseResult | undefined {
  return cases.find((c) => c.name === name && (group === undefined || c.group === group));
}

/** The floor a case is divided by: the struct fields' hand-written typed arrays, its own group's LIFO, else the one-pool pair's (case 6). */
function floorOf(cases: readonly EngineCaseResult[], c: EngineCaseResult): EngineCaseResult | undefined {
  if (c.group === STRUCTS_GROUP) return find(cases, TYPED_ARRAYS, STRUCTS_GROUP);
  return find(cases, FLOOR, c.group) ?? find(cases, FLOOR, CALL_PATTERN_GROUP);
}

function format(ns: number): string {
  return ns >= 100 ? ns.toFixed(0) : ns.toFixed(ns >= 10 ? 1 : 2);
}

function label(c: EngineCaseResult): string {
  return c.name === FLOOR && c.group === INTERLEAVED_GROUP ? `${FLOOR}, 3 in turn (for (e))` : c.name;
}

/** "met (0.62×)", "not met (1.40×)", or why it cannot be told. */
export function parameterTarget(report: EngineReport): { met: boolean; ratio: number } | undefined {
  const parameter = find(report.cases, PARAMETER);
  const uint8 = find(report.cases, NEW_UINT8ARRAY);
  if (!parameter || !uint8) return undefined;
  const ratio = parameter.nsPerOp / uint8.nsPerOp;
  return { met: ratio < 1, ratio };
}

/** The struct accessors against the same fields by hand: over module-level typed arrays (the target's), and over views that follow growth. */
export function structTarget(report: EngineReport): { met: boolean; ratio: number; growingRatio: number } | undefined {
  const accessors = find(report.cases, STRUCT_ACCESSORS, STRUCTS_GROUP);
  const typed = find(report.cases, TYPED_ARRAYS, STRUCTS_GROUP);
  const growing = find(report.cases, GROWING_TYPED_ARRAYS, STRUCTS_GROUP);
  if (!accessors || !typed || !growing) return undefined;
  const ratio = accessors.nsPerOp / typed.nsPerOp;
  return { met: ratio <= 1.2, ratio, growingRatio: accessors.nsPerOp / growing.nsPerOp };
}

function targetLines(report: EngineReport): string[] {
  const target = parameterTarget(report);
  const structs = structTarget(report);
  return [
    target
      ? `Target (b) cheaper than \`new Uint8Array(64)\`: ${target.met ? "met" : "not met"} (${target.ratio.toFixed(2)}×).`
      : "Target (b) cheaper than `new Uint8Array(64)`: not measured.",
    structs
      ? `Target struct accessors within 1.2× of hand-written typed arrays: ${structs.met ? "met" : "not met"} (${structs.ratio.toFixed(2)}×; ` +
        `${structs.growingRatio.toFixed(2)}× the hand-written views that follow growth).`
      : "Target struct accessors within 1.2× of hand-written typed arrays: not measured.",
  ];
}

const HEAD = ["case", "ns/pair (median)", "runs (min-max)", "× floor", "× new Uint8Array(64)"];

function rows(report: EngineReport): string[][] {
  const uint8 = find(report.cases, NEW_UINT8ARRAY);
  return report.cases.map((c) => {
    const floor = floorOf(report.cases, c);
    return [
      label(c),
      format(c.nsPerOp),
      `${format(Math.min(...c.runs))}-${format(Math.max(...c.runs))}`,
      floor ? (c.nsPerOp / floor.nsPerOp).toFixed(2) : "-",
      uint8 && c.group !== STRUCTS_GROUP ? (c.nsPerOp / uint8.nsPerOp).toFixed(2) : "-",
    ];
  });
}

function overviewRow(result: EngineResult): string[] {
  const cases = result.report?.cases;
  if (!cases || cases.length === 0) return [result.name, ...OVERVIEW.map(() => "-"), result.missing ? "missing" : "failed", "-"];
  const target = parameterTarget(result.report!);
  const structs = structTarget(result.report!);
  return [
    result.name,
    ...OVERVIEW.map((o) => {
      const c = find(cases, o.name, o.group);
      return c ? format(c.nsPerOp) : "-";
    }),
    target ? `${target.met ? "yes" : "no"} (${target.ratio.toFixed(2)}×)` : "-",
    structs ? `${structs.met ? "yes" : "no"} (${structs.ratio.toFixed(2)}×; ${structs.growingRatio.toFixed(2)}×)` : "-",
  ];
}

const OVERVIEW_HEAD = ["engine", ...OVERVIEW.map((o) => o.title), "(b) < new Uint8Array(64)", "structs ≤ 1.2× by hand (growth-following)"];

/** Why an engine has no table, or undefined when it has one. */
function absence(result: EngineResult): string | undefined {
  if (result.missing) return `missing: ${result.missing}`;
  if (result.error) return `failed: ${result.error}`;
  if (result.report?.error) return `failed in the engine: ${result.report.error}`;
  return undefined;
}

function markdownTable(head: string[], body: string[][]): string {
  const line = (cells: string[]): string => `| ${cells.join(" | ")} |`;
  return [line(head), line(head.map(() => "---")), ...body.map(line)].join("\n");
}

/** The engine section of latest.md. */
export function engineMarkdown(results: readonly EngineResult[], quick: boolean): string {
  const parts = [
    "## Engines",
    "",
    "The single-thread cases, the same bundled code in each engine (`npm run bench -- --engines`), in ns per alloc+free pair:",
    `each figure is the median of ${quick ? "1 run (quick)" : "5 runs"}, each run's figure tinybench's median sample.`,
    "(a)-(e) as in cases 6 and 7; the floor is the Int32Array LIFO pair ((e) is divided by its own, 3 LIFOs in turn).",
    "The struct fields (case 13) are in ns per object, and their floor is the same fields by hand over module-level typed arrays.",
    "",
    markdownTable(OVERVIEW_HEAD, results.map(overviewRow)),
  ];
  for (const result of results) {
    parts.push("", `### ${result.name}`, "");
    const why = absence(result);
    if (why) {
      parts.push(`${result.name} ${why.replace(/\n/g, " ")}`);
      continue;
    }
    const report = result.report!;
    parts.push(
      `Engine: ${report.engine}; performance.now() steps of ${format(report.timerStepNs)} ns.`,
      "",
      markdownTable(HEAD, rows(report)),
      "",
      targetLines(report).join("\n\n"),
    );
  }
  return parts.join("\n");
}

export function printEngineTables(results: readonly EngineResult[]): void {
  const overview = new Table({ head: OVERVIEW_HEAD, style: { head: [] } });
  overview.push(...results.map(overviewRow));
  console.log(`\nEngines: ns per alloc+free pair (median of runs)\n${overview.toString()}`);
  for (const result of results) {
    const why = absence(result);
    if (why) {
      console.log(`\n${result.name}: ${why}`);
      continue;
    }
    const table = new Table({ head: HEAD, style: { head: [] } });
    table.push(...rows(result.report!));
    console.log(`\n${result.name} (${result.report!.engine})\n${table.toString()}\n${targetLines(result.report!).join("\n")}`);
  }
}
