// The random-kill suite in a JS runtime (Node, Deno, Bun), on the threads
// --threads= names: web (Web Workers) or node (node:worker_threads), killing
// at least --kills= workers (100 by default), at moments drawn from --seed=
// (test/support/sampling.ts gives the run's). Prints the report as the last
// line of stdout, after KILLS_REPORT_PREFIX.

import { runtimeName, starterFromArguments } from "../conformance/engine-threads.js";
import { KILLS_REPORT_PREFIX } from "./kills-protocol.js";
import { runKills } from "./kills-suite.js";

const kills = Number(process.argv.find((arg) => arg.startsWith("--kills="))?.slice("--kills=".length) ?? 100);
const seed = Number(process.argv.find((arg) => arg.startsWith("--seed="))?.slice("--seed=".length) ?? 1);
const report = await runKills(runtimeName(), starterFromArguments(), kills, seed);
console.log(`${KILLS_REPORT_PREFIX}${JSON.stringify(report)}`);
// Deno and Bun keep running while a Web Worker's port is open.
process.exit(0);
