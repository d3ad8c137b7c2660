// The stress run: workers hammer one heap in phases; after each phase the
// main thread collects what is still in flight and checks everything: no
// double hand-out, exact accounting per pool, heap.check(), memory within
// maxBytes. While a phase runs, the main thread destroys a pool the workers
// use by name whenever it may and makes it again with another size. Blocks
// of heap.malloc mix with the pools' objects everywhere. At the
// end, with every pool destroyed and every worker gone, the heap must hold
// no object (none was lost) and no destroyed pool may wait for one.

import { setTimeout as delay } from "node:timers/promises";
import { Worker } from "node:worker_threads";
import { Heap, type Pool, PoolInUseError } from "wasm-pools";
import { xorshift32 } from "../support/xorshift.js";
import {
  EXCHANGE_SLOTS,
  emptyPhaseReport,
  MALLOC_INDEX,
  MAX_PHASE_POOLS,
  PHASE,
  type PhaseReport,
  STOP,
  type StressCommand,
  type StressReply,
  type StressWorkerData,
  unpackSlot,
} from "./stress-protocol.js";

// Compiled, this file sits beside worker.js; run from source (vitest), it finds the compiled worker under build/.
const WORKER_SCRIPT = import.meta.url.endsWith(".ts")
  ? new URL("../../build/test/stress/stress-worker.js", import.meta.url)
  : new URL("./stress-worker.js", import.meta.url);
const MAX_BYTES = 256 << 20;
const PHASE_MS = 1000;

export interface StressOptions {
  workers: number;
  seconds: number;
  seed: number;
  /** Where progress lines go (default: nowhere). */
  log?: (line: string) => void;
}

export interface StressResult {
  passed: boolean;
  /** What went wrong, if anything. */
  failures: string[];
  phases: number;
  totals: PhaseReport & { operations: number };
}

function add(total: PhaseReport, report: PhaseReport): void {
  for (const key of Object.keys(total) as Array<keyof PhaseReport>) total[key] += report[key];
}

class StressWorker {
  readonly worker: Worker;
  readonly exited: Promise<number>;
  private readonly inbox: StressReply[] = [];
  private waiting: ((reply: StressReply) => void) | undefined;

  constructor(data: StressWorkerData) {
    this.worker = new Worker(WORKER_SCRIPT, { workerData: data });
    this.exited = new Promise((resolve) => this.worker.once("exit", resolve));
    this.worker.on("message", (reply: StressReply) => this.deliver(reply));
    this.worker.on("error", (error) => this.deliver({ type: "error", message: String(error) }));
  }

  private deliver(reply: StressReply): void {
    const waiting = this.waiting;
    this.waiting = undefined;
    if (waiting) waiting(reply);
    else this.inbox.push(reply);
  }

  next(): Promise<StressReply> {
    const queued = this.inbox.shift();
    return queued ? Promise.resolve(queued) : new Promise((resolve) => (this.waiting = resolve));
  }

  send(command: StressCommand): void {
    this.worker.postMessage(command);
  }
}

export async function runStress(options: StressOptions): Promise<StressResult> {
  const log = options.log ?? (() => {});
  const failures: string[] = [];
  const fail = (text: string): void => {
    failures.push(text);
    log(`  FAIL ${text}`);
  };
  const next = xorshift32(options.seed);

  const heap = await Heap.create({ maxBytes: MAX_BYTES });
  const baseline = heap.stats().backingUsedBytes;
  const control = new Int32Array(new SharedArrayBuffer(8));
  const exchange = new BigInt64Array(new SharedArrayBuffer(8 * EXCHANGE_SLOTS));
  const workers = Array.from(
    { length: options.workers },
    (_, number) =>
      new StressWorker({
        handle: heap.handle(),
        number,
        seed: options.seed * 7919 + number,
        control: control.buffer as SharedArrayBuffer,
        exchange: exchange.buffer as SharedArrayBuffer,
      }),
  );
  for (const w of workers) {
    const reply = await w.next();
    if (reply.type !== "ready") throw new Error(`a worker did not start: ${reply.type === "error" ? reply.message : reply.type}`);
  }

  const totals = emptyPhaseReport();
  const started = performance.now();
  let phase = 0;
  while (failures.length === 0 && performance.now() - started < options.seconds * 1000) {
    phase++;
    const count = 2 + (next() % (MAX_PHASE_POOLS - 1));
    const pools: Pool[] = Array.from({ length: count }, (_, i) =>
      heap.createPool(`phase${phase}-${i}`, 8 + (next() % 4096), { minAvail: next() % 8, limit: next() % 4 === 0 ? 200 : 0 }),
    );
    const churnName = `phase${phase}-churn`;
    let churn = heap.createPool(churnName, 8 + (next() % 2048));
    Atomics.store(control, STOP, 0);
    for (const w of workers) w.send({ type: "phase", phase, pools: pools.map((pool) => pool.name), churn: churnName });
    Atomics.store(control, PHASE, phase);
    Atomics.notify(control, PHASE);
    const phaseEnd = performance.now() + Math.min(PHASE_MS, Math.max(50, options.seconds * 1000 - (performance.now() - started)));
    let remade = 0;
    while (performance.now() < phaseEnd) {
      // Pacing, not synchronisation: the destroy below is refused while workers hold its objects.
      await delay(2);
      try {
        churn.destroy();
      } catch (error) {
        if (!(error instanceof PoolInUseError)) throw error;
        continue;
      }
      churn = heap.createPool(churnName, 8 + (next() % 2048));
      remade++;
    }
    Atomics.store(control, STOP, 1);
    pools.push(churn);
    const report = emptyPhaseReport();
    report.churnRemade = remade;
    for (const w of workers) {
      const reply = await w.next();
      if (reply.type === "phase-done") add(report, reply.report);
      else fail(`phase ${phase}: a worker failed: ${reply.type === "error" ? reply.message : reply.type}`);
    }
    // What is still in flight between workers: the main thread frees it (more cross-thread frees).
    for (let slot = 0; slot < EXCHANGE_SLOTS; slot++) {
      const packed = Atomics.exchange(exchange, slot, 0n);
      if (packed === 0n) continue;
      const { claim, ptr, poolIndex } = unpackSlot(packed);
      if (new Int32Array(heap.memory.buffer)[(ptr >>> 2) + 1] !== claim) report.doubles++;
      else {
        if (poolIndex === MALLOC_INDEX) heap.free(ptr);
        else pools[poolIndex]!.free(ptr);
        report.frees++;
        report.crossFrees++;
      }
    }
    if (report.doubles > 0) fail(`phase ${phase}: ${report.doubles} objects were handed out twice`);
    const mallocClasses = heap.pools().filter((pool) => pool.name.startsWith("malloc:"));
    const largeBlocks = heap.stats().largeBlocks;
    if (largeBlocks !== 0) fail(`phase ${phase}: ${largeBlocks} large blocks of malloc still out after every owner freed its own`);
    for (const pool of [...pools, ...mallocClasses]) {
      const stats = pool.stats();
      if (stats.used !== 0) fail(`phase ${phase}: pool ${pool.name} has ${stats.used} objects in use after every owner freed its own`);
      const freeList = pool.freeListLength();
      if (stats.allocated !== stats.cached + freeList) {
        fail(`phase ${phase}: pool ${pool.name}: allocated ${stats.allocated} != cached ${stats.cached} + free list ${freeList}`);
      }
    }
    try {
      heap.check();
    } catch (error) {
      fail(`phase ${phase}: ${(error as Error).message}`);
    }
    const memory = heap.stats().memoryBytes;
    if (memory > MAX_BYTES) fail(`phase ${phase}: memory ${memory} is over maxBytes ${MAX_BYTES}`);
    for (const pool of pools) {
      try {
        pool.destroy();
      } catch (error) {
        fail(`phase ${phase}: ${(error as Error).message}`);
      }
    }
    add(totals, report);
    const operations = report.allocs + report.frees;
    log(
      `phase ${phase}: ${count} pools, ${operations} operations (${report.mallocs} heap.malloc blocks, ${report.crossFrees} cross-thread frees, ${report.refused} refused), ` +
        `${report.flushes} flushes, ${report.gcs} gcs, ${report.poolsCreated} private pools, ` +
        `churn pool made again ${report.churnRemade} times (${report.churnObjects} objects, ${report.churnDestroyed} allocs found it destroyed), ` +
        `memory ${(memory / 2 ** 20).toFixed(1)} MiB`,
    );
  }

  for (const w of workers) w.send({ type: "end" });
  await Promise.all(workers.map((w) => w.exited));
  heap.gc();
  const left = heap.stats();
  // malloc's size classes live as long as the heap; gc gave their objects back.
  const live = left.pools.filter((pool) => !pool.name.startsWith("malloc:") || pool.allocated !== 0);
  if (live.length !== 0) fail(`${live.length} pools are still live (or, for malloc's classes, hold objects) at the end`);
  if (left.retiredPools !== 0) fail(`${left.retiredPools} destroyed pools still wait for ${left.retiredObjects} objects at the end`);
  if (left.backingUsedBytes !== baseline) {
    fail(`${left.backingUsedBytes - baseline} bytes are still held in chunks after every pool was destroyed: objects were lost`);
  }
  heap.check();
  heap.close();
  return { passed: failures.length === 0, failures, phases: phase, totals: { ...totals, operations: totals.allocs + totals.frees } };
}
