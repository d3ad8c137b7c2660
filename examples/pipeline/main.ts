// The pipeline page: the main thread makes the heap, the two pools and the
// three channels, starts the stage workers (stage-worker.ts), and takes the
// finished jobs from "done" with `for await` (a page's main thread may not
// block): it checks each result, notes its time through the pipeline, and
// frees it. Stop closes "parse"; every stage then drains its channel, closes
// the next and ends, the loop below ends with the last job, and the page
// shows that nothing is left.

import { type Channel, Heap, NotIsolatedError } from "../../dist/index.js";
import { expectedResult, Job, Line, now } from "./job.js";
import {
  COMPUTE,
  COMPUTE_RUNNING,
  COMPUTE_WAITS,
  COUNTERS,
  DONE,
  JOB_POOL,
  JOBS_MADE,
  LINE_POOL,
  PARSE,
  PARSE_WAITS,
  SOURCE_WAITS,
  type Stage,
  type StageEnd,
  type StageStart,
} from "./protocol.js";

const COMPUTE_WORKERS = 2;
/** Small, so that channels fill and senders wait: backpressure. */
const CAPACITY = 8;
/** Latencies are over the last this many jobs. */
const WINDOW = 1000;
/** Longest run of receives before the page lets its event loop turn (clicks, timers, drawing). */
const SLICE_MS = 8;
const element = (id: string): HTMLElement => document.getElementById(id)!;
const describe = (error: unknown): string => (error instanceof Error ? `${error.name}: ${error.message}` : String(error));

/** What the page has seen, for people and for the browser test. */
const pipeline = {
  workers: 2 + COMPUTE_WORKERS,
  capacity: CAPACITY,
  /** Jobs received from "done", checked and freed. */
  jobs: 0,
  /** Of those, results other than the mean of the job's inputs. */
  wrong: 0,
  /** Of those, ids received before (a message delivered twice). */
  duplicates: 0,
  /** Jobs the parse stage allocated. */
  made: 0,
  /** Jobs per second, over the last half second. */
  rate: 0,
  /** Milliseconds from the request line's writing to the page, over the last WINDOW jobs. */
  latency: { median: 0, p99: 0 },
  /** Sends that found the next channel full and waited, per stage. */
  waits: { source: 0, parse: 0, compute: 0 },
  stopped: false,
  /** Workers whose stage has ended. */
  ended: 0,
  drained: false,
  /** Once drained: objects of both pools still handed out plus messages still queued. */
  left: -1,
  /** Once drained: objects handed out, per pool. */
  used: { job: -1, line: -1 },
  error: "",
};
(globalThis as { pipeline?: typeof pipeline }).pipeline = pipeline;

function fail(message: string): void {
  pipeline.error ||= message;
  const status = element("status");
  status.className = "error";
  status.textContent = pipeline.error;
}

/** A task of its own after this one (a MessageChannel message: no timer clamping). */
const yielder = new MessageChannel();
function nextTask(): Promise<void> {
  return new Promise((resolve) => {
    yielder.port1.onmessage = () => resolve();
    yielder.port2.postMessage(0);
  });
}

/** The value at fraction `q` of the sorted samples. */
function quantile(sorted: Float64Array, q: number): number {
  return sorted.length ? sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))]! : 0;
}

async function start(): Promise<void> {
  const heap = await Heap.create({ maxBytes: 32 << 20 });
  const lines = Line.bind(heap).createPool(LINE_POOL);
  const jobs = Job.bind(heap);
  const jobPool = jobs.createPool(JOB_POOL);
  const channels = [PARSE, COMPUTE, DONE].map((name) => heap.createChannel(name, { capacity: CAPACITY }));
  const [parse, , done] = channels as [Channel, Channel, Channel];
  const counters = new Int32Array(new SharedArrayBuffer(4 * COUNTERS));
  counters[COMPUTE_RUNNING] = COMPUTE_WORKERS;
  const handle = heap.handle(); // throws NotIsolatedError on a page without COOP/COEP

  const stages: Stage[] = ["source", "parse", ...Array<Stage>(COMPUTE_WORKERS).fill("compute")];
  const allEnded = new Promise<void>((resolve) => {
    for (const stage of stages) {
      const worker = new Worker(new URL("./stage-worker.js", import.meta.url), { type: "module" });
      worker.onmessage = ({ data }: MessageEvent<StageEnd>) => {
        if (data.error) fail(data.error);
        if (++pipeline.ended === stages.length) resolve();
      };
      worker.onerror = (event) => fail(`a ${stage} worker failed: ${event.message || "it could not start"}`);
      const message: StageStart = { handle, stage, counters: counters.buffer as SharedArrayBuffer };
      worker.postMessage(message);
    }
  });
  element("status").textContent =
    `1 source, 1 parse and ${COMPUTE_WORKERS} compute workers; channels of ${CAPACITY} messages; the page receives.`;

  const stop = element("stop") as HTMLButtonElement;
  stop.disabled = false;
  stop.onclick = () => {
    stop.disabled = true;
    pipeline.stopped = true;
    parse.close(); // the source's next send throws ChannelClosedError; each stage after it drains and ends
    element("drained").textContent = "stopping: the stages drain their channels…";
  };

  const latencies = new Float64Array(WINDOW);
  let seen = new Uint8Array(1 << 16); // one bit per job id
  let lastJobs = 0;
  let lastTime = performance.now();
  const show = (): void => {
    const time = performance.now();
    pipeline.rate = ((pipeline.jobs - lastJobs) * 1000) / (time - lastTime);
    [lastJobs, lastTime] = [pipeline.jobs, time];
    const sorted = latencies.slice(0, Math.min(pipeline.jobs, WINDOW)).sort();
    pipeline.latency = { median: quantile(sorted, 0.5), p99: quantile(sorted, 0.99) };
    pipeline.waits = { source: counters[SOURCE_WAITS]!, parse: counters[PARSE_WAITS]!, compute: counters[COMPUTE_WAITS]! };
    pipeline.made = counters[JOBS_MADE]!;
    element("jobs").textContent = `${pipeline.jobs}`;
    element("rate").textContent = `${Math.round(pipeline.rate)}`;
    element("latency").textContent = `${pipeline.latency.median.toFixed(3)} ms median, ${pipeline.latency.p99.toFixed(3)} ms p99`;
    element("wrong").textContent = `${pipeline.wrong} wrong, ${pipeline.duplicates} twice`;
    element("waits").textContent = `source ${pipeline.waits.source}, parse ${pipeline.waits.parse}, compute ${pipeline.waits.compute}`;
    if (!pipeline.drained) element("queues").textContent = channels.map((c) => `${c.name} ${c.stats().queued}/${c.capacity}`).join(", ");
    element("pools").textContent = heap.dump();
  };
  const timer = setInterval(show, 500);

  let slice = performance.now();
  for await (const ptr of done) {
    const id = jobs.id.get(ptr);
    latencies[pipeline.jobs % WINDOW] = now() - jobs.created.get(ptr);
    if (jobs.result.get(ptr) !== expectedResult(id)) pipeline.wrong++;
    while (id >> 3 >= seen.length) {
      const grown = new Uint8Array(seen.length * 2);
      grown.set(seen);
      seen = grown;
    }
    if (seen[id >> 3]! & (1 << (id & 7))) pipeline.duplicates++;
    seen[id >> 3]! |= 1 << (id & 7);
    jobPool.free(ptr); // allocated by the parse worker, freed here
    pipeline.jobs++;
    if (performance.now() - slice > SLICE_MS) {
      await nextTask();
      slice = performance.now();
    }
  }
  // "done" is closed and drained: the last compute worker closed it. Wait for every worker's end, then count what is left.
  await allEnded;
  clearInterval(timer);
  const queued = channels.reduce((sum, channel) => sum + channel.stats().queued, 0);
  pipeline.used = { job: jobPool.stats().used, line: lines.stats().used };
  pipeline.left = pipeline.used.job + pipeline.used.line + queued;
  for (const channel of channels) channel.destroy(); // empty, so they may go
  pipeline.drained = true;
  show();
  element("queues").textContent = "destroyed (all empty)";
  element("drained").textContent =
    `drained: ${pipeline.jobs} jobs, ${pipeline.left} left (pool ${JOB_POOL}: ${pipeline.used.job} used, pool ${LINE_POOL}: ${pipeline.used.line} used)`;
}

start().catch((error: unknown) => {
  fail(error instanceof NotIsolatedError ? `This page is not cross-origin isolated. ${error.message}` : describe(error));
});
