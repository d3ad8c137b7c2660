// The loops of cases 14 to 17 (bench/cases/channels.ts), run in benchmark
// workers: 64-byte messages allocated from a pool, written and sent by
// pointer through a channel, then read and freed by the receiver; and the
// same messages as new Uint8Arrays copied through MessagePorts. Every
// message carries a byte pattern (its number plus the byte's index) that
// the receiver checks, so each side touches all 64 bytes.

import type { MessagePort } from "node:worker_threads";
import type { Channel, Heap, Pool } from "wasm-pools";
import { MESSAGE_BYTES } from "./bench-worker-protocol.js";

/** Writes message `seq`'s pattern at `at`. */
export function writeMessage(bytes: Uint8Array, at: number, seq: number): void {
  for (let b = 0; b < MESSAGE_BYTES; b++) bytes[at + b] = seq + b;
}

/** Whether the 64 bytes at `at` hold one message's whole pattern. */
export function intact(bytes: Uint8Array, at: number): boolean {
  const first = bytes[at]!;
  let wrong = 0;
  for (let b = 1; b < MESSAGE_BYTES; b++) wrong |= bytes[at + b]! ^ ((first + b) & 255);
  return wrong === 0;
}

/** The heap's memory as bytes (the cases' heaps start big enough never to grow: see sameMemory). */
function heapBytes(heap: Heap): Uint8Array {
  return new Uint8Array(heap.memory.buffer);
}

/** Throws if the memory grew while `bytes` was in use: a view of the old buffer would have missed objects past its end. */
function sameMemory(heap: Heap, bytes: Uint8Array): void {
  if (heap.memory.buffer.byteLength !== bytes.length)
    throw new Error("the heap's memory grew during a channel case: raise its initialBytes");
}

function damaged(what: string, count: number): Error {
  return new Error(`${count} ${what} arrived damaged`);
}

/** Allocates, writes and sends `messages` messages, each a pool object, waiting while the channel is full. */
export function sendThroughChannel(heap: Heap, pool: Pool, channel: Channel, messages: number): void {
  const bytes = heapBytes(heap);
  for (let seq = 0; seq < messages; seq++) {
    const ptr = pool.alloc();
    writeMessage(bytes, ptr, seq);
    channel.send(ptr);
  }
  sameMemory(heap, bytes);
}

/** Receives, checks and frees `messages` messages, waiting while the channel is empty. */
export function receiveFromChannel(heap: Heap, pool: Pool, channel: Channel, messages: number): void {
  const bytes = heapBytes(heap);
  let wrong = 0;
  for (let i = 0; i < messages; i++) {
    const ptr = channel.receive();
    if (ptr === null) throw new Error("the channel was closed under its receiver");
    if (!intact(bytes, ptr)) wrong++;
    pool.free(ptr);
  }
  sameMemory(heap, bytes);
  if (wrong !== 0) throw damaged("messages", wrong);
}

/**
 * The pinger of the ping-pong: per round trip allocates and writes a
 * message, sends it on `ping`, receives it back on `pong`, checks and frees
 * it; `samples[i]` gets the i-th round trip's time in ns.
 */
export function pingThroughChannels(heap: Heap, pool: Pool, ping: Channel, pong: Channel, samples: Float64Array): void {
  const bytes = heapBytes(heap);
  for (let i = 0; i < samples.length; i++) {
    const start = performance.now();
    const ptr = pool.alloc();
    writeMessage(bytes, ptr, i);
    ping.send(ptr);
    const back = pong.receive();
    if (back !== ptr || !intact(bytes, back)) throw new Error(`round trip ${i} came back as another message or damaged`);
    pool.free(back);
    samples[i] = (performance.now() - start) * 1e6;
  }
  sameMemory(heap, bytes);
}

/** The ponger: receives `roundTrips` messages on `ping`, checks each and sends it back on `pong`. */
export function pongThroughChannels(heap: Heap, ping: Channel, pong: Channel, roundTrips: number): void {
  const bytes = heapBytes(heap);
  let wrong = 0;
  for (let i = 0; i < roundTrips; i++) {
    const ptr = ping.receive();
    if (ptr === null) throw new Error("the ping channel was closed under its ponger");
    if (!intact(bytes, ptr)) wrong++;
    pong.send(ptr);
  }
  if (wrong !== 0) throw damaged("pings", wrong);
}

/** Posts `messages` new 64-byte Uint8Arrays (copied by the structured clone), the ports in turn. */
export function sendOnPorts(ports: readonly MessagePort[], messages: number): void {
  for (let seq = 0; seq < messages; seq++) {
    const message = new Uint8Array(MESSAGE_BYTES);
    writeMessage(message, 0, seq);
    ports[seq % ports.length]!.postMessage(message);
  }
}

/**
 * The receiving end of MessagePorts, as such code is written: a "message"
 * listener on each port, which checks each message. Listens from its
 * making to close(); `receive` resolves once the next `messages` messages
 * arrived (a round's messages are sent only after its receive began: the
 * workers meet at the round's barrier first).
 */
export class PortReceiver {
  readonly #ports: readonly MessagePort[];
  #left = 0;
  #wrong = 0;
  #settle: ((error?: Error) => void) | undefined;

  constructor(ports: readonly MessagePort[]) {
    this.#ports = ports;
    for (const port of ports) port.on("message", (message: Uint8Array) => this.#take(message));
  }

  receive(messages: number): Promise<void> {
    this.#left = messages;
    this.#wrong = 0;
    return new Promise((resolve, reject) => {
      this.#settle = (error) => (error ? reject(error) : resolve());
    });
  }

  close(): void {
    for (const port of this.#ports) port.close();
  }

  #take(message: Uint8Array): void {
    if (!intact(message, 0)) this.#wrong++;
    if (--this.#left === 0) this.#settle!(this.#wrong === 0 ? undefined : damaged("messages", this.#wrong));
  }
}

/** One end of a ping-pong by postMessage: a MessagePort, or a Worker or parentPort (their own ports). */
export interface PostEnd {
  postMessage(value: unknown, transferList?: readonly ArrayBuffer[]): void;
  on(event: "message", listener: (value: Uint8Array | ArrayBuffer) => void): unknown;
}

/**
 * The pinger of a ping-pong by postMessage: posts a new 64-byte message (a
 * Uint8Array, copied; or an ArrayBuffer, transferred) and when it comes
 * back checks it, records the round trip in ns and posts the next.
 */
export class PostPinger {
  readonly #end: PostEnd;
  readonly #transfer: boolean;
  #samples: Float64Array = new Float64Array(0);
  #sent = 0;
  #start = 0;
  #settle: ((error?: Error) => void) | undefined;

  constructor(end: PostEnd, transfer: boolean) {
    this.#end = end;
    this.#transfer = transfer;
    end.on("message", (message) => this.#back(message));
  }

  run(samples: Float64Array): Promise<void> {
    this.#samples = samples;
    this.#sent = 0;
    const done = new Promise<void>((resolve, reject) => {
      this.#settle = (error) => (error ? reject(error) : resolve());
    });
    this.#send();
    return done;
  }

  #send(): void {
    this.#start = performance.now();
    if (this.#transfer) {
      const buffer = new ArrayBuffer(MESSAGE_BYTES);
      writeMessage(new Uint8Array(buffer), 0, this.#sent);
      this.#end.postMessage(buffer, [buffer]);
    } else {
      const message = new Uint8Array(MESSAGE_BYTES);
      writeMessage(message, 0, this.#sent);
      this.#end.postMessage(message);
    }
  }

  #back(message: Uint8Array | ArrayBuffer): void {
    const bytes = message instanceof ArrayBuffer ? new Uint8Array(message) : message;
    if (bytes[0] !== (this.#sent & 255) || !intact(bytes, 0)) {
      this.#settle!(new Error(`round trip ${this.#sent} came back as another message or damaged`));
      return;
    }
    this.#samples[this.#sent++] = (performance.now() - this.#start) * 1e6;
    if (this.#sent === this.#samples.length) this.#settle!();
    else this.#send();
  }
}

/** Posts `message` back where it came from: an ArrayBuffer transferred, a Uint8Array copied. */
export function echo(end: PostEnd, message: Uint8Array | ArrayBuffer): void {
  if (message instanceof ArrayBuffer) end.postMessage(message, [message]);
  else end.postMessage(message);
}

/** The ponger of the MessagePort ping-pong: checks each message and posts it back (copied again). */
export class PortPonger {
  readonly #port: MessagePort;
  #left = 0;
  #wrong = 0;
  #settle: ((error?: Error) => void) | undefined;

  constructor(port: MessagePort) {
    this.#port = port;
    port.on("message", (message: Uint8Array) => this.#echo(message));
  }

  run(roundTrips: number): Promise<void> {
    this.#left = roundTrips;
    this.#wrong = 0;
    return new Promise((resolve, reject) => {
      this.#settle = (error) => (error ? reject(error) : resolve());
    });
  }

  close(): void {
    this.#port.close();
  }

  #echo(message: Uint8Array): void {
    if (!intact(message, 0)) this.#wrong++;
    echo(this.#port, message);
    if (--this.#left === 0) this.#settle!(this.#wrong === 0 ? undefined : damaged("pings", this.#wrong));
  }
}
