// The random-kill suite in a JS runtime (Node, Deno, Bun), on the threads
// --threads= names: web (Web Workers) or node (node:worker_threads). Prints
// the report as the last line of stdout, after KILLS_REPORT_PREFIX.

import { startNodeWorker, startWebWorker } from "../conformance/threads.js";
import { KILLS_REPORT_PREFIX } from "./protocol.js";
import { runKills } from "./suite.js";

function engineName(): string {
  const versions = (globalThis as { process?: { versions?: Record<string, string> } }).process?.versions ?? {};
  if (versions.bun) return `Bun ${versions.bun}`;
  if (versions.deno) return `Deno ${versions.deno}`;
  return `Node ${versions.node}`;
}

const asked = process.argv.find((arg) => arg.startsWith("--threads="))?.slice("--threads=".length);
const threads = asked ?? (typeof Worker === "function" ? "web" : "node");
const report = await runKills(engineName(), threads === "web" ? startWebWorker : startNodeWorker);
console.log(`${KILLS_REPORT_PREFIX}${JSON.stringify(report)}`);
// Deno and Bun keep running while a Web Worker's port is open.
process.exit(0);
