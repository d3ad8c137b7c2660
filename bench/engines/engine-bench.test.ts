// The engine column of the benchmark (bench/engines/) keeps working: a quick
// run in the machine's Node and in Chromium (in `npm test`, one of the two,
// drawn from the run's seed) gives every case a positive figure and a table
// row. No figure is judged here (the machine is shared); `npm run bench --
// --quick --engines` in CI runs every engine.

import { describe, expect, it } from "vitest";
import { EXHAUSTIVE, randomFor } from "../../test/support/sampling.js";
import { CLASS_FIELD, MODULE_CONST, PARAMETER, PICKED } from "../cases/call-patterns.js";
import { INTERLEAVED } from "../cases/interleaved.js";
import { CACHE_OFF, CACHE_ON, NEW_UINT8ARRAY } from "../cases/single-thread.js";
import { structCases } from "../cases/structs.js";
import { FLOOR, PARAMETER_FLOOR } from "../names.js";
import type { EngineResult } from "./engine-bench-protocol.js";
import { engineMarkdown } from "./engine-tables.js";
import { ENGINES } from "./engines.js";
import { runEngines } from "./run.js";

const CASES = [
  MODULE_CONST,
  PARAMETER,
  CLASS_FIELD,
  PICKED,
  FLOOR,
  PARAMETER_FLOOR,
  INTERLEAVED,
  FLOOR,
  CACHE_ON,
  CACHE_OFF,
  NEW_UINT8ARRAY,
  ...structCases().map((c) => c.name),
];
const NODE = ENGINES[0]!.name;
const chromium = ENGINES.find((engine) => engine.name === "Chromium")!;

function expectEveryCase(result: EngineResult): void {
  expect(result.error).toBeUndefined();
  expect(result.report?.error).toBeUndefined();
  const cases = result.report!.cases;
  expect(cases.map((c) => c.name)).toEqual(CASES);
  for (const c of cases) {
    expect(c.runs).toHaveLength(1);
    expect(c.nsPerOp, c.name).toBeGreaterThan(0);
    expect(Number.isFinite(c.nsPerOp), c.name).toBe(true);
  }
  const markdown = engineMarkdown([result], true);
  expect(markdown).toContain(`### ${result.name}`);
  for (const name of new Set(CASES)) expect(markdown).toContain(`| ${name} | `);
  expect(markdown).toMatch(/Target \(b\) cheaper than `new Uint8Array\(64\)`: (met|not met) \(\d+\.\d\d×\)/);
  expect(markdown).toMatch(/Target struct accessors within 1\.2× of hand-written typed arrays: (met|not met) \(\d+\.\d\d×; \d+\.\d\d× /);
}

// npm test runs one of the two engines, drawn from the run's seed (npm run test:all both).
const IN_NODE = EXHAUSTIVE || chromium.missing !== undefined || randomFor("engine bench")() % 2 === 0;
const IN_CHROMIUM = EXHAUSTIVE || !IN_NODE;

describe("the engine bench, quick", () => {
  if (IN_NODE) {
    it(`runs every case in the machine's Node (${NODE}), bundled as for every engine, and tabulates it`, async () => {
      const [result] = await runEngines(true, [NODE]);
      expectEveryCase(result!);
    }, 60_000);
  }

  if (IN_CHROMIUM) {
    it.skipIf(chromium.missing)(
      `runs every case in Chromium${chromium.missing ? ` (skipped: ${chromium.missing})` : ""}`,
      async () => {
        const [result] = await runEngines(true, ["Chromium"]);
        expectEveryCase(result!);
      },
      60_000,
    );
  }

  it("reports an engine that is not installed as missing, with the command that installs it", () => {
    const markdown = engineMarkdown([{ name: "Deno", missing: "not installed; npm install" }], true);
    expect(markdown).toMatch(/\| Deno \|( - \|){8} missing \|/);
    expect(markdown).toContain("Deno missing: not installed; npm install");
  });
});
