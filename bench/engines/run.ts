// Runs the engine cases in each engine in turn (one at a time: the figures
// are each engine's alone), after bundling them once.

import type { Progress } from "../progress.js";
import { bundleEngineBench } from "./bundle.js";
import type { EngineResult } from "./engine-bench-protocol.js";
import { ENGINES } from "./engines.js";

/** Runs every engine (or those named in `only`); a missing or failing one gets a result that says so. */
export async function runEngines(quick: boolean, only?: readonly string[], progress?: Progress): Promise<EngineResult[]> {
  const engines = only ? ENGINES.filter((engine) => only.includes(engine.name)) : ENGINES;
  if (only && engines.length !== only.length) {
    throw new Error(`no such engine among ${only.join(", ")}; the engines are ${ENGINES.map((e) => e.name).join(", ")}`);
  }
  await bundleEngineBench();
  const results: EngineResult[] = [];
  for (const engine of engines) {
    progress?.start(`engine: ${engine.name}`);
    if (engine.missing) {
      progress?.skip(engine.missing);
      results.push({ name: engine.name, missing: engine.missing });
      continue;
    }
    try {
      const report = await engine.run(quick);
      results.push({ name: engine.name, report });
      progress?.done(report.error ? `failed: ${report.error.split("\n")[0]}` : `${report.cases.length} cases`);
    } catch (error) {
      const message = (error as Error).message;
      results.push({ name: engine.name, error: message });
      progress?.done(`failed: ${message.split("\n")[0]}`);
    }
  }
  return results;
}

/** How many steps runEngines reports to a Progress. */
export function engineCount(only?: readonly string[]): number {
  return only ? only.length : ENGINES.length;
}
