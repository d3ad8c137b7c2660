// A short stress run (the one `npm run stress` makes longer): workers mix
// allocs, heap.malloc blocks, frees, cross-thread frees, flush, gc and
// private pool create and destroy on random sizes; every phase is checked (test/stress/stress-run.ts).

import { expect, it } from "vitest";
import { runStress } from "../stress/stress-run.js";

it("a 3-worker stress run of 3 seconds passes every check of every phase", async () => {
  const lines: string[] = [];
  const result = await runStress({ workers: 3, seconds: 3, seed: 20261128, log: (line) => lines.push(line) });
  console.log(lines.join("\n"));
  expect(result.failures).toEqual([]);
  expect(result.passed).toBe(true);
  expect(result.phases).toBeGreaterThanOrEqual(2);
  expect(result.totals.doubles).toBe(0);
  expect(result.totals.crossFrees).toBeGreaterThan(1000);
  expect(result.totals.mallocs).toBeGreaterThan(10_000);
  expect(result.totals.flushes).toBeGreaterThan(100);
  expect(result.totals.operations).toBeGreaterThan(200_000);
});
