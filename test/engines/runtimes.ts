// The JS runtimes the conformance suite runs in, each a separate process on
// build/test/conformance/conformance-cli.js: the machine's Node (20), Node 22 and 24
// from the npm packages test/engines/package.json pins (kept out of the
// project's node_modules, where their `node` bin would shadow the machine's
// Node in npm scripts), and Deno and Bun from their npm packages.

import { execFile } from "node:child_process";
import { existsSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { promisify } from "node:util";
import type { ConformanceReport } from "../conformance/conformance-protocol.js";
import { REPORT_PREFIX } from "../conformance/conformance-protocol.js";
import { KILLS_REPORT_PREFIX, type KillsReport } from "../kills/kills-protocol.js";
import { EXHAUSTIVE, randomFor } from "../support/sampling.js";

const run = promisify(execFile);
// The package root, whether this runs as test/engines/runtimes.ts (vitest) or compiled under build/ (the engine bench).
const ROOT = fileURLToPath(new URL(import.meta.url.includes("/build/test/") ? "../../../" : "../../", import.meta.url));
const CLI = `${ROOT}build/test/conformance/conformance-cli.js`;
const KILLS_CLI = `${ROOT}build/test/kills/kills-cli.js`;
const LOAD_CORE = `${ROOT}build/test/conformance/load-core.js`;

export interface Runtime {
  name: string;
  /** The executable, or undefined when it is not installed. */
  executable: string | undefined;
  /** Arguments before the script. */
  args: string[];
  /** How to install it, for the skip message. */
  install: string;
  /** The kinds of thread the suite runs on there. */
  threads: RuntimeThreads[];
}

export interface RuntimeThreads {
  kind: "web" | "node";
}

const NODE_THREADS: RuntimeThreads = { kind: "node" };

function installed(path: string): string | undefined {
  return existsSync(path) ? path : undefined;
}

const PINNED = "npm ci --prefix test/engines";

export const RUNTIMES: Runtime[] = [
  {
    name: `Node ${process.versions.node.split(".")[0]}`,
    executable: process.execPath,
    args: [],
    install: "",
    threads: [NODE_THREADS],
  },
  {
    name: "Node 22",
    executable: installed(`${ROOT}test/engines/node_modules/node22/bin/node`),
    args: [],
    install: PINNED,
    threads: [NODE_THREADS],
  },
  {
    name: "Node 24",
    executable: installed(`${ROOT}test/engines/node_modules/node24/bin/node`),
    args: [],
    install: PINNED,
    threads: [NODE_THREADS],
  },
  // Deno reads the .wasm beside dist/index.js: --allow-read, for the package's folder only.
  {
    name: "Deno",
    executable: installed(`${ROOT}node_modules/.bin/deno`),
    args: ["run", `--allow-read=${ROOT}`],
    install: "npm install",
    // Deno's threads are watched through Web Locks (its exit events may come early).
    threads: [{ kind: "web" }, NODE_THREADS],
  },
  {
    name: "Bun",
    executable: installed(`${ROOT}node_modules/.bin/bun`),
    args: [],
    install: "npm install",
    threads: [{ kind: "web" }, NODE_THREADS],
  },
];

/** Runs `args` and returns the report it printed after `prefix` (the conformance suite's by default), with what it wrote to stderr. */
export async function reportOf<T>(
  executable: string,
  args: string[],
  timeout: number,
  prefix = REPORT_PREFIX,
): Promise<{ report: T; stderr: string }> {
  const { stdout, stderr } = await run(executable, args, { timeout, maxBuffer: 1 << 24 });
  const line = stdout.split("\n").find((each) => each.startsWith(prefix));
  if (!line) throw new Error(`${executable} printed no report:\n${stdout}\n${stderr}`);
  return { report: JSON.parse(line.slice(prefix.length)) as T, stderr };
}

/** Runs the suite in `runtime` on threads of `kind`: its report, and what it wrote to stderr. */
export function reportFrom(
  runtime: Runtime,
  kind: RuntimeThreads["kind"],
  timeout: number,
): Promise<{ report: ConformanceReport; stderr: string }> {
  return reportOf(runtime.executable!, [...runtime.args, CLI, `--threads=${kind}`], timeout);
}

/** Runs the random-kill suite (test/kills/) in `runtime` on threads of `kind`, killing at least `kills` workers at moments drawn from `seed`. */
export function killsReportFrom(
  runtime: Runtime,
  kind: RuntimeThreads["kind"],
  kills: number,
  seed: number,
  timeout: number,
): Promise<{ report: KillsReport; stderr: string }> {
  const args = [...runtime.args, KILLS_CLI, `--threads=${kind}`, `--kills=${kills}`, `--seed=${seed}`];
  return reportOf(runtime.executable!, args, timeout, KILLS_REPORT_PREFIX);
}

/** What making a heap does in Deno that may read the package but not its .wasm. */
export async function denoWithoutReadAccess(
  deno: Runtime,
  timeout: number,
): Promise<{ created: boolean; error?: string; message?: string; typed?: boolean }> {
  const args = ["run", "--no-prompt", `--allow-read=${ROOT}`, `--deny-read=${ROOT}dist/wasm-pools.wasm`, LOAD_CORE];
  return (await reportOf<{ created: boolean; error?: string; message?: string; typed?: boolean }>(deno.executable!, args, timeout)).report;
}

/** What the runtime says of its own version. */
export async function versionOf(runtime: Runtime): Promise<string> {
  const { stdout } = await run(runtime.executable!, ["--version"]);
  return stdout.split("\n")[0]!.trim();
}

/**
 * The kinds of thread `runtime` runs `sweep` with in this run: in npm run
 * test:all every kind of every runtime; in npm test one kind, drawn for the
 * sweep from the run's seed (Deno and Bun have two), and one of the pinned
 * Node versions (22, 24) at all.
 */
export function threadsInRun(runtime: Runtime, sweep: string): RuntimeThreads[] {
  if (EXHAUSTIVE) return runtime.threads;
  const pinned = RUNTIMES.filter((r) => r.executable !== process.execPath && r.name.startsWith("Node "));
  if (pinned.includes(runtime) && pinned[randomFor(`${sweep}: pinned Node`)() % pinned.length] !== runtime) return [];
  if (runtime.threads.length < 2) return runtime.threads;
  return [runtime.threads[randomFor(`${sweep} in ${runtime.name}: threads`)() % runtime.threads.length]!];
}
