// The browser demo page: Web Workers allocate and free from two shared pools
// while the page shows `heap.dump()` and the rate, with live charts of the
// throughput and of each pool's memory, and buttons for flush and gc. The
// page's own calls never block (locks spin on the main thread).

import { Heap, NotIsolatedError } from "../../dist/index.js";
import type { MarkRow } from "./chart-specs.js";
import { type ChartCounts, DemoCharts } from "./charts.js";
import { OperationMeter } from "./meter.js";
import { BUFFER_POOL, type DemoWorkerStart, RUNNING, SESSION_POOL } from "./protocol.js";

const WORKERS = Math.max(2, Math.min(4, navigator.hardwareConcurrency || 2));
const CHART_SAMPLE_MS = 1000;
const element = (id: string): HTMLElement => document.getElementById(id)!;
const describe = (error: unknown): string => (error instanceof Error ? `${error.name}: ${error.message}` : String(error));

/** What the page has done, for people and for the browser test. */
const demo = {
  workers: WORKERS,
  operations: 0,
  rate: 0,
  flushes: 0,
  gcs: 0,
  error: "",
  /** Throughput samples the chart plots now (one a second, the last 60 s). */
  chartSamples: 0,
  /** Rows each chart plots now. */
  charts: { throughput: 0, memory: {}, marks: 0 } as ChartCounts,
  /** Why the charts could not be drawn ("" while they are). */
  chartError: "",
};
(globalThis as { demo?: typeof demo }).demo = demo;

function chartsFailed(error: unknown): void {
  demo.chartError = describe(error);
  const box = element("chart-error");
  box.hidden = false;
  box.textContent = `The charts could not be drawn: ${demo.chartError}`;
}

async function start(): Promise<void> {
  const heap = await Heap.create({ maxBytes: 64 << 20 });
  const sessions = heap.createPool(SESSION_POOL, 64, { shared: true });
  const buffers = heap.createPool(BUFFER_POOL, 2048, { minAvail: 16 });
  const control = new Int32Array(new SharedArrayBuffer(4));
  const counts = new BigInt64Array(new SharedArrayBuffer(8 * WORKERS));
  const handle = heap.handle(); // throws NotIsolatedError on a page without COOP/COEP
  for (let number = 0; number < WORKERS; number++) {
    const worker = new Worker(new URL("./worker.js", import.meta.url), { type: "module" });
    const message: DemoWorkerStart = {
      handle,
      control: control.buffer as SharedArrayBuffer,
      counts: counts.buffer as SharedArrayBuffer,
      number,
    };
    worker.postMessage(message);
  }
  Atomics.store(control, RUNNING, 1);
  Atomics.notify(control, RUNNING);
  element("status").textContent = `${WORKERS} workers share one heap of ${heap.stats().maxBytes >> 20} MiB at most.`;

  // The charts draw once Vega has loaded; until then (or if it cannot) the rest of the page runs on its own.
  let charts: DemoCharts | undefined;
  const chartMeter = new OperationMeter(counts);
  DemoCharts.create(element("throughput-chart"), element("memory-charts"), heap.stats().pools).then((ready) => {
    charts = ready;
    setInterval(() => {
      const { rate } = chartMeter.read();
      ready
        .sample(Date.now(), rate, heap.stats().pools)
        .then(() => {
          demo.charts = ready.counts();
          demo.chartSamples = demo.charts.throughput;
        })
        .catch(chartsFailed);
    }, CHART_SAMPLE_MS);
  }, chartsFailed);

  const act = (text: string, mark: MarkRow["kind"]): void => {
    element("actions").textContent = text;
    charts?.mark(Date.now(), mark).then(() => {
      demo.charts = charts!.counts();
    }, chartsFailed);
  };
  element("flush").onclick = () => {
    sessions.flush();
    buffers.flush();
    demo.flushes++;
    act(`flushed both pools (${demo.flushes} flushes so far)`, "flush");
  };
  element("gc").onclick = () => {
    heap.gc();
    demo.gcs++;
    act(`heap.gc() done (${demo.gcs} so far)`, "gc");
  };
  element("toggle").onclick = () => {
    const running = Atomics.load(control, RUNNING) === 1;
    Atomics.store(control, RUNNING, running ? 0 : 1);
    Atomics.notify(control, RUNNING);
    element("toggle").textContent = running ? "resume workers" : "pause workers";
    act(running ? "workers paused" : "workers resumed", running ? "pause" : "resume");
  };
  for (const id of ["flush", "gc", "toggle"]) (element(id) as HTMLButtonElement).disabled = false;

  const meter = new OperationMeter(counts);
  setInterval(() => {
    const { operations, rate } = meter.read();
    demo.operations = operations;
    demo.rate = rate;
    element("rate").textContent = `${(demo.rate / 1e6).toFixed(1)} M`;
    element("pools").textContent = heap.dump();
  }, 500);
}

start().catch((error: unknown) => {
  demo.error = describe(error);
  const status = element("status");
  status.className = "error";
  status.textContent = error instanceof NotIsolatedError ? `This page is not cross-origin isolated. ${error.message}` : demo.error;
});
