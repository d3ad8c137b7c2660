// The engines the bench runs its single-thread cases in, each launched the
// way the conformance suite launches it (test/engines/): the JS runtimes
// run the bundle as a script, the browsers open the page that loads it from
// a cross-origin isolated server. An engine missing here says so, with the
// command that installs it.

import { startServer } from "../../examples/browser/server.js";
import {
  CHROMIUM_FILES,
  FIREFOX_FILES,
  inChromium,
  inFirefox,
  inWebKit,
  missingBrowser,
  WEBKIT_FILES,
  WEBKIT_SHARING_ENV,
} from "../../test/engines/browsers.js";
import { RUNTIMES, reportOf } from "../../test/engines/runtimes.js";
import { BUNDLE_DIR, ENTRY, PAGE } from "./bundle.js";
import { type EngineReport, REPORT_PREFIX } from "./engine-bench-protocol.js";

export interface BenchEngine {
  name: string;
  /** Why it cannot run here, with the command that installs it; undefined when it can. */
  missing: string | undefined;
  /** Runs the cases there (the bundle must be built). */
  run(quick: boolean): Promise<EngineReport>;
}

/** A full run takes well under a minute per engine; this only stops a hung one. */
function timeout(quick: boolean): number {
  return quick ? 120_000 : 600_000;
}

const runtimes: BenchEngine[] = RUNTIMES.map((runtime) => ({
  name: runtime.name,
  missing: runtime.executable ? undefined : `not installed; ${runtime.install}`,
  run: async (quick) => {
    const args = [...runtime.args, ENTRY, ...(quick ? ["--quick"] : [])];
    return (await reportOf<EngineReport>(runtime.executable!, args, timeout(quick), REPORT_PREFIX)).report;
  },
}));

function browser(name: string, files: Record<string, string>, open: (url: string, timeout: number) => Promise<unknown>): BenchEngine {
  return {
    name,
    missing: missingBrowser(files),
    run: async (quick) => {
      const server = await startServer({ isolated: true, roots: [BUNDLE_DIR] });
      try {
        return (await open(`${server.url}${PAGE}${quick ? "?quick" : ""}`, timeout(quick))) as EngineReport;
      } finally {
        await server.close();
      }
    },
  };
}

export const ENGINES: BenchEngine[] = [
  ...runtimes,
  browser("Chromium", CHROMIUM_FILES, inChromium),
  browser("Firefox ESR", FIREFOX_FILES, inFirefox),
  browser("WebKitGTK", WEBKIT_FILES, (url, ms) => inWebKit(url, ms, WEBKIT_SHARING_ENV)),
];
