// Writes a run's results: bench/results/latest.json (every case and the
// machine), latest.md (tables, targets, charts) and the charts as SVG files
// beside it; and prints the tables.

import { mkdirSync, writeFileSync } from "node:fs";
import { fileURLToPath } from "node:url";
import Table from "cli-table3";
import { CHURN_GROUP, LARSON_GROUP, TRANSFER_GROUP } from "./cases/workers.js";
import { nsPerOpChart, throughputChart } from "./charts.js";
import type { CaseResult, RunResults } from "./results.js";

/** Where a run writes: the committed results with --save, else beside the build (not committed). */
const RESULTS = fileURLToPath(new URL(process.argv.includes("--save") ? "../../bench/results/" : "../bench-results/", import.meta.url));

/** Groups charted as throughput; the others as time per operation. */
const WORKER_GROUPS = new Set([CHURN_GROUP, TRANSFER_GROUP, LARSON_GROUP]);

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

/** Rows of a group: the first case is the reference the × column divides by. */
function rows(cases: readonly CaseResult[]): string[][] {
  const first = cases[0]!;
  return cases.map((c) => [
    c.name,
    format(c.nsPerOp),
    (c.opsPerSec / 1e6).toFixed(1),
    String(c.samples),
    (c.nsPerOp / first.nsPerOp).toFixed(2),
  ]);
}

const HEAD = ["case", "ns/op (median)", "Mops/s", "samples", "× first row's time"];

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
    const table = new Table({ head: HEAD, style: { head: [] } });
    table.push(...rows(cases));
    console.log(`\n${group}\n${table.toString()}`);
  }
  const targets = new Table({ head: ["target", "measured", "wanted", "met"], style: { head: [] } });
  targets.push(...results.targets.map((t) => [t.name, t.measured.toFixed(2), t.target, t.met ? "yes" : "no"]));
  console.log(`\nTargets\n${targets.toString()}`);
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
      markdownTable(HEAD, rows(cases)),
      "",
      `![${group}](${file})`,
    );
  }
  writeFileSync(`${RESULTS}latest.md`, `${parts.join("\n")}\n`);
  return RESULTS;
}
