// A stress worker. In each phase, until told to stop, it mixes at random:
// allocs from the phase's shared pools (random sizes), frees, hand-offs of
// objects to other workers through exchange slots (the receiver frees
// them), flush and gc, and a private pool created and destroyed. Every object
// it owns carries its claim, written with an atomic exchange; a claim found
// changed is a double hand-out.

import { parentPort, workerData } from "node:worker_threads";
import { Heap, type Pool } from "wasm-pools";
import {
  EXCHANGE_SLOTS,
  PHASE,
  type PhaseReport,
  packSlot,
  STOP,
  type StressCommand,
  type StressReply,
  type StressWorkerData,
  unpackSlot,
} from "./protocol.js";

const data = workerData as StressWorkerData;
const heap = await Heap.attach(data.handle);
const control = new Int32Array(data.control);
const exchange = new BigInt64Array(data.exchange);
const port = parentPort!;
const HOLD = 256;

let random = (data.seed ^ 0x9e3779b9) >>> 0 || 1;
function next(): number {
  random ^= random << 13;
  random ^= random >>> 17;
  random ^= random << 5;
  random >>>= 0;
  return random;
}

/** The object's claim word (its second u32: the first is the free-list link while free). */
let claims = new Int32Array(heap.memory.buffer);
function claimIndex(ptr: number): number {
  const index = (ptr >>> 2) + 1;
  if (index >= claims.length) {
    heap.memory.grow(0);
    claims = new Int32Array(heap.memory.buffer);
  }
  return index;
}
let nextClaim = ((data.number + 1) << 24) | 1;

interface Held {
  pool: Pool;
  ptr: number;
  claim: number;
}

function phase(pools: Pool[], number: number): PhaseReport {
  const report: PhaseReport = { allocs: 0, frees: 0, crossFrees: 0, refused: 0, flushes: 0, gcs: 0, poolsCreated: 0, doubles: 0 };
  const held: Held[] = [];
  const indexOf = new Map<Pool, number>(pools.map((pool, index) => [pool, index]));
  const own = heap.createPool(`w${data.number}-p${number}`, 8 + (next() % 512));
  report.poolsCreated++;
  const ownHeld: number[] = [];

  const claim = (pool: Pool, ptr: number): void => {
    const value = nextClaim++ | 0;
    const index = claimIndex(ptr); // first: it may replace the view
    Atomics.exchange(claims, index, value);
    held.push({ pool, ptr, claim: value });
  };
  const release = (index: number, cross: boolean): void => {
    const item = held[index]!;
    held[index] = held[held.length - 1]!;
    held.pop();
    const claimAt = claimIndex(item.ptr);
    if (Atomics.load(claims, claimAt) !== item.claim) {
      report.doubles++;
      return; // the other owner frees it
    }
    item.pool.free(item.ptr);
    report.frees++;
    if (cross) report.crossFrees++;
  };
  // Objects received from another worker: freeing one is a cross-thread free.
  const received = new Set<number>();

  while (Atomics.load(control, STOP) === 0) {
    for (let step = 0; step < 256; step++) {
      const r = next() % 1000;
      if (r < 420 && held.length < HOLD) {
        const pool = pools[next() % pools.length]!;
        const ptr = pool.tryAlloc();
        if (ptr === 0) report.refused++;
        else {
          claim(pool, ptr);
          report.allocs++;
        }
      } else if (r < 800 && held.length > 0) {
        const index = next() % held.length;
        const cross = received.delete(held[index]!.ptr);
        release(index, cross);
      } else if (r < 950 && held.length > 0) {
        // Hand an object to whoever visits this slot next; free what was there.
        const index = next() % held.length;
        const item = held[index]!;
        held[index] = held[held.length - 1]!;
        held.pop();
        received.delete(item.ptr);
        const slot = next() % EXCHANGE_SLOTS;
        const old = Atomics.exchange(exchange, slot, packSlot(item.claim, item.ptr, indexOf.get(item.pool)!));
        if (old !== 0n) {
          const { claim: expected, ptr, poolIndex } = unpackSlot(old);
          const value = nextClaim++ | 0;
          const claimAt = claimIndex(ptr);
          if (Atomics.compareExchange(claims, claimAt, expected, value) !== expected) report.doubles++;
          else {
            held.push({ pool: pools[poolIndex]!, ptr, claim: value });
            received.add(ptr);
          }
        }
      } else if (r < 990) {
        if (ownHeld.length < 64 && (next() & 1) === 0) {
          const ptr = own.tryAlloc();
          if (ptr !== 0) ownHeld.push(ptr);
        } else if (ownHeld.length > 0) own.free(ownHeld.pop()!);
      } else if (r < 995) {
        pools[next() % pools.length]!.flush();
        report.flushes++;
      } else {
        heap.gc();
        report.gcs++;
      }
    }
  }
  while (held.length > 0) release(held.length - 1, received.delete(held[held.length - 1]!.ptr));
  for (const ptr of ownHeld) own.free(ptr);
  own.destroy();
  return report;
}

const reply = (message: StressReply): void => port.postMessage(message);
port.on("message", (command: StressCommand) => {
  if (command.type === "end") {
    heap.close();
    port.close();
    return;
  }
  try {
    // Wait for every worker to be told before starting (the main thread raises PHASE).
    while (Atomics.load(control, PHASE) < command.phase) Atomics.wait(control, PHASE, command.phase - 1);
    reply({
      type: "phase-done",
      report: phase(
        command.pools.map((name) => heap.pool(name)),
        command.phase,
      ),
    });
  } catch (error) {
    reply({ type: "error", message: error instanceof Error ? (error.stack ?? error.message) : String(error) });
  }
});
reply({ type: "ready" });
