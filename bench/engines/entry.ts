// The engine bench's entry, bundled once (bundle.ts) and run as it is in
// every engine: in a browser page it leaves its report in globalThis.result
// (and the page); in Node, Deno and Bun it prints it after REPORT_PREFIX.
// `quick` comes from the page's query (?quick) or the command line (--quick).

import { type EngineReport, REPORT_PREFIX } from "./engine-bench-protocol.js";
import { runSuite, timerStepNs } from "./suite.js";

interface RuntimeGlobals {
  document?: { getElementById(id: string): { textContent: string } | null };
  location?: { search: string };
  navigator?: { userAgent: string };
  process?: { argv: string[]; versions: Record<string, string | undefined>; exit(code: number): never };
  result?: unknown;
}

const global = globalThis as RuntimeGlobals;
const inPage = global.document !== undefined;

function engineName(): string {
  const versions = global.process?.versions ?? {};
  if (versions.bun) return `Bun ${versions.bun}`;
  if (versions.deno) return `Deno ${versions.deno}`;
  if (versions.node) return `Node ${versions.node}`;
  return global.navigator?.userAgent ?? "unknown";
}

async function report(): Promise<EngineReport> {
  const quick = inPage ? new URLSearchParams(global.location!.search).has("quick") : global.process!.argv.includes("--quick");
  const engine = inPage ? global.navigator!.userAgent : engineName();
  try {
    return { engine, timerStepNs: timerStepNs(), cases: await runSuite({ quick }) };
  } catch (error) {
    return { engine, timerStepNs: 0, cases: [], error: error instanceof Error && error.stack ? error.stack : String(error) };
  }
}

const result = await report();
if (inPage) {
  global.result = result;
  const log = global.document!.getElementById("log");
  if (log) log.textContent = JSON.stringify(result, null, 2);
} else {
  console.log(`${REPORT_PREFIX}${JSON.stringify(result)}`);
  global.process!.exit(0);
}
