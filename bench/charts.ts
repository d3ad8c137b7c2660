// SVG charts of a run's results, drawn by Vega-Lite (rendered headless by
// Vega, no browser or canvas needed).

import * as vega from "vega";
import { compile, type TopLevelSpec } from "vega-lite";
import type { CaseResult } from "./results.js";

async function render(spec: TopLevelSpec): Promise<string> {
  const view = new vega.View(vega.parse(compile(spec).spec), { renderer: "none" });
  return view.toSVG();
}

/** Horizontal bars, one per case, labelled with their values. */
function bars(title: string, values: Array<{ name: string; value: number }>, axis: string, color: string, log: boolean): Promise<string> {
  return render({
    $schema: "https://vega.github.io/schema/vega-lite/v6.json",
    title,
    width: 420,
    data: { values },
    encoding: {
      y: { field: "name", type: "nominal", sort: null, title: null, axis: { labelLimit: 320 } },
      x: { field: "value", type: "quantitative", title: axis, scale: log ? { type: "log" } : {} },
    },
    layer: [{ mark: { type: "bar", color } }, { mark: { type: "text", align: "left", dx: 3 }, encoding: { text: { field: "value" } } }],
  });
}

/** Horizontal bars of ns per operation, one per case of the group, log-scaled when the spread is wide. */
export function nsPerOpChart(title: string, cases: readonly CaseResult[]): Promise<string> {
  const values = cases.map((c) => ({ name: c.name, value: Number(c.nsPerOp.toPrecision(3)) }));
  const spread = Math.max(...values.map((v) => v.value)) / Math.min(...values.map((v) => v.value));
  return bars(title, values, "ns per operation (median, lower is better)", "#4c78a8", spread > 30);
}

/** Bars of millions of operations per second (higher is better). */
export function throughputChart(title: string, cases: readonly CaseResult[]): Promise<string> {
  const values = cases.map((c) => ({ name: c.name, value: Number((c.opsPerSec / 1e6).toPrecision(3)) }));
  return bars(title, values, "million operations per second (median, higher is better)", "#54a24b", false);
}
