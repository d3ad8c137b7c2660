// A worker of the malloc model test (test/concurrency/malloc.test.ts): runs a program of
// malloc/realloc/free/give/take steps against its model of the blocks it
// holds. Every block is filled with a tag byte of its own; a block whose
// bytes changed while held proves that two live blocks overlapped (or that
// realloc lost bytes). Blocks cross to the other worker through a ring in a
// SharedArrayBuffer, and are freed there: cross-thread frees.

import { parentPort, workerData } from "node:worker_threads";
import { Heap } from "wasm-pools";
import { expectedUsable, type Held, type MallocReport, type MallocStep, type MallocTask, RING } from "./malloc-protocol.js";

const task = workerData as MallocTask;
const heap = await Heap.attach(task.handle);
const model = new Map<number, Held>();
let nextTag = 1 + task.workerNumber * 97;
const sharedWords = new Int32Array(task.rings);
const inbox = task.workerNumber;
const outbox = 1 - task.workerNumber;

function fail(step: number, what: string): never {
  throw new Error(`worker ${task.workerNumber}, step ${step}: ${what}`);
}

function tagOf(): number {
  nextTag = (nextTag % 255) + 1;
  return nextTag;
}

function expectTagged(step: number, held: Held, bytes: number): void {
  const view = heap.bytes(held.ptr, bytes);
  const bad = view.findIndex((byte) => byte !== held.tag);
  if (bad >= 0)
    fail(step, `block ${held.ptr} (${held.size} B, tag ${held.tag}) has byte ${view[bad]} at +${bad}: another block overlapped it`);
}

function expectUsable(step: number, ptr: number, size: number): void {
  const usable = heap.usableSize(ptr);
  const expected = expectedUsable(size);
  if (usable !== expected) fail(step, `usableSize(${ptr}) is ${usable} for a ${size}-byte request, not ${expected}`);
  if (ptr % 8 !== 0) fail(step, `${ptr} is not 8-aligned`);
}

function keep(step: number, ptr: number, size: number, tag: number): void {
  if (model.has(ptr)) fail(step, `${ptr} handed out while this worker holds it`);
  model.set(ptr, { ptr, size, tag });
}

/** The held block a step's `pick` names, or undefined when none is held. */
function picked(pick: number): Held | undefined {
  if (model.size === 0) return undefined;
  return [...model.values()][pick % model.size];
}

/** Ring `r`: word 0 counts pushes, word 1 counts pops, then RING entries of 3 words (ptr, size, tag). */
function push(held: Held): boolean {
  const base = outbox * (2 + RING * 3);
  const pushed = Atomics.load(sharedWords, base);
  if (pushed - Atomics.load(sharedWords, base + 1) >= RING) return false;
  const at = base + 2 + (pushed % RING) * 3;
  sharedWords[at] = held.ptr;
  sharedWords[at + 1] = held.size;
  sharedWords[at + 2] = held.tag;
  Atomics.store(sharedWords, base, pushed + 1);
  return true;
}

function pop(): Held | undefined {
  const base = inbox * (2 + RING * 3);
  const popped = Atomics.load(sharedWords, base + 1);
  if (popped === Atomics.load(sharedWords, base)) return undefined;
  const at = base + 2 + (popped % RING) * 3;
  const held = { ptr: sharedWords[at]! >>> 0, size: sharedWords[at + 1]!, tag: sharedWords[at + 2]! };
  Atomics.store(sharedWords, base + 1, popped + 1);
  return held;
}

function run(step: number, s: MallocStep): void {
  switch (s.kind) {
    case "malloc": {
      const ptr = heap.malloc(s.size);
      expectUsable(step, ptr, s.size);
      const tag = tagOf();
      heap.bytes(ptr, s.size).fill(tag);
      keep(step, ptr, s.size, tag);
      return;
    }
    case "realloc": {
      const held = picked(s.pick);
      if (!held) return;
      expectTagged(step, held, held.size);
      model.delete(held.ptr);
      const usableBefore = heap.usableSize(held.ptr);
      const ptr = heap.realloc(held.ptr, s.size);
      if (ptr === held.ptr && s.size > 8192) {
        // A large block kept in place (at least half used) keeps its size.
        const usable = heap.usableSize(ptr);
        if (usable !== usableBefore || usable < s.size || s.size < usable / 2) {
          fail(step, `realloc(${held.ptr}, ${s.size}) kept a block of ${usableBefore} bytes that now says ${usable}`);
        }
      } else expectUsable(step, ptr, s.size);
      expectTagged(step, { ...held, ptr }, Math.min(held.size, s.size));
      heap.bytes(ptr, s.size).fill(held.tag);
      keep(step, ptr, s.size, held.tag);
      return;
    }
    case "free": {
      const held = picked(s.pick);
      if (!held) return;
      expectTagged(step, held, held.size);
      model.delete(held.ptr);
      heap.free(held.ptr);
      return;
    }
    case "give": {
      const held = picked(s.pick);
      if (!held) return;
      expectTagged(step, held, held.size);
      if (push(held)) model.delete(held.ptr);
      return;
    }
    case "take": {
      const held = pop();
      if (held) {
        expectTagged(step, held, held.size);
        keep(step, held.ptr, held.size, held.tag);
      }
      return;
    }
  }
}

const report: MallocReport = { workerNumber: task.workerNumber, steps: 0, error: "" };
try {
  task.steps.forEach((s, step) => {
    run(step, s);
    report.steps++;
  });
  // Done: once the other worker is done too, nothing more arrives; free the rest.
  Atomics.add(sharedWords, 2 * (2 + RING * 3), 1);
  while (Atomics.load(sharedWords, 2 * (2 + RING * 3)) < 2) Atomics.wait(sharedWords, 2 * (2 + RING * 3), 1);
  Atomics.notify(sharedWords, 2 * (2 + RING * 3));
  for (let held = pop(); held; held = pop()) keep(-1, held.ptr, held.size, held.tag);
  for (const held of model.values()) {
    expectTagged(-1, held, held.size);
    heap.free(held.ptr);
  }
  heap.close();
} catch (error) {
  report.error = `${(error as Error).name}: ${(error as Error).message}`;
  // Let the other worker finish even so.
  Atomics.add(sharedWords, 2 * (2 + RING * 3), 2);
  Atomics.notify(sharedWords, 2 * (2 + RING * 3));
}
parentPort!.postMessage(report);
