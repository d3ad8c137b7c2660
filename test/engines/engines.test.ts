// The conformance suite (test/conformance/) on every target: Node 20, 22 and
// 24, Deno, Bun, Chromium, Firefox ESR and WebKitGTK. A target missing here
// is reported as skipped, with the reason and how to install it; .ci/run
// installs them all and checks that none was skipped. The targets run two
// at a time (in-turn.ts), each started when its tests are collected. Every
// browser runs the suite on a cross-origin isolated page; the refusals (a
// page without COOP/COEP, WebKit without its flag) each start a browser of
// their own, so `npm test` runs one of them, drawn from the run's seed, and
// `npm run test:all` every one.

import { execFile } from "node:child_process";
import { promisify } from "node:util";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type RunningServer, startServer } from "../../examples/browser/server.js";
import type { ConformanceReport } from "../conformance/conformance-protocol.js";
import { EXHAUSTIVE, randomFor, replayHint } from "../support/sampling.js";
import {
  type BrowserFiles,
  CHROMIUM,
  CHROMIUM_FILES,
  FIREFOX,
  FIREFOX_FILES,
  inChromium,
  inFirefox,
  inWebKit,
  missingBrowser,
  WEBKIT_FILES,
  WEBKIT_SHARING_ENV,
} from "./browsers.js";
import { bundleAndRun } from "./bun-build.js";
import { itConforms, type Sharing } from "./expectations.js";
import { InTurn } from "./in-turn.js";
import { denoWithoutReadAccess, RUNTIMES, reportFrom, threadsInRun, versionOf } from "./runtimes.js";
import { testedCell, versionIn } from "./support-table.js";

const run = promisify(execFile);
const TIMEOUT = 90_000;
const PAGE = "test/conformance/page.html";
const SHARES: Sharing = { shares: true };
/** Two targets at a time: the 2 cores run one while the other waits on its browser or its workers' ends. */
const inTurn = new InTurn(2);
const NOT_ISOLATED: Sharing = {
  shares: false,
  refusal: "NotIsolatedError",
  names: [/Cross-Origin-Opener-Policy: same-origin/, /Cross-Origin-Embedder-Policy: require-corp/],
};

/** What `job` gives, and how long it took from its start. */
async function timed<T>(job: () => Promise<T>): Promise<{ result: T; seconds: string }> {
  const started = Date.now();
  const result = await job();
  return { result, seconds: ((Date.now() - started) / 1000).toFixed(1) };
}

/** The two servers every browser opens the suite from, started once. */
let servers: Promise<{ isolated: RunningServer; notIsolated: RunningServer }> | undefined;
function serversOnce(): Promise<{ isolated: RunningServer; notIsolated: RunningServer }> {
  servers ??= Promise.all([startServer({ isolated: true }), startServer({ isolated: false })]).then(([isolated, notIsolated]) => ({
    isolated,
    notIsolated,
  }));
  return servers;
}

afterAll(async () => {
  const started = await servers;
  await started?.isolated.close();
  await started?.notIsolated.close();
});

/** The suite's name: the target, or why it is skipped. */
function title(target: string, missing: string | undefined): string {
  return missing ? `${target} (skipped: ${missing})` : target;
}

if (!EXHAUSTIVE) {
  const sampled = RUNTIMES.flatMap((runtime) => threadsInRun(runtime, "conformance").map((threads) => `${runtime.name} (${threads.kind})`));
  console.log(`conformance runtimes: ${sampled.join(", ")} (${replayHint()})`);
}

for (const runtime of RUNTIMES) {
  const missing = runtime.executable ? undefined : `not installed; ${runtime.install}`;
  describe.skipIf(missing)(title(`conformance in ${runtime.name}`, missing), () => {
    for (const threads of threadsInRun(runtime, "conformance")) {
      describe(`with ${threads.kind === "web" ? "Web Workers" : "node:worker_threads"}`, () => {
        let report: ConformanceReport;
        let stderr: string;
        const run = missing ? undefined : inTurn.run(() => timed(() => reportFrom(runtime, threads.kind, TIMEOUT)));
        beforeAll(async () => {
          const { result, seconds } = await run!;
          ({ report, stderr } = result);
          console.log(`${report.engine}, ${threads.kind} threads: conformance suite in ${seconds} s`);
        }, 2 * TIMEOUT);
        itConforms(() => report, SHARES);

        it("writes nothing to stderr: no error escapes the package's thread listeners", () => {
          expect(stderr).toBe("");
        });
      });
    }

    it("the README's support table names the version tested", async () => {
      const version = versionIn(await versionOf(runtime));
      // The machine's Node by its major version; the pinned packages exactly.
      const expected = runtime.executable === process.execPath ? version.split(".")[0]! : version;
      expect(await testedCell(runtime.name)).toContain(expected);
    });

    if (runtime.name === "Deno") {
      it("without the right to read the .wasm, Heap.create throws CoreLoadError naming --allow-read", async () => {
        const outcome = await denoWithoutReadAccess(runtime, TIMEOUT);
        expect(outcome).toMatchObject({ created: false, error: "CoreLoadError", typed: true });
        expect(outcome.message).toMatch(/--allow-read/);
      });
    }
    if (runtime.name === "Bun") {
      it("the bun build recipe (docs/runtimes.md): the bundle carries the core and runs from another folder", async () => {
        const { files, stdout } = await bundleAndRun(runtime.executable!, TIMEOUT);
        expect(files.some((file) => /^wasm-pools-.*\.wasm$/.test(file))).toBe(true);
        expect(stdout).toMatch(/^Dumping pools usage: 1 pools/);
      });
    }
  });
}

interface BrowserTarget {
  name: string;
  /** Prints the browser's version (the first x.y.z in its output). */
  version: string[];
  /** How many parts of that version the README's table states: the major for browsers named by it, x.y for WebKitGTK. */
  versionParts: number;
  /** Files the browser needs, all from Debian's packages. */
  files: BrowserFiles;
  /** The report of the page at `url`; `unflagged` runs without the engine flags the target documents. */
  open(url: string, unflagged?: boolean): Promise<unknown>;
  /** What the browser does without its flags: shares (none needed), or refuses with a typed error. */
  unflagged?: Sharing;
}

const BROWSERS: BrowserTarget[] = [
  {
    name: "Chromium",
    version: [CHROMIUM, "--version"],
    versionParts: 1,
    files: CHROMIUM_FILES,
    open: (url) => inChromium(url, TIMEOUT),
  },
  {
    name: "Firefox ESR",
    version: [FIREFOX, "--version"],
    versionParts: 1,
    files: FIREFOX_FILES,
    open: (url) => inFirefox(url, TIMEOUT),
  },
  {
    name: "WebKitGTK",
    version: ["dpkg-query", "-W", "-f", "$" + "{Version}", "libwebkit2gtk-4.1-0"],
    versionParts: 2,
    files: WEBKIT_FILES,
    open: (url, unflagged) => inWebKit(url, TIMEOUT, unflagged ? {} : WEBKIT_SHARING_ENV),
    unflagged: { shares: false, refusal: "SharingUnsupportedError", names: [/JSC_useSharedArrayBuffer=1/] },
  },
];

/** The refusal scenarios of the browsers installed; in npm test one of them runs, drawn from the run's seed. */
const REFUSALS = BROWSERS.filter((browser) => !missingBrowser(browser.files)).flatMap((browser) => [
  `${browser.name}, not isolated`,
  ...(browser.unflagged ? [`${browser.name}, unflagged`] : []),
]);
const SAMPLED_REFUSAL = REFUSALS[(randomFor("browser refusals")() % Math.max(1, REFUSALS.length)) >>> 0];
function refusalRuns(name: string): boolean {
  return EXHAUSTIVE || name === SAMPLED_REFUSAL;
}
if (!EXHAUSTIVE && SAMPLED_REFUSAL) console.log(`browser refusals: ${SAMPLED_REFUSAL} of ${REFUSALS.length} (${replayHint()})`);

for (const browser of BROWSERS) {
  const missing = missingBrowser(browser.files);
  describe.skipIf(missing)(title(`conformance in ${browser.name}`, missing), () => {
    type Server = "isolated" | "notIsolated";
    const scenario = (label: string, server: Server, sharing: Sharing, unflagged = false) =>
      describe(label, () => {
        let report: ConformanceReport;
        const run = missing
          ? undefined
          : inTurn.run(() => timed(async () => browser.open(`${(await serversOnce())[server].url}${PAGE}`, unflagged)));
        beforeAll(async () => {
          const { result, seconds } = await run!;
          report = result as ConformanceReport;
          console.log(`${report.engine}, ${label}: conformance suite in ${seconds} s`);
        }, 2 * TIMEOUT);
        itConforms(() => report, sharing);
      });

    it("the README's support table names the version tested", async () => {
      const [command, ...args] = browser.version;
      const { stdout } = await run(command!, args);
      const stated = versionIn(stdout).split(".").slice(0, browser.versionParts).join(".");
      expect((await testedCell(browser.name))?.startsWith(stated)).toBe(true);
    });

    scenario("a cross-origin isolated page", "isolated", SHARES);
    if (refusalRuns(`${browser.name}, not isolated`)) scenario("a page without COOP/COEP", "notIsolated", NOT_ISOLATED);
    if (browser.unflagged && refusalRuns(`${browser.name}, unflagged`)) {
      scenario("an isolated page, the browser started without its flags", "isolated", browser.unflagged, true);
    }
  });
}
