// Case 8, the server-like loop with wasm-pools (#12): per request the main
// thread allocates a 128-byte request, a 48-byte header and a 512-byte
// response, writes the request's number into the request and sends the
// three pointers to a worker through a ring; the worker reads the number,
// frees the request and the header, writes the number into the response and
// returns the response through a second ring; the main thread checks the
// number and frees the response. At most IN_FLIGHT requests are out at once,
// as in the postMessage version (bench/workers/echo-worker.ts). With every
// request it may send out, the main thread polls for responses, and after
// EMPTY_POLLS_BEFORE_NAP empty polls naps for NAP_MS (an Atomics.wait on a
// word nobody notifies), so that on a busy machine it leaves the CPU to the
// worker. The worker, with nothing to do, spins a little, then sleeps until
// the main thread publishes and wakes it. (Letting the main thread sleep until
// woken was tried: on Node 20 the worker's Atomics.notify of it then at times
// never returned.)
//
// The same loop on channels (#24): the three pointers go to the worker
// through one channel and the response comes back through another, in the
// same order and with the same IN_FLIGHT window. The main thread sends with
// trySend (the channels hold every request in flight) and polls with
// tryReceive, napping as above (it never sleeps in the channel, for the
// same reason); the worker blocks in receive, which tries a few times, then
// sleeps until a send wakes it.

import type { Channel, Heap, Pool } from "wasm-pools";
import { RING_CAPACITY, RingConsumer, RingProducer } from "../../test/support/ring.js";

export const REQUEST_BYTES = 128;
export const HEADER_BYTES = 48;
export const RESPONSE_BYTES = 512;
/** Requests sent and not yet answered, at most; a request takes 3 slots of the ring. */
export const IN_FLIGHT = 256;
if (3 * IN_FLIGHT > RING_CAPACITY) throw new Error("IN_FLIGHT requests must fit in the ring");

const REQUEST_POOL = "server request";
const TO_WORKER_CHANNEL = "server to worker";
const FROM_WORKER_CHANNEL = "server from worker";
const HEADER_POOL = "server header";
const RESPONSE_POOL = "server response";

export interface ServerPools {
  request: Pool;
  header: Pool;
  response: Pool;
}

/** Makes the three pools (on the main thread). */
export function createServerPools(heap: Heap): ServerPools {
  return {
    request: heap.createPool(REQUEST_POOL, REQUEST_BYTES),
    header: heap.createPool(HEADER_POOL, HEADER_BYTES),
    response: heap.createPool(RESPONSE_POOL, RESPONSE_BYTES),
  };
}

/** Finds the three pools (in the worker). */
export function serverPools(heap: Heap): ServerPools {
  return { request: heap.pool(REQUEST_POOL), header: heap.pool(HEADER_POOL), response: heap.pool(RESPONSE_POOL) };
}

/** The heap's memory as words, for the request numbers (made per round: the heap's initial memory never grows here). */
function words(heap: Heap): Uint32Array {
  return new Uint32Array(heap.memory.buffer);
}

/** How long the main thread waits for a response before it gives up on the worker (it polls: it cannot hear of the worker's death). */
const PATIENCE_MS = 10_000;
const EMPTY_POLLS_BEFORE_NAP = 4096;
const NAP_MS = 0.05;
/** The word the main thread naps on; it stays 0 and nobody notifies it. */
const napWord = new Int32Array(new SharedArrayBuffer(4));

/**
 * The main thread's side: sends `requests` requests and takes their
 * responses; throws if one came back with another's number, or if none
 * came for PATIENCE_MS.
 */
export function serveRequests(
  heap: Heap,
  pools: ServerPools,
  toWorker: SharedArrayBuffer,
  fromWorker: SharedArrayBuffer,
  requests: number,
): void {
  const memory = words(heap);
  const outbox = new RingProducer(toWorker);
  const inbox = new RingConsumer(fromWorker);
  let sent = 0;
  let answered = 0;
  let wrong = 0;
  let emptyPolls = 0;
  let waitingSince = 0;
  const takeResponse = (response: number): void => {
    if (memory[response >>> 2] !== answered) wrong++;
    pools.response.free(response);
    answered++;
  };
  while (answered < requests) {
    if (sent < requests && sent - answered < IN_FLIGHT) {
      do {
        const request = pools.request.alloc();
        memory[request >>> 2] = sent;
        outbox.push(request);
        outbox.push(pools.header.alloc());
        outbox.push(pools.response.alloc());
        sent++;
      } while (sent < requests && sent - answered < IN_FLIGHT);
      outbox.flush();
    }
    if (inbox.poll(takeResponse) > 0) emptyPolls = 0;
    else if (emptyPolls++ === 0) waitingSince = performance.now();
    else if (emptyPolls % EMPTY_POLLS_BEFORE_NAP === 0) {
      Atomics.wait(napWord, 0, 0, NAP_MS);
      if (performance.now() - waitingSince > PATIENCE_MS) throw new Error(`no response from the worker for ${PATIENCE_MS} ms`);
    }
  }
  if (wrong !== 0) throw new Error(`${wrong} of ${requests} responses carried another request's number`);
}

/** The worker's side: answers `requests` requests. */
export function answerRequests(
  heap: Heap,
  pools: ServerPools,
  toWorker: SharedArrayBuffer,
  fromWorker: SharedArrayBuffer,
  requests: number,
): void {
  const memory = words(heap);
  const inbox = new RingConsumer(toWorker);
  const outbox = new RingProducer(fromWorker);
  // The ring carries request, header, response, request, ...; a poll may end inside a request.
  let part = 0;
  let number = 0;
  let answered = 0;
  const take = (ptr: number): void => {
    if (part === 0) {
      number = memory[ptr >>> 2]!;
      pools.request.free(ptr);
    } else if (part === 1) pools.header.free(ptr);
    else {
      memory[ptr >>> 2] = number;
      outbox.push(ptr);
      answered++;
    }
    part = part === 2 ? 0 : part + 1;
  };
  while (answered < requests) {
    if (inbox.poll(take) > 0) outbox.flush();
    else inbox.wait();
  }
}

export interface ServerChannels {
  toWorker: Channel;
  fromWorker: Channel;
}

/** Makes the two channels (on the main thread), each big enough for every request in flight. */
export function createServerChannels(heap: Heap): ServerChannels {
  const capacity = 4 * IN_FLIGHT;
  return {
    toWorker: heap.createChannel(TO_WORKER_CHANNEL, { capacity }),
    fromWorker: heap.createChannel(FROM_WORKER_CHANNEL, { capacity }),
  };
}

/** Finds the two channels (in the worker). */
export function serverChannels(heap: Heap): ServerChannels {
  return { toWorker: heap.channel(TO_WORKER_CHANNEL), fromWorker: heap.channel(FROM_WORKER_CHANNEL) };
}

/** serveRequests, through channels. */
export function serveRequestsOnChannels(heap: Heap, pools: ServerPools, channels: ServerChannels, requests: number): void {
  const memory = words(heap);
  const { toWorker, fromWorker } = channels;
  const send = (ptr: number): void => {
    if (!toWorker.trySend(ptr)) throw new Error("the channel to the worker was full: it should hold every request in flight");
  };
  let sent = 0;
  let answered = 0;
  let wrong = 0;
  let emptyPolls = 0;
  let waitingSince = 0;
  while (answered < requests) {
    while (sent < requests && sent - answered < IN_FLIGHT) {
      const request = pools.request.alloc();
      memory[request >>> 2] = sent;
      send(request);
      send(pools.header.alloc());
      send(pools.response.alloc());
      sent++;
    }
    let taken = 0;
    for (let response = fromWorker.tryReceive(); response !== undefined; response = fromWorker.tryReceive()) {
      if (response === null) throw new Error("the channel from the worker was closed");
      if (memory[response >>> 2] !== answered) wrong++;
      pools.response.free(response);
      answered++;
      taken++;
    }
    if (taken > 0) emptyPolls = 0;
    else if (emptyPolls++ === 0) waitingSince = performance.now();
    else if (emptyPolls % EMPTY_POLLS_BEFORE_NAP === 0) {
      Atomics.wait(napWord, 0, 0, NAP_MS);
      if (performance.now() - waitingSince > PATIENCE_MS) throw new Error(`no response from the worker for ${PATIENCE_MS} ms`);
    }
  }
  if (wrong !== 0) throw new Error(`${wrong} of ${requests} responses carried another request's number`);
}

/** answerRequests, through channels. */
export function answerRequestsOnChannels(heap: Heap, pools: ServerPools, channels: ServerChannels, requests: number): void {
  const memory = words(heap);
  const { toWorker, fromWorker } = channels;
  const receive = (): number => {
    const ptr = toWorker.receive();
    if (ptr === null) throw new Error("the channel to the worker was closed");
    return ptr;
  };
  for (let answered = 0; answered < requests; answered++) {
    const request = receive();
    const header = receive();
    const response = receive();
    memory[response >>> 2] = memory[request >>> 2]!;
    pools.request.free(request);
    pools.header.free(header);
    fromWorker.send(response);
  }
}
