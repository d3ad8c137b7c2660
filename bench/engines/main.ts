// The engine column alone: node build/bench/engines/main.js [--quick]
// [--engine=Chromium --engine=Deno ...] runs the single-thread cases in each
// engine (or those named) and prints their tables. `npm run bench --
// --engines` runs them too, after Node's cases, and writes them into
// latest.md.

import { Progress } from "../progress.js";
import { printEngineTables } from "./report.js";
import { engineCount, runEngines } from "./run.js";

const quick = process.argv.includes("--quick");
const named = process.argv.filter((arg) => arg.startsWith("--engine=")).map((arg) => arg.slice("--engine=".length));
const only = named.length > 0 ? named : undefined;
const results = await runEngines(quick, only, new Progress(engineCount(only)));
printEngineTables(results);
