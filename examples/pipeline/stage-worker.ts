// One stage of the pipeline, in a Web Worker; the page says which. Every
// stage sends with the blocking `send` (a worker may block): when the next
// channel is full it waits there, which is the backpressure the page counts.
//
// - source: writes request lines into "line" objects and sends them into
//   "parse" until the page closes "parse" (send then throws
//   ChannelClosedError);
// - parse: for each line, allocates a job, parses the line into it, frees
//   the line, sends the job into "compute"; once "parse" is closed and
//   drained, closes "compute";
// - compute: writes the mean of each job's inputs and sends it into "done";
//   the last compute worker to find "compute" closed and drained closes
//   "done".
//
// A stage that ends closes the channel it sends into, so the next one ends
// too once it has drained it: Stop closes "parse", and the pipeline empties
// stage by stage.

import { type Channel, ChannelClosedError, Heap } from "../../dist/index.js";
import { INPUTS, Job, Line, now, requestLine } from "./job.js";
import {
  COMPUTE,
  COMPUTE_RUNNING,
  COMPUTE_WAITS,
  DONE,
  JOB_POOL,
  JOBS_MADE,
  LINE_POOL,
  PARSE,
  PARSE_WAITS,
  SOURCE_WAITS,
  type StageEnd,
  type StageStart,
} from "./protocol.js";

interface WorkerScope {
  onmessage: ((event: MessageEvent<StageStart>) => void) | null;
  postMessage(message: StageEnd): void;
  close(): void;
}

const scope = self as unknown as WorkerScope;

/** Sends `ptr`, counting in counters[waits] a send that found the channel full and had to wait. */
function sendCounting(channel: Channel, ptr: number, counters: Int32Array, waits: number): void {
  if (channel.trySend(ptr)) return;
  Atomics.add(counters, waits, 1);
  channel.send(ptr);
}

function source(heap: Heap, counters: Int32Array): void {
  const lines = heap.pool(LINE_POOL);
  const text = Line.bind(heap).text;
  const parse = heap.channel(PARSE);
  try {
    for (let id = 1; ; id++) {
      const line = lines.alloc();
      text.set(line, requestLine(id, now()));
      try {
        sendCounting(parse, line, counters, SOURCE_WAITS);
      } catch (error) {
        lines.free(line); // never sent: still ours
        if (error instanceof ChannelClosedError) return; // Stop
        throw error;
      }
    }
  } finally {
    parse.close(); // closed already after Stop; after an error, lets the stages after this one drain and end
  }
}

function parseStage(heap: Heap, counters: Int32Array): void {
  const lines = heap.pool(LINE_POOL);
  const jobs = heap.pool(JOB_POOL);
  const text = Line.bind(heap).text;
  const job = Job.bind(heap);
  const compute = heap.channel(COMPUTE);
  try {
    for (const line of heap.channel(PARSE)) {
      const [id, created, ...inputs] = text.get(line).split(" ").map(Number);
      lines.free(line);
      if (inputs.length !== INPUTS) throw new Error(`a request line with ${inputs.length} inputs`);
      const ptr = jobs.alloc();
      job.id.set(ptr, id!);
      job.created.set(ptr, created!);
      for (let i = 0; i < INPUTS; i++) job.input.set(ptr, i, inputs[i]!);
      job.parsed.set(ptr, now());
      Atomics.add(counters, JOBS_MADE, 1);
      sendCounting(compute, ptr, counters, PARSE_WAITS);
    }
  } finally {
    compute.close(); // "parse" is closed and drained (or this stage failed): no more jobs
  }
}

function computeStage(heap: Heap, counters: Int32Array): void {
  const job = Job.bind(heap);
  const done = heap.channel(DONE);
  try {
    for (const ptr of heap.channel(COMPUTE)) {
      let sum = 0;
      for (let i = 0; i < INPUTS; i++) sum += job.input.get(ptr, i);
      job.result.set(ptr, sum / INPUTS);
      job.computed.set(ptr, now());
      sendCounting(done, ptr, counters, COMPUTE_WAITS);
    }
  } finally {
    if (Atomics.sub(counters, COMPUTE_RUNNING, 1) === 1) done.close(); // the last compute worker out
  }
}

scope.onmessage = async ({ data }) => {
  const counters = new Int32Array(data.counters);
  let error = "";
  try {
    const heap = await Heap.attach(data.handle);
    try {
      if (data.stage === "source") source(heap, counters);
      else if (data.stage === "parse") parseStage(heap, counters);
      else computeStage(heap, counters);
    } finally {
      heap.close(); // this thread's cached objects go back to their pools
    }
  } catch (caught) {
    error = caught instanceof Error ? `${data.stage}: ${caught.name}: ${caught.message}` : String(caught);
  }
  scope.postMessage({ stage: data.stage, error });
  scope.close();
};
