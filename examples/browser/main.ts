// The browser demo page: Web Workers allocate and free from two shared pools
// while the page shows `heap.dump()` and the rate, with buttons for flush and
// gc. The page's own calls never block (locks spin on the main thread).

import { Heap, NotIsolatedError } from "../../dist/index.js";
import { BUFFER_POOL, type DemoWorkerStart, RUNNING, SESSION_POOL } from "./protocol.js";

const WORKERS = Math.max(2, Math.min(4, navigator.hardwareConcurrency || 2));
const element = (id: string): HTMLElement => document.getElementById(id)!;

/** What the page has done, for people and for the browser test. */
const demo = { workers: WORKERS, operations: 0, rate: 0, flushes: 0, gcs: 0, error: "" };
(globalThis as { demo?: typeof demo }).demo = demo;

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

  const act = (text: string): void => {
    element("actions").textContent = text;
  };
  element("flush").onclick = () => {
    sessions.flush();
    buffers.flush();
    demo.flushes++;
    act(`flushed both pools (${demo.flushes} flushes so far)`);
  };
  element("gc").onclick = () => {
    heap.gc();
    demo.gcs++;
    act(`heap.gc() done (${demo.gcs} so far)`);
  };
  element("toggle").onclick = () => {
    const running = Atomics.load(control, RUNNING) === 1;
    Atomics.store(control, RUNNING, running ? 0 : 1);
    Atomics.notify(control, RUNNING);
    element("toggle").textContent = running ? "resume workers" : "pause workers";
  };
  for (const id of ["flush", "gc", "toggle"]) (element(id) as HTMLButtonElement).disabled = false;

  let last = performance.now();
  let lastOperations = 0;
  setInterval(() => {
    let operations = 0;
    for (let n = 0; n < WORKERS; n++) operations += Number(Atomics.load(counts, n));
    const now = performance.now();
    demo.operations = operations;
    demo.rate = ((operations - lastOperations) * 1000) / (now - last);
    last = now;
    lastOperations = operations;
    element("rate").textContent = `${(demo.rate / 1e6).toFixed(1)} M`;
    element("pools").textContent = heap.dump();
  }, 500);
}

start().catch((error: unknown) => {
  demo.error = error instanceof Error ? `${error.name}: ${error.message}` : String(error);
  const status = element("status");
  status.className = "error";
  status.textContent = error instanceof NotIsolatedError ? `This page is not cross-origin isolated. ${error.message}` : demo.error;
});
