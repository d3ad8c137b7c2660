// A stress worker. In each phase, until told to stop, it mixes at random:
// allocs from the phase's shared pools (random sizes) and blocks of
// heap.malloc (random sizes, a few large blocks), frees, hand-offs of
// objects to other workers through exchange slots (the receiver frees
// them), flush and gc, a private pool created and destroyed, and bursts
// from a pool that the main thread destroys and makes again meanwhile (an
// alloc may find it destroyed; a free of an object it gave never fails). Every object
// it owns carries its claim (../workers/claims.ts); a claim found
// changed is a double hand-out.

import { parentPort, workerData } from "node:worker_threads";
import { Heap, type Pool, PoolDestroyedError, PoolNotFoundError } from "wasm-pools";
import { xorshift32 } from "../support/xorshift.js";
import { Claims } from "../workers/claims.js";
import {
  EXCHANGE_SLOTS,
  emptyPhaseReport,
  MALLOC_INDEX,
  PHASE,
  type PhaseReport,
  packSlot,
  STOP,
  type StressCommand,
  type StressReply,
  type StressWorkerData,
  unpackSlot,
} from "./stress-protocol.js";

const data = workerData as StressWorkerData;
const heap = await Heap.attach(data.handle);
const control = new Int32Array(data.control);
const exchange = new BigInt64Array(data.exchange);
const port = parentPort!;
const HOLD = 256;

const next = xorshift32(data.seed ^ 0x9e3779b9);
const claims = new Claims(heap.memory, data.number);

interface Held {
  /** Its pool, or undefined for a block of heap.malloc. */
  pool: Pool | undefined;
  ptr: number;
  claim: number;
}

/** Allocates a burst from the churn pool, found by name, and frees it all through the same handle. */
function churnBurst(name: string, report: PhaseReport): void {
  let pool: Pool;
  try {
    pool = heap.pool(name);
  } catch (error) {
    if (error instanceof PoolNotFoundError) return; // between a destroy and the next create
    throw error;
  }
  const got: Array<{ ptr: number; claim: number }> = [];
  try {
    for (let i = 0, n = 1 + (next() % 32); i < n; i++) {
      const ptr = pool.alloc();
      got.push({ ptr, claim: claims.claim(ptr) });
    }
  } catch (error) {
    if (!(error instanceof PoolDestroyedError)) throw error;
    report.churnDestroyed++;
  }
  for (const { ptr, claim } of got) {
    if (!claims.release(ptr, claim)) continue;
    pool.free(ptr); // destroyed meanwhile or not, this must not throw
    report.churnObjects++;
  }
}

function phase(pools: Pool[], number: number, churn: string): PhaseReport {
  const report = emptyPhaseReport();
  const doublesBefore = claims.doubles;
  const held: Held[] = [];
  const indexOf = new Map<Pool, number>(pools.map((pool, index) => [pool, index]));
  const own = heap.createPool(`w${data.number}-p${number}`, 8 + (next() % 512));
  report.poolsCreated++;
  const ownHeld: number[] = [];

  /** Stops holding the object at `index` (the last one takes its place). */
  const removeAt = (index: number): Held => {
    const item = held[index]!;
    held[index] = held[held.length - 1]!;
    held.pop();
    return item;
  };
  const release = (index: number, cross: boolean): void => {
    const item = removeAt(index);
    if (!claims.release(item.ptr, item.claim)) return; // handed out twice: the other owner frees it
    if (item.pool) item.pool.free(item.ptr);
    else heap.free(item.ptr);
    report.frees++;
    if (cross) report.crossFrees++;
  };
  // Objects received from another worker: freeing one is a cross-thread free.
  const received = new Set<number>();

  while (Atomics.load(control, STOP) === 0) {
    for (let step = 0; step < 256; step++) {
      const r = next() % 1000;
      if (r < 320 && held.length < HOLD) {
        const pool = pools[next() % pools.length]!;
        const ptr = pool.tryAlloc();
        if (ptr === 0) report.refused++;
        else {
          held.push({ pool, ptr, claim: claims.claim(ptr) });
          report.allocs++;
        }
      } else if (r < 420 && held.length < HOLD) {
        // One block in 64 beyond the size classes (a large block).
        const bytes = next() % 64 === 0 ? 8193 + (next() % 32768) : next() % 2048;
        const ptr = heap.tryMalloc(bytes);
        if (ptr === 0) report.refused++;
        else {
          held.push({ pool: undefined, ptr, claim: claims.claim(ptr) });
          report.allocs++;
          report.mallocs++;
        }
      } else if (r < 800 && held.length > 0) {
        const index = next() % held.length;
        const cross = received.delete(held[index]!.ptr);
        release(index, cross);
      } else if (r < 950 && held.length > 0) {
        // Hand an object to whoever visits this slot next; free what was there.
        const item = removeAt(next() % held.length);
        received.delete(item.ptr);
        const slot = next() % EXCHANGE_SLOTS;
        const old = Atomics.exchange(exchange, slot, packSlot(item.claim, item.ptr, item.pool ? indexOf.get(item.pool)! : MALLOC_INDEX));
        if (old !== 0n) {
          const { claim: expected, ptr, poolIndex } = unpackSlot(old);
          const claim = claims.transfer(ptr, expected);
          if (claim !== 0) {
            held.push({ pool: poolIndex === MALLOC_INDEX ? undefined : pools[poolIndex]!, ptr, claim });
            received.add(ptr);
          }
        }
      } else if (r < 985) {
        if (ownHeld.length < 64 && (next() & 1) === 0) {
          const ptr = own.tryAlloc();
          if (ptr !== 0) ownHeld.push(ptr);
        } else if (ownHeld.length > 0) own.free(ownHeld.pop()!);
      } else if (r < 990) {
        churnBurst(churn, report);
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
  report.doubles = claims.doubles - doublesBefore;
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
        command.churn,
      ),
    });
  } catch (error) {
    reply({ type: "error", message: error instanceof Error ? (error.stack ?? error.message) : String(error) });
  }
});
reply({ type: "ready" });
