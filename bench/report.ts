// Writes a run's results: bench/results/latest.json (every case and the
// machine), latest.md (tables, targets, charts) and the charts as SVG files
// beside it; and prints the tables.

import { mkdirSync, writeFileSync } from "node:fs";
import { fileURLToPath } from "node:url";
import Table from "cli-table3";
import { THROUGHPUT_GROUPS } from "./cases/channels.js";
import { CHURN_GROUP, LARSON_GROUP, TRANSFER_GROUP } from "./cases/workers.js";
import { nsPerOpChart, throughputChart } from "./charts.js";
import { engineMarkdown, printEngineTables } from "./engines/engine-tables.js";
import { bestNative, type CaseResult, FLOOR, GLIBC, NATIVE_ROWS, type RunResults } from "./results.js";

/** Where a run writes: the committed results with --save, else beside the build (not committed). */
const RESULTS = fileURLToPath(new URL(process.argv.includes("--save") ? "../../bench/results/" : "../bench-results/", import.meta.url));

/** Groups charted as throughput; the others as time per operation. */
const WORKER_GROUPS = new Set([CHURN_GROUP, TRANSFER_GROUP, LARSON_GROUP, ...THROUGHPUT_GROUPS]);

function groups(cases: readonly CaseResult[]): Map<string, CaseResult[]> {
  const byGroup = new Map<string, CaseResult[]>();
  for (const c of cases) byGroup.set(c.group, [...(byGroup.get(c.group) ?? []), c]);
  return byGroup;
}

function slug(group: string): string {
  return group
    .toLowerCase()
    .replace(/[^a-z0-9]+/g, "-")
    .replace(/^-|-$/g, "");
}

function format(ns: number): string {
  return ns >= 100 ? ns.toFixed(0) : ns.toFixed(ns >= 10 ? 1 : 2);
}

/** The cases a group's time columns divide by: its first row, its glibc, best native and floor rows where it has them. */
function references(cases: readonly CaseResult[]): Array<{ title: string; reference: CaseResult }> {
  const columns = [{ title: "× first row's time", reference: cases[0]! }];
  for (const [name, title] of [
    [GLIBC, "× glibc"],
    [FLOOR, "× floor"],
  ] as const) {
    const reference = cases.find((c) => c.name === name);
    if (reference) columns.push({ title, reference });
  }
  const natives = cases.filter((c) => NATIVE_ROWS.includes(c.name));
  if (natives.length > 1) columns.push({ title: "× best native", reference: bestNative(natives)! });
  return columns;
}

/** Whether a group has latency cases: its tables get a p99 column. */
function hasP99(cases: readonly CaseResult[]): boolean {
  return cases.some((c) => c.p99Ns !== undefined);
}

function head(cases: readonly CaseResult[]): string[] {
  return ["case", "ns/op (median)", ...(hasP99(cases) ? ["p99 ns"] : []), "Mops/s", "samples", ...references(cases).map((r) => r.title)];
}

function rows(cases: readonly CaseResult[]): string[][] {
  const columns = references(cases);
  return cases.map((c) => [
    c.name,
    format(c.nsPerOp),
    ...(hasP99(cases) ? [c.p99Ns === undefined ? "-" : format(c.p99Ns)] : []),
    (c.opsPerSec / 1e6).toFixed(1),
    String(c.samples),
    ...columns.map(({ reference }) => (c.nsPerOp / reference.nsPerOp).toFixed(2)),
  ]);
}

function markdownTable(head: string[], body: string[][]): string {
  const line = (cells: string[]): string => `| ${cells.join(" | ")} |`;
  return [line(head), line(head.map(() => "---")), ...body.map(line)].join("\n");
}

function machineLine(results: RunResults): string {
  const m = results.machine;
  return `${m.cpu}, ${m.cores} cores, Node ${m.node}, ${m.platform}${m.gcc ? `, ${m.gcc}` : ""}`;
}

export function printTables(results: RunResults): void {
  for (const [group, cases] of groups(results.cases)) {
    const table = new Table({ head: head(cases), style: { head: [] } });
    table.push(...rows(cases));
    console.log(`\n${group}\n${table.toString()}`);
  }
  const targets = new Table({ head: ["target", "measured", "wanted", "met"], style: { head: [] } });
  targets.push(...results.targets.map((t) => [t.name, t.measured.toFixed(2), t.target, t.met ? "yes" : "no"]));
  console.log(`\nTargets\n${targets.toString()}`);
  if (results.engines) printEngineTables(results.engines);
  console.log(`\nMachine: ${machineLine(results)}`);
}

export async function writeResults(results: RunResults): Promise<string> {
  mkdirSync(RESULTS, { recursive: true });
  writeFileSync(`${RESULTS}latest.json`, `${JSON.stringify(results, null, 2)}\n`);
  const parts = [
    "# Benchmark results",
    "",
    `Written by \`npm run bench${results.quick ? " -- --quick" : ""}\` on ${results.date}.`,
    "",
    `Machine: ${machineLine(results)}.`,
    "",
    "Figures are medians; worker cases divide each round's wall-clock time by all workers' operations.",
    "Groups with a glibc row and a floor row (a JS Int32Array LIFO push+pop, the least any JS-side allocator can cost) give each case's time over theirs.",
    "",
    "## Targets",
    "",
    markdownTable(
      ["target", "measured", "wanted", "met", "how"],
      results.targets.map((t) => [t.name, t.measured.toFixed(2), t.target, t.met ? "yes" : "no", t.how]),
    ),
  ];
  for (const skipped of results.skipped) parts.push("", `Skipped: ${skipped}`);
  for (const [group, cases] of groups(results.cases)) {
    const file = `${slug(group)}.svg`;
    const svg = WORKER_GROUPS.has(group) ? await throughputChart(group, cases) : await nsPerOpChart(group, cases);
    writeFileSync(RESULTS + file, svg);
    parts.push(
      "",
      `## ${group}`,
      "",
      `One operation: ${cases[0]!.operation}.`,
      "",
      markdownTable(head(cases), rows(cases)),
      "",
      `![${group}](${file})`,
    );
  }
  if (results.engines) parts.push("", engineMarkdown(results.engines, results.quick));
  writeFileSync(`${RESULTS}latest.md`, `${parts.join("\n")}\n`);
  return RESULTS;
}
