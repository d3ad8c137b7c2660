// piscina and tinypool on one heap: tasks aborted while they allocate and
// free (each abort terminates the worker that ran it), then idle workers
// shrunk away (300 aborts per library in `npm run test:all`, 20 in `npm
// test`, each task's moment drawn from the run's seed). Every worker is reclaimed by the exit event in the thread
// that created the pool: no TooManyThreadsError though more workers come
// and go than the heap has thread slots, no thread slot and no cache left
// behind, exact accounting, and the only objects missing are those the
// killed tasks held, which each task published in a shared record. The
// test frees those by pointer from the main thread and destroys the pool.

import { fileURLToPath } from "node:url";
import type { Worker } from "node:worker_threads";
import { Piscina } from "piscina";
import Tinypool from "tinypool";
import { describe, expect, it } from "vitest";
import { Heap } from "wasm-pools";
import { handedOutObjects } from "../support/objects.js";
import { expectExactAccounting } from "../support/pool-workers.js";
import { EXHAUSTIVE, randomFor, replayHint } from "../support/sampling.js";
import { liveThreads, takenSlots, waitAsync } from "../support/thread-slots.js";
import {
  ALLOCATING,
  FREEING,
  HOLD,
  type PoolTask,
  type PoolTaskResult,
  RECORD_RUNNING,
  RECORD_SLOTS,
  RECORD_WORDS,
} from "../workers/pool-task.js";

const POOL_NAME = "work";
/** No other chunk of the heap is made for this size, so a walk of the chunks finds exactly this pool's objects. */
const OBJECT_SIZE = 48;
const MAX_THREADS = 2;
const ABORTS = EXHAUSTIVE ? 300 : 20;
/** The whole sweep takes a minute or two; the sample a few seconds. */
const TIMEOUT_MS = EXHAUSTIVE ? 300_000 : 60_000;

interface WorkerPool {
  run(task: PoolTask, signal?: AbortSignal): Promise<PoolTaskResult>;
  destroy(): Promise<void>;
}

type MakePool = (workerData: unknown) => WorkerPool;

const options = { minThreads: 0, maxThreads: MAX_THREADS, idleTimeout: 20 };

const LIBRARIES: [name: string, aborts: number, make: MakePool][] = [
  [
    "piscina",
    ABORTS,
    (workerData) => {
      const filename = fileURLToPath(new URL("../../build/test/workers/piscina-task.js", import.meta.url));
      const pool = new Piscina({ ...options, filename, workerData });
      return { run: (task, signal) => pool.run(task, { signal }), destroy: () => pool.destroy() };
    },
  ],
  [
    "tinypool",
    ABORTS,
    (workerData) => {
      const filename = fileURLToPath(new URL("../../build/test/workers/tinypool-task.js", import.meta.url));
      const pool = new Tinypool({ ...options, filename, workerData, runtime: "worker_threads" });
      return { run: (task, signal) => pool.run(task, { signal }), destroy: () => pool.destroy() };
    },
  ],
];

/** Every worker this thread starts from now on, by the exit it will make. */
function watchWorkers(): { exits: Promise<unknown>[]; stop: () => void } {
  const exits: Promise<unknown>[] = [];
  const listener = (worker: Worker): void => {
    exits.push(new Promise((resolve) => worker.once("exit", resolve)));
  };
  process.on("worker", listener);
  return { exits, stop: () => process.off("worker", listener) };
}

function newTask(round: number, iterations: number, random: () => number): PoolTask {
  return {
    poolName: POOL_NAME,
    record: new SharedArrayBuffer(RECORD_WORDS * 4),
    // Some tasks die while their code is still cold (more stopping points), some once it is hot.
    signalAfter: 1 + (random() % 5000),
    iterations,
    seed: round,
  };
}

/** Resolves once the task has run `signalAfter` iterations; rejects with the task's own error if it ends first. */
async function running(task: PoolTask, result: Promise<PoolTaskResult>): Promise<void> {
  const wait = waitAsync(new Int32Array(task.record, 0, 1), RECORD_RUNNING, 0);
  const ended = result.then(() => {
    throw new Error("the task ended by itself");
  });
  await Promise.race([wait.async ? wait.value : undefined, ended]);
}

/** What the killed tasks published: objects held, frees under way, allocs under way. */
function published(tasks: PoolTask[]): { held: Set<number>; freeing: Set<number>; allocating: number } {
  const held = new Set<number>();
  const freeing = new Set<number>();
  let allocating = 0;
  for (const task of tasks) {
    for (const value of new Uint32Array(task.record, RECORD_SLOTS * 4, HOLD)) {
      if (value === 0) continue;
      if (value === ALLOCATING) allocating++;
      else if ((value & FREEING) !== 0) freeing.add(value & ~FREEING);
      else held.add(value);
    }
  }
  return { held, freeing, allocating };
}

describe("worker pools on a heap", () => {
  for (const [library, aborts, make] of LIBRARIES) {
    it(
      `${library}: ${aborts} aborted tasks and idle shrinks leave no thread slot, no cache, and only the objects the killed tasks held`,
      async () => {
        const started = performance.now();
        const heap = await Heap.create({ maxBytes: 64 << 20 });
        const pool = heap.createPool(POOL_NAME, OBJECT_SIZE);
        const baseline = heap.stats().backingUsedBytes;
        const workers = watchWorkers();
        const random = randomFor(`worker pools, ${library}`);
        // The thread slots the workers took, seen while their tasks ran.
        const slotsSeen = new Set<number>();
        const workerPool = make({ handle: heap.handle() });
        try {
          // Aborts, MAX_THREADS tasks at a time: each abort terminates the worker running the task.
          const killed: PoolTask[] = [];
          for (let round = 0; round < aborts; round += MAX_THREADS) {
            const batch = Array.from({ length: MAX_THREADS }, (_, k) => {
              const task = newTask(round + k, 0, random);
              const controller = new AbortController();
              return { task, controller, result: workerPool.run(task, controller.signal) };
            });
            await Promise.all(batch.map(({ task, result }) => running(task, result)));
            for (const slot of takenSlots(heap)) slotsSeen.add(slot);
            for (const { controller } of batch) controller.abort();
            for (const { result } of batch) await expect(result).rejects.toMatchObject({ name: "AbortError" });
            killed.push(...batch.map(({ task }) => task));
          }
          // Tasks that finish, then workers that go idle and are shrunk away.
          const finished = await Promise.all(Array.from({ length: 6 }, (_, k) => workerPool.run(newTask(aborts + k, 20_000, random))));
          expect(finished.map((r) => r.iterations)).toEqual(Array(6).fill(20_000));
          await Promise.all(workers.exits);
          const workersStarted = workers.exits.length;
          expect(workersStarted).toBeGreaterThan(aborts);
          // Every attach found a reclaimed slot: a handful of slots served them all (test:all starts more workers than the heap has slots).
          expect(slotsSeen.size).toBeLessThanOrEqual(2 * MAX_THREADS + 2);

          // Every worker reclaimed: its thread slot free, its cache back in the pool.
          expect(liveThreads(heap)).toBe(1);
          expect(heap.stats().cachedBytes).toBe(0);
          expectExactAccounting(heap);

          // The objects still handed out are exactly those the killed tasks held.
          const { held, freeing, allocating } = published(killed);
          const out = handedOutObjects(heap, OBJECT_SIZE);
          expect(pool.stats().used).toBe(out.size);
          for (const ptr of held) expect(out.has(ptr), `published object ${ptr} is handed out`).toBe(true);
          const unfinishedFrees = [...freeing].filter((ptr) => out.has(ptr) && !held.has(ptr));
          const inFlight = [...out.keys()].filter((ptr) => !held.has(ptr) && !freeing.has(ptr));
          expect(inFlight.length, "objects held by no published slot (at most one per alloc under way)").toBeLessThanOrEqual(allocating);
          heap.gc();
          const bytesLeft = heap.stats().backingUsedBytes - baseline;
          expect(bytesLeft).toBe([...out.values()].reduce((sum, bytes) => sum + bytes, 0));

          // Any thread may free any object: the main thread gives back what the killed tasks held.
          for (const ptr of out.keys()) pool.free(ptr);
          expect(pool.stats().used).toBe(0);
          pool.destroy();
          heap.gc();
          expect(heap.stats().backingUsedBytes).toBe(baseline);
          heap.check();
          console.log(
            `${library}: ${killed.length} tasks aborted, ${workersStarted} workers started and reclaimed (1 thread slot left: the main thread); ` +
              `the killed tasks held ${held.size} published objects, ${unfinishedFrees.length} in a free under way, ${inFlight.length} in an alloc under way ` +
              `(${allocating} allocs under way): ${bytesLeft} bytes until freed; ${slotsSeen.size} thread slots served every worker; ` +
              `${((performance.now() - started) / 1000).toFixed(1)} s (${replayHint()})`,
          );
        } finally {
          workers.stop();
          await workerPool.destroy();
          heap.close();
        }
      },
      TIMEOUT_MS,
    );
  }
});
