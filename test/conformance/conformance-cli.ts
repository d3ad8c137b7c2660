// The conformance suite in a JS runtime (Node, Deno, Bun), on the threads
// --threads= names: web (Web Workers, in Deno and Bun) or node
// (node:worker_threads); by default Web Workers where the runtime has them.
// Prints the report as the last line of stdout, after REPORT_PREFIX.

import { REPORT_PREFIX } from "./conformance-protocol.js";
import { runConformance } from "./conformance-suite.js";
import { runtimeName, starterFromArguments } from "./engine-threads.js";

const report = await runConformance({ engine: runtimeName(), startThread: starterFromArguments() });
console.log(`${REPORT_PREFIX}${JSON.stringify(report)}`);
// Deno and Bun keep running while a Web Worker's port is open.
process.exit(0);
