// Workers killed at random moments, in every runtime and kind of thread:
// alone, in pairs and in bursts of 8, some while attaching, some attached
// twice, some with a worker of their own, beside a survivor that churns the
// same pool all along. Nothing is called to reclaim them: the suite waits
// for the heap to hear of each end by itself, then reports what every worker
// saw (test/death/kills.test.ts judges it).

import type { Heap } from "../../dist/index.js";
import type { TestThread } from "../conformance/engine-threads.js";
import { layout, wasmPools } from "../conformance/library.js";
import { xorshift32 } from "../support/xorshift.js";
import {
  COUNTERS,
  DOUBLES,
  ERRORS,
  KILLED,
  KILLS_CHANNEL,
  KILLS_POOL,
  type KillReply,
  type KillsReport,
  type KillTask,
  LOCK_TIMEOUTS,
  MESSAGES,
  NESTED_NUMBER,
  NUMBERS,
  STOP,
  TERMINATION_ERRORS,
} from "./kills-protocol.js";

const WORKER_SCRIPT = new URL("./kills-worker.js", import.meta.url);
/** How many die together, round after round. */
const BURSTS = [8, 2, 1, 8, 2];
/** How long a round waits for the heap to hear of its workers' ends (Deno's life-lock grace is 1 s). */
const PATIENCE_MS = 10_000;
const { MAX_THREADS, T_STATE, THREAD_FREE, THREAD_SLOT_SIZE, THREADS_START } = layout;

const tick = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** Thread slots taken (any state but FREE). */
function slotsTaken(heap: Heap): number {
  const words = new Uint32Array(heap.memory.buffer);
  let taken = 0;
  for (let index = 0; index < MAX_THREADS; index++) {
    if (words[(THREADS_START + index * THREAD_SLOT_SIZE + T_STATE) >>> 2] !== THREAD_FREE) taken++;
  }
  return taken;
}

/** Starts a worker on the task; resolves once it says "ready" (or at once, when `early`). */
async function startOn(startThread: (script: URL) => Promise<TestThread>, task: KillTask, early: boolean): Promise<TestThread> {
  const thread = await startThread(WORKER_SCRIPT);
  const ready = new Promise<void>((resolve, reject) =>
    thread.onReply((reply) => {
      const r = reply as unknown as KillReply;
      if (r.type === "ready") resolve();
      else if (r.type === "error") reject(new Error(r.message));
    }),
  );
  thread.post(task as never);
  // A worker killed before it is ready never says so; its errors are in the counters.
  if (early) ready.catch(() => {});
  else await ready;
  return thread;
}

/** Kills at least `kills` workers (each round kills a burst of BURSTS), each burst at a moment drawn from `seed`. */
export async function runKills(
  engine: string,
  startThread: (script: URL) => Promise<TestThread>,
  kills: number,
  seed: number,
): Promise<KillsReport> {
  const moment = xorshift32(seed);
  const heap = await wasmPools.Heap.create({ maxBytes: 64 << 20 });
  const pool = heap.createPool(KILLS_POOL, 64, { shared: true });
  const channel = heap.createChannel(KILLS_CHANNEL, { capacity: 32 });
  const counters = new Int32Array(new SharedArrayBuffer(COUNTERS * 4));
  const base = (number: number): KillTask => ({
    type: "churn",
    handle: heap.handle(),
    counters,
    number,
    twice: false,
    nested: false,
    survivor: false,
  });
  const report: KillsReport = {
    engine,
    kills: 0,
    killedWhileAttaching: 0,
    nested: 0,
    twice: 0,
    slotsLeft: 0,
    roundsNotBack: 0,
    doubles: 0,
    errors: 0,
    lockTimeouts: 0,
    messages: 0,
    terminationErrors: 0,
    messagesLeft: 0,
    survivorStopped: false,
    longestStallMs: 0,
    check: "not run",
  };
  let lastTick = performance.now();
  let reclaiming = false;
  const ticker = setInterval(() => {
    const now = performance.now();
    if (reclaiming) report.longestStallMs = Math.max(report.longestStallMs, Math.round(now - lastTick));
    lastTick = now;
  }, 5);
  try {
    const survivor = await startOn(startThread, { ...base(0), survivor: true }, false);
    const stopped = new Promise<void>((resolve) =>
      survivor.onReply((reply) => {
        if ((reply as unknown as KillReply).type === "stopped") resolve();
      }),
    );
    const expected = slotsTaken(heap);
    let number = 1;
    for (let round = 0; report.kills < kills; round++) {
      const victims: TestThread[] = [];
      const numbers: number[] = [];
      for (let n = 0; n < BURSTS[round % BURSTS.length]!; n++, number++) {
        numbers.push(number);
        const shape = number % 5;
        const early = shape === 4;
        const task = { ...base(number), twice: shape === 1, nested: shape === 2 };
        victims.push(await startOn(startThread, task, early));
        if (early) report.killedWhileAttaching++;
        if (task.twice) report.twice++;
        if (task.nested) report.nested++;
      }
      // A moment picked at random while they churn beside the survivor.
      await tick(moment() % 13);
      lastTick = performance.now();
      reclaiming = true;
      // Each victim (and its nested worker) learns first that it is being killed: errors of the runtime stopping it count apart.
      for (const killed of numbers) {
        Atomics.store(counters, KILLED + (killed % NUMBERS), 1);
        Atomics.store(counters, KILLED + ((killed + NESTED_NUMBER) % NUMBERS), 1);
      }
      for (const victim of victims) victim.terminate();
      report.kills += victims.length;
      const deadline = Date.now() + PATIENCE_MS;
      while (slotsTaken(heap) > expected && Date.now() < deadline) await tick(10);
      reclaiming = false;
      const left = slotsTaken(heap) - expected;
      if (left > 0) report.roundsNotBack++;
      report.slotsLeft = Math.max(report.slotsLeft, left);
    }
    Atomics.store(counters, STOP, 1);
    await Promise.race([stopped, tick(PATIENCE_MS)]);
    report.survivorStopped = await Promise.race([stopped.then(() => true), tick(0).then(() => false)]);
    survivor.terminate();
  } catch (error) {
    report.error = error instanceof Error && error.stack ? error.stack : String(error);
  }
  clearInterval(ticker);
  report.doubles = Atomics.load(counters, DOUBLES);
  report.errors = Atomics.load(counters, ERRORS);
  report.lockTimeouts = Atomics.load(counters, LOCK_TIMEOUTS);
  report.messages = Atomics.load(counters, MESSAGES);
  report.terminationErrors = Atomics.load(counters, TERMINATION_ERRORS);
  try {
    // What is still in the channel goes back to the pool: the channel works after every kill.
    for (let ptr = channel.tryReceive(); typeof ptr === "number"; ptr = channel.tryReceive()) {
      pool.free(ptr);
      report.messagesLeft++;
    }
    heap.check();
    report.check = "passed";
  } catch (error) {
    report.check = error instanceof Error ? `${error.name}: ${error.message}` : String(error);
  }
  return report;
}
