// The engine column alone: node build/bench/engines/engines-cli.js [--quick]
// [--engine=Chromium --engine=Deno ...] runs the single-thread cases in each
// engine (or those named), prints their tables and writes them to
// build/bench-results/engines.md. `npm run bench -- --engines` runs them
// too, after Node's cases, and writes them into latest.md.

import { mkdirSync, writeFileSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { Progress } from "../progress.js";
import { engineMarkdown, printEngineTables } from "./engine-tables.js";
import { engineCount, runEngines } from "./run.js";

const RESULTS = fileURLToPath(new URL("../../bench-results/", import.meta.url));

const quick = process.argv.includes("--quick");
const named = process.argv.filter((arg) => arg.startsWith("--engine=")).map((arg) => arg.slice("--engine=".length));
const only = named.length > 0 ? named : undefined;
const results = await runEngines(quick, only, new Progress(engineCount(only)));
printEngineTables(results);
mkdirSync(RESULTS, { recursive: true });
writeFileSync(
  `${RESULTS}engines.md`,
  `# Engine benchmark\n\nWritten on ${new Date().toISOString()}.\n\n${engineMarkdown(results, quick)}\n`,
);
console.log(`\nWrote ${RESULTS}engines.md`);
