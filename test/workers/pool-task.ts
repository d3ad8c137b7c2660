// The task that worker-pool tests give piscina and tinypool: allocates and
// frees in a loop, holding a few objects, and publishes what it holds in a
// shared record so that the test knows exactly what a killed task took with
// it. Each library's entry module (piscina-task.ts, tinypool-task.ts)
// attaches to the heap once per worker thread and hands its Heap here.
//
// A slot of the record reads 0 (empty), a pointer (held), ALLOCATING (an
// alloc under way: at most one object in flight, not yet published) or
// pointer | FREEING (a free under way: the object may or may not be back).
// A pointer is stored right after alloc() returns, with no call in between,
// so an engine that stops threads only at loop heads and calls cannot stop
// the task between the two.

import type { Heap } from "wasm-pools";

export const HOLD = 8;
/** Int32 index of the word the task sets (and notifies) once it has run `signalAfter` iterations. */
export const RECORD_RUNNING = 0;
/** Uint32 index of the first of the HOLD slots. */
export const RECORD_SLOTS = 1;
export const RECORD_WORDS = RECORD_SLOTS + HOLD;
export const ALLOCATING = 1;
export const FREEING = 1;

export interface PoolTask {
  poolName: string;
  /** A SharedArrayBuffer of RECORD_WORDS words, one per task. */
  record: SharedArrayBuffer;
  /** Iterations after which the task says it is running. */
  signalAfter: number;
  /** Iterations to run before freeing everything and returning; 0 runs until the task is killed. */
  iterations: number;
  seed: number;
}

/** What a task that ran to its end returns. */
export interface PoolTaskResult {
  iterations: number;
  heapThreadId: number;
}

export function runPoolTask(heap: Heap, task: PoolTask): PoolTaskResult {
  const pool = heap.pool(task.poolName);
  const running = new Int32Array(task.record, 0, 1);
  const slots = new Uint32Array(task.record, RECORD_SLOTS * 4, HOLD);
  let state = task.seed | 0;
  let iteration = 0;
  while (task.iterations === 0 || iteration < task.iterations) {
    state = (Math.imul(state, 1103515245) + 12345) | 0;
    const slot = (state >>> 16) % HOLD;
    const held = slots[slot]!;
    if (held === 0) {
      Atomics.store(slots, slot, ALLOCATING);
      slots[slot] = pool.alloc();
    } else {
      Atomics.store(slots, slot, held | FREEING);
      pool.free(held);
      slots[slot] = 0;
    }
    if (++iteration === task.signalAfter) {
      Atomics.store(running, RECORD_RUNNING, 1);
      Atomics.notify(running, RECORD_RUNNING);
    }
  }
  for (let slot = 0; slot < HOLD; slot++) {
    const held = slots[slot]!;
    if (held !== 0) pool.free(held);
    slots[slot] = 0;
  }
  return { iterations: iteration, heapThreadId: heap.threadId };
}
