// The conformance suite in a JS runtime (Node, Deno, Bun), on the threads
// --threads= names: web (Web Workers, in Deno and Bun) or node
// (node:worker_threads); by default Web Workers where the runtime has them.
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

// --threads=node or --threads=web; by default Web Workers where the runtime has them.
const asked = process.argv.find((arg) => arg.startsWith("--threads="))?.slice("--threads=".length);
const threads = asked ?? (typeof Worker === "function" ? "web" : "node");
const report = await runConformance({ engine: engineName(), startThread: threads === "web" ? startWebWorker : startNodeWorker });
console.log(`${REPORT_PREFIX}${JSON.stringify(report)}`);
// Deno and Bun keep running while a Web Worker's port is open.
process.exit(0);
