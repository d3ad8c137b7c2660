// The demo's live charts: throughput, and each pool's memory, drawn by Vega
// (as SVG) from Vega-Lite specs. The page adds a sample each second and a
// mark on each button press; rows older than the window are dropped.

import type { Changeset, View } from "vega";
import type { TopLevelSpec } from "vega-lite";
import type { PoolStats } from "../../dist/index.js";
import {
  MARKS,
  type MarkRow,
  MEMORY,
  type MemoryRow,
  NOW,
  poolMemorySpec,
  STATES,
  THROUGHPUT,
  type ThroughputRow,
  throughputSpec,
  WINDOW_MS,
} from "./chart-specs.js";
import { loadVega, type VegaLibraries } from "./vega-bundles.js";

/** Rows each chart holds now, for the page's `demo` object. */
export interface ChartCounts {
  /** Throughput samples plotted. */
  throughput: number;
  /** Memory rows plotted per pool (three states per sample), by pool name. */
  memory: Record<string, number>;
  /** Flush, gc and pause marks plotted (on every chart). */
  marks: number;
}

type PoolSample = Pick<PoolStats, "name" | "size" | "used" | "cached" | "free">;

function memoryRows(t: number, pool: PoolSample): MemoryRow[] {
  const counts = [pool.used, pool.cached, pool.free];
  return STATES.map((state, order) => ({ t, state, order, bytes: counts[order]! * pool.size }));
}

export class DemoCharts {
  private constructor(
    private readonly vega: VegaLibraries["vega"],
    private readonly throughput: View,
    private readonly pools: Map<string, View>,
  ) {}

  /** Loads Vega, then draws an empty throughput chart in `throughputBox` and one memory chart per pool in `memoryBox`. */
  static async create(throughputBox: HTMLElement, memoryBox: HTMLElement, pools: readonly PoolSample[]): Promise<DemoCharts> {
    const libraries = await loadVega();
    const throughput = await DemoCharts.view(libraries, throughputBox, throughputSpec());
    const views = new Map<string, View>();
    for (const pool of pools) {
      const box = document.createElement("div");
      box.className = "chart";
      box.dataset.pool = pool.name;
      memoryBox.append(box);
      views.set(pool.name, await DemoCharts.view(libraries, box, poolMemorySpec(pool.name, pool.size)));
    }
    return new DemoCharts(libraries.vega, throughput, views);
  }

  private static async view({ vega, vegaLite }: VegaLibraries, box: HTMLElement, spec: TopLevelSpec): Promise<View> {
    const view = new vega.View(vega.parse(vegaLite.compile(spec).spec), { renderer: "svg", container: box, hover: false });
    await view.runAsync();
    return view;
  }

  private get views(): View[] {
    return [this.throughput, ...this.pools.values()];
  }

  /** Inserts `rows`, and drops the rows older than the window before `t` (and a second more, so that lines reach the left edge). */
  private change(t: number, rows: object[]): Changeset {
    return this.vega
      .changeset()
      .insert(rows)
      .remove((row: { t: number | Date }) => +row.t < t - WINDOW_MS - 1000);
  }

  /** Adds one sample at `t` (ms since the epoch): the operations per second since the last, and each pool's counters. */
  async sample(t: number, rate: number, pools: readonly PoolSample[]): Promise<void> {
    const throughput: ThroughputRow = { t, rate };
    this.throughput.change(THROUGHPUT, this.change(t, [throughput]));
    for (const pool of pools) this.pools.get(pool.name)?.change(MEMORY, this.change(t, memoryRows(t, pool)));
    for (const view of this.views) view.change(MARKS, this.change(t, [])).signal(NOW, t);
    await Promise.all(this.views.map((view) => view.runAsync()));
  }

  /** Marks a button press at `t` on every chart. */
  async mark(t: number, kind: MarkRow["kind"]): Promise<void> {
    // A row per view: Vega keeps its own fields on the rows it is given.
    await Promise.all(this.views.map((view) => view.insert(MARKS, [{ t, kind } satisfies MarkRow]).runAsync()));
  }

  counts(): ChartCounts {
    const memory: Record<string, number> = {};
    for (const [name, view] of this.pools) memory[name] = view.data(MEMORY).length;
    return { throughput: this.throughput.data(THROUGHPUT).length, memory, marks: this.throughput.data(MARKS).length };
  }
}
