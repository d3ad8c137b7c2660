// Workers killed at random moments in every JS runtime and kind of thread
// (test/kills/): alone, in pairs and in bursts of 8, some while attaching,
// some attached twice, some with a worker of their own, at moments drawn
// from the run's seed. `npm test` kills at least 8 in each runtime (one
// burst of 8: every kind of victim; one of Node 22 and 24), on one kind of
// thread drawn from the seed; `npm run test:all` at least 100 on each kind. Nothing calls for a
// reclaim: the heap must hear of every end by itself, leave no slot behind,
// and the survivor beside them must never see an error, a double hand-out or
// a lock give-up. Objects pass between the workers through a channel too.

import { describe, expect, it } from "vitest";
import { killsReportFrom, RUNTIMES, threadsInRun } from "../engines/runtimes.js";
import { EXHAUSTIVE, randomFor, replayHint } from "../support/sampling.js";

const TIMEOUT = 240_000;
const KILLS = EXHAUSTIVE ? 100 : 8;

// In npm test, one kind of thread per runtime and one of the pinned Node versions (threadsInRun).
for (const runtime of RUNTIMES.filter((r) => threadsInRun(r, "random kills").length > 0)) {
  describe.skipIf(!runtime.executable)(`random kills in ${runtime.name}`, () => {
    for (const threads of threadsInRun(runtime, "random kills")) {
      it(
        `with ${threads.kind === "web" ? "Web Workers" : "node:worker_threads"}: every killed worker reclaimed, nothing seen wrong`,
        async () => {
          const started = Date.now();
          const seed = randomFor(`random kills in ${runtime.name}, ${threads.kind} threads`)();
          const { report, stderr } = await killsReportFrom(runtime, threads.kind, KILLS, seed, TIMEOUT);
          console.log(
            `${report.engine}, ${threads.kind} threads: ${JSON.stringify(report)} in ${((Date.now() - started) / 1000).toFixed(1)} s (${replayHint()})`,
          );
          expect(report.error).toBeUndefined();
          expect(report.kills).toBeGreaterThanOrEqual(KILLS);
          expect(report.killedWhileAttaching).toBeGreaterThan(0);
          expect(report.nested).toBeGreaterThan(0);
          expect(report.twice).toBeGreaterThan(0);
          expect({ slotsLeft: report.slotsLeft, roundsNotBack: report.roundsNotBack }).toEqual({ slotsLeft: 0, roundsNotBack: 0 });
          expect({ doubles: report.doubles, errors: report.errors, lockTimeouts: report.lockTimeouts }).toEqual({
            doubles: 0,
            errors: 0,
            lockTimeouts: 0,
          });
          // Objects went through the channel between workers, kills or not.
          expect(report.messages).toBeGreaterThan(0);
          expect(report.survivorStopped).toBe(true);
          expect(report.check).toBe("passed");
          expect(stderr).toBe("");
        },
        TIMEOUT,
      );
    }
  });
}
