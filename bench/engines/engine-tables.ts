// The engine column's tables: an overview (one row per engine) and, per
// engine, each case's ns per pair, its ratio to the Int32Array LIFO floor
// and to `new Uint8Array(64)`, and whether the issue's target "pattern (b)
// cheaper than new Uint8Array(64)" holds there. A missing or failed engine
// gets a line saying so.

import Table from "cli-table3";
import { CALL_PATTERN_GROUP, CLASS_FIELD, MODULE_CONST, PARAMETER, PICKED } from "../cases/call-patterns.js";
import { INTERLEAVED, INTERLEAVED_GROUP } from "../cases/interleaved.js";
import { CACHE_OFF, NEW_UINT8ARRAY } from "../cases/single-thread.js";
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

/** The floor a case is divided by: its own group's, else the one-pool pair's (case 6). */
function floorOf(cases: readonly EngineCaseResult[], c: EngineCaseResult): EngineCaseResult | undefined {
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

function targetLine(report: EngineReport): string {
  const target = parameterTarget(report);
  if (!target) return "Target (b) cheaper than `new Uint8Array(64)`: not measured";
  return `Target (b) cheaper than \`new Uint8Array(64)\`: ${target.met ? "met" : "not met"} (${target.ratio.toFixed(2)}×)`;
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
      uint8 ? (c.nsPerOp / uint8.nsPerOp).toFixed(2) : "-",
    ];
  });
}

function overviewRow(result: EngineResult): string[] {
  const cases = result.report?.cases;
  if (!cases || cases.length === 0) return [result.name, ...OVERVIEW.map(() => "-"), result.missing ? "missing" : "failed"];
  const target = parameterTarget(result.report!);
  return [
    result.name,
    ...OVERVIEW.map((o) => {
      const c = find(cases, o.name, o.group);
      return c ? format(c.nsPerOp) : "-";
    }),
    target ? `${target.met ? "yes" : "no"} (${target.ratio.toFixed(2)}×)` : "-",
  ];
}

const OVERVIEW_HEAD = ["engine", ...OVERVIEW.map((o) => o.title), "(b) < new Uint8Array(64)"];

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
      `${targetLine(report)}.`,
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
    console.log(`\n${result.name} (${result.report!.engine})\n${table.toString()}\n${targetLine(result.report!)}`);
  }
}
