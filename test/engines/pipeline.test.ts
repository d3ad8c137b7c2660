// The worker pipeline page (examples/pipeline/) in Chromium, Firefox ESR and
// WebKitGTK: jobs go through its stages, Stop closes the first channel, and
// the pipeline must drain, every stage end, every result be right and
// nothing be left in the pools or the channels. Each waits on a condition it
// polls, never on a fixed sleep. A browser missing here is reported as
// skipped, with the reason. `npm test` runs the page in one of the three,
// drawn from the run's seed; `npm run test:all` in all three.

import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type RunningServer, startServer } from "../../examples/browser/server.js";
import { EXHAUSTIVE, replayHint, sampleOf } from "../support/sampling.js";
import {
  type BrowserFiles,
  type BrowserSession,
  CHROMIUM_FILES,
  FIREFOX_FILES,
  missingBrowser,
  openInChromium,
  openInFirefox,
  openInWebKit,
  poll,
  WEBKIT_FILES,
  WEBKIT_SHARING_ENV,
} from "./browsers.js";

const TIMEOUT = 60_000;
/** Jobs through the pipeline before Stop. */
const JOBS_BEFORE_STOP = 2000;

/** What the page leaves in globalThis.pipeline (examples/pipeline/main.ts). */
interface PipelineState {
  workers: number;
  jobs: number;
  wrong: number;
  duplicates: number;
  made: number;
  latency: { median: number; p99: number };
  waits: { source: number; parse: number; compute: number };
  stopped: boolean;
  ended: number;
  drained: boolean;
  left: number;
  used: { job: number; line: number };
  error: string;
}

const BROWSERS: Array<{ name: string; files: BrowserFiles; open(url: string): Promise<BrowserSession> }> = [
  { name: "Chromium", files: CHROMIUM_FILES, open: openInChromium },
  { name: "Firefox ESR", files: FIREFOX_FILES, open: openInFirefox },
  { name: "WebKitGTK", files: WEBKIT_FILES, open: (url) => openInWebKit(url, WEBKIT_SHARING_ENV) },
];

/** The browsers of this run: one, drawn from the seed, or all three (test:all). */
const IN_THIS_RUN = EXHAUSTIVE ? BROWSERS : sampleOf(BROWSERS.length, 1, "pipeline browser").map((k) => BROWSERS[k - 1]!);

let server: RunningServer;
beforeAll(async () => {
  server = await startServer({ isolated: true });
});
afterAll(async () => {
  await server?.close();
});

/** The page's state once `done` holds for it (or once it reports an error). */
function stateWhen(session: BrowserSession, done: (state: PipelineState) => boolean, what: string): Promise<PipelineState> {
  return poll(
    async () => {
      const state = (await session.read("globalThis.pipeline")) as PipelineState | undefined;
      return state && (state.error !== "" || done(state)) ? state : undefined;
    },
    TIMEOUT,
    what,
  );
}

const sendsThatWaited = (state: PipelineState): number => state.waits.source + state.waits.parse + state.waits.compute;

for (const browser of IN_THIS_RUN) {
  const missing = missingBrowser(browser.files);
  describe.skipIf(missing)(`the pipeline page in ${browser.name}${missing ? ` (skipped: ${missing})` : ""} (${replayHint()})`, () => {
    it("runs jobs through its stages with backpressure, and Stop drains every stage with every result right and nothing left", async () => {
      const session = await browser.open(`${server.url}examples/pipeline/`);
      try {
        const running = await stateWhen(
          session,
          (state) => state.jobs >= JOBS_BEFORE_STOP && sendsThatWaited(state) > 0,
          `${JOBS_BEFORE_STOP} jobs and a send that waited`,
        );
        expect(running.error).toBe("");
        expect(running).toMatchObject({ workers: 4, stopped: false, drained: false, wrong: 0 });

        await session.click("#stop");
        const end = await stateWhen(session, (state) => state.drained, "drained pipeline");
        const shown = await session.read('document.getElementById("drained").textContent');
        console.log(
          `${browser.name}: ${end.jobs} jobs, latency median ${end.latency.median.toFixed(3)} ms, p99 ${end.latency.p99.toFixed(3)} ms; ` +
            `sends that waited: source ${end.waits.source}, parse ${end.waits.parse}, compute ${end.waits.compute}`,
        );
        expect(end.error).toBe("");
        expect(end.jobs).toBeGreaterThanOrEqual(running.jobs);
        // Every job the parse stage made came through once, its result right; then every stage ended.
        expect(end).toMatchObject({ stopped: true, drained: true, made: end.jobs, wrong: 0, duplicates: 0, ended: 4 });
        // Nothing left: no job or line handed out, no message queued.
        expect(end).toMatchObject({ left: 0, used: { job: 0, line: 0 } });
        expect(shown).toMatch(new RegExp(`^drained: ${end.jobs} jobs, 0 left`));
      } finally {
        await session.close();
      }
    });
  });
}
