// The conformance suite in a JS runtime (Node, Deno, Bun): Web Workers where
// the runtime has them (Deno, Bun), node:worker_threads elsewhere (Node).
// Prints the report as the last line of stdout, after REPORT_PREFIX.

import { REPORT_PREFIX } from "./protocol.js";
import { runConformance } from "./suite.js";
import { startNodeWorker, startWebWorker } from "./threads.js";

function engineName(): string {
  const versions = (globalThis as { process?: { versions?: Record<string, string> } }).process?.versions ?? {};
  if (versions.bun) return `Bun ${versions.bun}`;
  if (versions.deno) return `Deno ${versions.deno}`;
  return `Node ${versions.node}`;
}

const hasWebWorkers = typeof Worker === "function";
const report = await runConformance({ engine: engineName(), startThread: hasWebWorkers ? startWebWorker : startNodeWorker });
console.log(`${REPORT_PREFIX}${JSON.stringify(report)}`);
// Deno and Bun keep running while a Web Worker's port is open.
process.exit(0);
