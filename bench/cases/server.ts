// Case 8: the server-like loop of #12, with wasm-pools and pointers through
// rings or through channels (#24) (bench/workers/server-worker.ts), and the
// same loop written with new Uint8Array buffers copied through postMessage
// (bench/workers/echo-worker.ts).
// Both keep at most IN_FLIGHT requests out; a case's figure is the median
// round's wall-clock time per request, the main thread's loop included.

import { once } from "node:events";
import { Worker } from "node:worker_threads";
import { Heap } from "wasm-pools";
import { makeRing } from "../../test/support/ring.js";
import { type CaseResult, caseFromSamples } from "../results.js";
import { runWorkers } from "../workers/harness.js";
import { type PostedRequest, readNumber, writeNumber } from "../workers/posted-request.js";
import {
  createServerChannels,
  createServerPools,
  HEADER_BYTES,
  IN_FLIGHT,
  REQUEST_BYTES,
  RESPONSE_BYTES,
  serveRequests,
  serveRequestsOnChannels,
} from "../workers/server-worker.js";
import { CACHE_ON, type WorkerJob } from "./workers.js";

export const SERVER_GROUP = "8. server-like loop: request, header and response to a worker and back";
export const SERVER_RINGS = "(g) wasm-pools, pointers through rings";
export const SERVER_CHANNELS = "(g) wasm-pools, pointers through channels";
export const SERVER_POSTMESSAGE = "new Uint8Array buffers copied through postMessage";
const OPERATION = "one request: 128 + 48 + 512 bytes allocated, sent, answered and freed";
const ECHO_SCRIPT = new URL("../workers/echo-worker.js", import.meta.url);
/** Big enough that the memory never grows during a run: serveRequests' view of it stays whole. */
const INITIAL_BYTES = 16 << 20;

async function measureRings(requests: number, rounds: number): Promise<CaseResult> {
  const heap = await Heap.create({ initialBytes: INITIAL_BYTES, cacheBytes: CACHE_ON });
  try {
    const pools = createServerPools(heap);
    const toWorker = makeRing();
    const fromWorker = makeRing();
    const walls = await runWorkers(heap, CACHE_ON, [{ kind: "answer", requests, toWorker, fromWorker }], rounds, () =>
      serveRequests(heap, pools, toWorker, fromWorker, requests),
    );
    return caseFromSamples(
      SERVER_GROUP,
      SERVER_RINGS,
      OPERATION,
      walls.map((ms) => (ms * 1e6) / requests),
    );
  } finally {
    heap.close();
  }
}

async function measureChannels(requests: number, rounds: number): Promise<CaseResult> {
  const heap = await Heap.create({ initialBytes: INITIAL_BYTES, cacheBytes: CACHE_ON });
  try {
    const pools = createServerPools(heap);
    const channels = createServerChannels(heap);
    const walls = await runWorkers(heap, CACHE_ON, [{ kind: "answer-channels", requests }], rounds, () =>
      serveRequestsOnChannels(heap, pools, channels, requests),
    );
    return caseFromSamples(
      SERVER_GROUP,
      SERVER_CHANNELS,
      OPERATION,
      walls.map((ms) => (ms * 1e6) / requests),
    );
  } finally {
    heap.close();
  }
}

/** Sends `requests` requests to the echo worker, IN_FLIGHT at most out at once; resolves when every response is back. */
function postRequests(worker: Worker, requests: number): Promise<void> {
  return new Promise((resolve, reject) => {
    let sent = 0;
    let answered = 0;
    const send = (): void => {
      const request = new Uint8Array(REQUEST_BYTES);
      writeNumber(request, sent);
      const message: PostedRequest = { request, header: new Uint8Array(HEADER_BYTES), response: new Uint8Array(RESPONSE_BYTES) };
      worker.postMessage(message);
      sent++;
    };
    const finish = (error?: Error): void => {
      worker.off("message", onResponse);
      worker.off("error", finish);
      if (error) reject(error);
      else resolve();
    };
    const onResponse = (response: Uint8Array): void => {
      if (readNumber(response) !== answered) {
        finish(new Error(`response ${answered} carried another request's number`));
        return;
      }
      answered++;
      if (answered === requests) finish();
      else if (sent < requests) send();
    };
    worker.on("message", onResponse);
    worker.on("error", finish);
    while (sent < Math.min(requests, IN_FLIGHT)) send();
  });
}

async function measurePostMessage(requests: number, rounds: number): Promise<CaseResult> {
  const worker = new Worker(ECHO_SCRIPT);
  try {
    await once(worker, "online");
    const walls: number[] = [];
    // Round 1 warms the JIT up and is not counted, as in the other worker cases.
    for (let round = 1; round <= rounds + 1; round++) {
      const start = performance.now();
      await postRequests(worker, requests);
      if (round > 1) walls.push(performance.now() - start);
    }
    return caseFromSamples(
      SERVER_GROUP,
      SERVER_POSTMESSAGE,
      OPERATION,
      walls.map((ms) => (ms * 1e6) / requests),
    );
  } finally {
    await worker.terminate();
  }
}

export function serverJobs(requests: number, rounds: number): WorkerJob[] {
  return [
    { group: SERVER_GROUP, name: SERVER_RINGS, native: false, run: () => measureRings(requests, rounds) },
    { group: SERVER_GROUP, name: SERVER_CHANNELS, native: false, run: () => measureChannels(requests, rounds) },
    { group: SERVER_GROUP, name: SERVER_POSTMESSAGE, native: false, run: () => measurePostMessage(requests, rounds) },
  ];
}
