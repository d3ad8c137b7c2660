// The package in a real Chromium (Debian's /usr/bin/chromium, driven by
// playwright-core): an isolated page with 4 workers on one pool, memory
// growth seen by every worker, a page without COOP/COEP, the demo page and
// its charts, and a Vite build of the demo. Without Chromium these are reported as skipped,
// with the reason in the suite's name.

import { existsSync } from "node:fs";
import { cp, mkdir, mkdtemp, readdir, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { type Browser, chromium, type Page } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type RunningServer, startServer } from "../../examples/browser/server.js";
import type { StressResult } from "../browser/pages/stress-page-protocol.js";
import { CHROMIUM, CHROMIUM_FLAGS } from "./browsers.js";

const FOUND = existsSync(CHROMIUM);
const ROOT = fileURLToPath(new URL("../../", import.meta.url));
const ARTIFACTS = join(ROOT, "build", "test-artifacts");

/** What the demo page leaves in globalThis.demo (examples/browser/main.ts). */
interface DemoState {
  operations: number;
  flushes: number;
  gcs: number;
  error: string;
  chartSamples: number;
  charts: { throughput: number; memory: Record<string, number>; marks: number };
  chartError: string;
}

/** Opens `url` and waits for the page's globalThis.result (or its first error). */
async function resultOf<T>(page: Page, url: string, timeout = 90_000): Promise<T> {
  const errors: string[] = [];
  page.on("pageerror", (error) => errors.push(error.message));
  await page.goto(url);
  await page
    .waitForFunction(() => "result" in globalThis, null, { timeout, polling: 100 })
    .catch((error: Error) => {
      throw new Error(`${error.message}; page errors: ${errors.join("; ") || "none"}`);
    });
  return (await page.evaluate(() => (globalThis as unknown as { result: unknown }).result)) as T;
}

describe.skipIf(!FOUND)(`in Chromium${FOUND ? "" : ` (skipped: no browser at ${CHROMIUM}; apt-get install -y chromium)`}`, () => {
  let browser: Browser;
  let isolated: RunningServer;
  let notIsolated: RunningServer;

  beforeAll(async () => {
    browser = await chromium.launch({ executablePath: CHROMIUM, headless: true, args: CHROMIUM_FLAGS });
    isolated = await startServer({ isolated: true });
    notIsolated = await startServer({ isolated: false });
    await mkdir(ARTIFACTS, { recursive: true });
  });

  afterAll(async () => {
    await browser?.close();
    await isolated?.close();
    await notIsolated?.close();
  });

  describe("an isolated page with 4 workers on one pool", () => {
    let result: StressResult;
    beforeAll(async () => {
      const page = await browser.newPage();
      result = await resultOf<StressResult>(page, `${isolated.url}test/browser/pages/stress.html?workers=4&operations=500000&big=256`);
      await page.close();
      console.log(
        `browser stress: ${result.workers} workers, ${result.operations} operations, ${result.doubles} double hand-outs, ` +
          `${result.flushes} flushes and ${result.gcs} gcs from the page, memory ${result.initialMemoryBytes >> 20} -> ${result.finalMemoryBytes >> 20} MiB`,
      );
    });

    it("hands no object out twice and keeps the accounting exact while the page flushes and gcs", () => {
      expect(result.error).toBeUndefined();
      expect(result.operations).toBeGreaterThanOrEqual(4 * 500_000 * 0.9);
      expect(result.doubles).toBe(0);
      expect(result.flushes).toBeGreaterThan(0);
      expect(result.gcs).toBeGreaterThan(0);
      // Workers closed their heaps: nothing in use, nothing in caches, the rest on the free list.
      expect(result).toMatchObject({ used: 0, cached: 0 });
      expect(result.allocated).toBe(result.freeListLength);
    });

    it("grows the memory, and every worker sees the grown memory and intact objects", () => {
      expect(result.finalMemoryBytes).toBeGreaterThan(result.initialMemoryBytes);
      // 4 workers × 256 objects of 4 KiB held together: at least 4 MiB.
      expect(result.finalMemoryBytes).toBeGreaterThanOrEqual(4 << 20);
      expect(result.memoryBytesSeen).toHaveLength(4);
      for (const seen of result.memoryBytesSeen) expect(seen).toBeGreaterThanOrEqual(4 << 20);
      expect(result.badBigObjects).toBe(0);
    });
  });

  it("terminated Web Workers are seen gone through their Web Locks and reclaimed by heap.reclaimGone()", async () => {
    const page = await browser.newPage();
    const result = await resultOf<Record<string, number>>(page, `${isolated.url}test/browser/pages/reclaim.html`);
    await page.close();
    expect(result.error).toBeUndefined();
    // Live workers are never taken for gone (4 slots: the page's and theirs); each had at least 97 objects cached (whole refills) and held 3.
    expect(result).toMatchObject({ workers: 3, reclaimedWhileAlive: 0, slotsBefore: 4, usedBefore: 9 });
    // Once their locks are let go, nothing but the page holds a slot (the call, or the heap's own look every 250 ms, reclaimed them).
    expect(result.slotsAfter).toBe(1);
    expect(result.reclaimedByTheCall).toBeLessThanOrEqual(3);
    expect(result.cachedBefore).toBeGreaterThanOrEqual(3 * 97);
    // Their caches are back; what they held stays out; nothing is found twice.
    expect(result).toMatchObject({ cachedAfter: 0, usedAfter: 9, reclaimAgain: 0 });
  });

  it("on a page without COOP/COEP, one thread works and handle() throws NotIsolatedError naming the headers", async () => {
    const page = await browser.newPage();
    const result = await resultOf<Record<string, unknown>>(page, `${notIsolated.url}test/browser/pages/single.html`);
    await page.close();
    expect(result).toMatchObject({ crossOriginIsolated: false, allocatedAndFreed: 1000, used: 0, handleError: "NotIsolatedError" });
    expect(result.handleMessage).toMatch(/Cross-Origin-Opener-Policy: same-origin/);
    expect(result.handleMessage).toMatch(/Cross-Origin-Embedder-Policy: require-corp/);
  });

  it("compiles the core from its bytes when the server sends .wasm with another MIME type", async () => {
    const server = await startServer({ isolated: false, wasmContentType: "application/octet-stream" });
    const page = await browser.newPage();
    try {
      const result = await resultOf<Record<string, unknown>>(page, `${server.url}test/browser/pages/single.html`);
      expect(result).toMatchObject({ allocatedAndFreed: 1000, used: 0 });
    } finally {
      await page.close();
      await server.close();
    }
  });

  it("the demo page runs its workers, shows the pools and live charts of them, and its buttons work", async () => {
    const page = await browser.newPage();
    const errors: string[] = [];
    page.on("pageerror", (error) => errors.push(error.message));
    await page.goto(`${isolated.url}examples/browser/`);
    const demo = () => page.evaluate(() => (globalThis as unknown as { demo: DemoState }).demo);
    await page.waitForFunction(() => ((globalThis as unknown as { demo?: { operations: number } }).demo?.operations ?? 0) > 0, null, {
      timeout: 30_000,
    });
    await expect.poll(() => page.textContent("#pools"), { timeout: 10_000 }).toMatch(/Dumping pools usage: 2 pools/);
    expect(await page.textContent("#pools")).toMatch(/session\s+64/);
    // Its long lines wrap inside the box.
    expect(await page.$eval("#pools", (pre) => pre.scrollWidth - pre.clientWidth)).toBe(0);

    // The charts: two samples (a second apart) plotted, an SVG in the throughput chart and in one chart per pool.
    await page.waitForFunction(() => ((globalThis as unknown as { demo?: DemoState }).demo?.chartSamples ?? 0) >= 2, null, {
      timeout: 30_000,
      polling: 100,
    });
    expect(await page.locator("#throughput-chart svg").count()).toBe(1);
    expect(await page.locator("#memory-charts .chart svg").count()).toBe(2);
    const charted = await demo();
    expect(charted.chartError).toBe("");
    expect(charted.charts.throughput).toBe(charted.chartSamples);
    // Three states a sample for each pool.
    expect(charted.charts.memory.session).toBeGreaterThanOrEqual(3 * 2);
    expect(charted.charts.memory.buffer).toBeGreaterThanOrEqual(3 * 2);

    await page.click("#flush");
    await page.click("#gc");
    expect(await demo()).toMatchObject({ flushes: 1, gcs: 1, error: "" });
    expect(await page.textContent("#actions")).toMatch(/heap\.gc\(\) done/);
    await expect.poll(async () => (await demo()).charts.marks, { timeout: 10_000 }).toBe(2);
    const before = await demo();
    await expect.poll(async () => (await demo()).operations, { timeout: 10_000 }).toBeGreaterThan(before.operations);
    await expect.poll(async () => (await demo()).chartSamples, { timeout: 10_000 }).toBeGreaterThan(before.chartSamples);
    await page.screenshot({ path: join(ARTIFACTS, "demo.png") });
    await page.close();
    expect(errors).toEqual([]);
  });

  it("Vite bundles the demo with the wasm asset and no warning, and the bundle runs", async () => {
    const stage = await mkdtemp(join(tmpdir(), "wasm-pools-vite-"));
    try {
      // The demo as a user's project would hold it: its page and scripts (not the Node server), the package's dist/, and
      // the Vega and Vega-Lite bundles in node_modules.
      await cp(join(ROOT, "examples/browser/index.html"), join(stage, "examples/browser/index.html"));
      for (const file of await readdir(join(ROOT, "build/examples/browser"))) {
        if (file.endsWith(".js") && !file.startsWith("serve")) {
          await cp(join(ROOT, "build/examples/browser", file), join(stage, "examples/browser", file));
        }
      }
      await cp(join(ROOT, "dist"), join(stage, "dist"), { recursive: true });
      for (const bundle of ["vega/build/vega.min.js", "vega-lite/build/vega-lite.min.js"]) {
        await cp(join(ROOT, "node_modules", bundle), join(stage, "node_modules", bundle));
      }
      const { build } = await import("vite");
      const out = join(stage, "out");
      await build({ root: join(stage, "examples/browser"), logLevel: "error", build: { outDir: out, emptyOutDir: true } });
      const assets = await readdir(join(out, "assets"));
      expect(assets.some((file) => /^wasm-pools-.*\.wasm$/.test(file))).toBe(true);
      // The chart libraries as assets of the bundle: its page loads nothing from elsewhere.
      expect(assets.some((file) => /^vega\.min-.*\.js$/.test(file))).toBe(true);
      expect(assets.some((file) => /^vega-lite\.min-.*\.js$/.test(file))).toBe(true);
      // No Node built-in stood in for by an empty module (Vite warns "externalized for browser compatibility" for each).
      expect(assets.filter((file) => file.startsWith("__vite-browser-external"))).toEqual([]);

      const server = await startServer({ isolated: true, roots: [out] });
      const page = await browser.newPage();
      try {
        await page.goto(server.url);
        await page.waitForFunction(() => ((globalThis as unknown as { demo?: { operations: number } }).demo?.operations ?? 0) > 0, null, {
          timeout: 30_000,
        });
        expect(await page.textContent("#pools")).toMatch(/Dumping pools usage/);
        await page.waitForFunction(() => ((globalThis as unknown as { demo?: DemoState }).demo?.chartSamples ?? 0) >= 1, null, {
          timeout: 30_000,
          polling: 100,
        });
        expect(await page.locator("#throughput-chart svg").count()).toBe(1);
      } finally {
        await page.close();
        await server.close();
      }
    } finally {
      await rm(stage, { recursive: true, force: true });
    }
  });
});
