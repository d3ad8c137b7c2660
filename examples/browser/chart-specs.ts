// The demo's charts as Vega-Lite specs: throughput, and one chart per pool
// of its bytes by state. Each plots the named data sets the page feeds
// (THROUGHPUT or MEMORY, and MARKS for the flush and gc clicks) over the
// last WINDOW_MS, up to the signal NOW.

import type { TopLevelSpec } from "vega-lite";

type LayeredSpec = Extract<TopLevelSpec, { layer: unknown }>;
type Layer = LayeredSpec["layer"][number];
type Encoding = NonNullable<Extract<Layer, { mark: unknown }>["encoding"]>;

export const WINDOW_MS = 60_000;
export const THROUGHPUT = "throughput";
export const MEMORY = "memory";
export const MARKS = "marks";
export const NOW = "now";

/** A row of THROUGHPUT: operations per second over the second before t (ms since the epoch). */
export interface ThroughputRow {
  t: number;
  rate: number;
}

/** The states of a pool's objects, bottom to top: together they are what the pool took from the backing allocator. */
export const STATES = ["in use", "in thread caches", "on the free list"] as const;

/** A row of MEMORY: a pool's bytes in one state at t. */
export interface MemoryRow {
  t: number;
  state: (typeof STATES)[number];
  /** The state's index in STATES: its place in the stack. */
  order: number;
  bytes: number;
}

export const MARK_KINDS = ["flush", "gc", "pause", "resume"] as const;

/** A row of MARKS: a button pressed at t. */
export interface MarkRow {
  t: number;
  kind: (typeof MARK_KINDS)[number];
}

const HEIGHT = 150;
const GREY = "#666";

/** Time on x: the last WINDOW_MS up to NOW, marks clipped at the edges. */
const time: Encoding["x"] = {
  field: "t",
  type: "temporal",
  title: null,
  scale: { domainMin: { expr: `${NOW} - ${WINDOW_MS}` }, domainMax: { expr: NOW } },
  axis: { format: "%H:%M:%S", tickCount: 5, grid: false },
};

/** A dashed rule and its label at each mark. */
const markLayers: Layer[] = [
  { data: { name: MARKS }, mark: { type: "rule", clip: true, color: GREY, strokeDash: [4, 3] }, encoding: { x: time } },
  {
    data: { name: MARKS },
    // Each kind's label on its own line, so that a flush and a gc close together stay readable.
    transform: [{ calculate: `indexof(${JSON.stringify(MARK_KINDS)}, datum.kind) * 11`, as: "labelY" }],
    mark: { type: "text", clip: true, color: GREY, dx: 3, align: "left", baseline: "top", fontSize: 10 },
    encoding: { x: time, y: { field: "labelY", type: "quantitative", scale: null }, text: { field: "kind" } },
  },
];

/** A layered chart as wide as its box, over the window up to NOW. */
const layered = (title: string, layer: Layer[]): LayeredSpec => ({
  width: "container",
  height: HEIGHT,
  autosize: { type: "fit-x", contains: "padding" },
  params: [{ name: NOW, value: 0 }],
  config: { view: { stroke: null }, axis: { labelFontSize: 10, titleFontSize: 11 } },
  title: { text: title, anchor: "start", fontSize: 13 },
  layer,
});

export function throughputSpec(): TopLevelSpec {
  return layered("Throughput, last 60 s", [
    {
      data: { name: THROUGHPUT },
      mark: { type: "area", clip: true, line: true, opacity: 0.25, interpolate: "monotone" },
      encoding: {
        x: time,
        y: { field: "rate", type: "quantitative", stack: null, title: "operations / s", axis: { format: "~s" } },
      },
    },
    ...markLayers,
  ]);
}

/** One pool's memory: its objects' bytes stacked by state, the top edge being what it holds from the backing allocator. */
export function poolMemorySpec(name: string, size: number): TopLevelSpec {
  return layered(`Pool "${name}" (${size} B objects): memory`, [
    {
      data: { name: MEMORY },
      mark: { type: "area", clip: true, interpolate: "step-after" },
      encoding: {
        x: time,
        y: { field: "bytes", type: "quantitative", stack: "zero", title: null, axis: { format: "~s", labelExpr: "datum.label + 'B'" } },
        color: {
          field: "state",
          type: "nominal",
          sort: [...STATES],
          scale: { domain: [...STATES], range: ["#4c78a8", "#f58518", "#bab0ac"] },
          legend: { orient: "top", title: null, labelFontSize: 11 },
        },
        order: { field: "order", type: "quantitative" },
      },
    },
    ...markLayers,
  ]);
}
