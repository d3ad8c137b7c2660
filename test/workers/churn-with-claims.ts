// The churn that the browser stress page and the conformance suite run in
// their workers: random allocs and frees of a shared pool with an ownership
// claim on every object held (a changed claim is a double hand-out), while
// big objects, spread over the run, make the memory grow; their contents are
// then checked through views made after the growth.

import type { Heap, Pool } from "../../dist/index.js";
import { xorshift32 } from "../support/xorshift.js";
import { Claims, Holding } from "./claims.js";

export interface ChurnTask {
  /** The worker's number: claims and fill bytes differ per worker. */
  number: number;
  operations: number;
  /** Big objects to allocate over the run, and their size. */
  bigObjects: number;
  bigSize: number;
  seed: number;
}

export interface ChurnResult {
  allocs: number;
  frees: number;
  /** Objects handed out twice (their claim was changed by another owner). */
  doubles: number;
  /** Big objects whose contents were not what this worker wrote. */
  badBigObjects: number;
}

export function churnWithClaims(heap: Heap, shared: Pool, big: Pool, task: ChurnTask): ChurnResult {
  const claims = new Claims(heap.memory, task.number);
  const held = new Holding(claims);
  const bigs: number[] = [];
  let allocs = 0;
  let frees = 0;
  const next = xorshift32(task.seed ^ (task.number * 7919 + 1));
  const release = (index: number): void => {
    const ptr = held.take(index);
    if (ptr === 0) return; // a double hand-out: the other owner frees it
    shared.free(ptr);
    frees++;
  };
  for (let i = 0; i < task.operations; i++) {
    if (held.size === 0 || (held.size < 64 && (next() & 1) === 0)) {
      held.add(shared.alloc());
      allocs++;
    } else release(next() % held.size);
    // Spread the big allocations over the run, so the memory grows while the others churn.
    if (bigs.length < task.bigObjects && i % 64 === 0) {
      const ptr = big.alloc();
      heap.bytes(ptr, task.bigSize).fill((task.number * 31 + bigs.length) & 0xff);
      bigs.push(ptr);
    }
  }
  while (held.size > 0) release(held.size - 1);
  let badBigObjects = 0;
  bigs.forEach((ptr, n) => {
    const expected = (task.number * 31 + n) & 0xff;
    if (!heap.bytes(ptr, task.bigSize).every((byte) => byte === expected)) badBigObjects++;
    big.free(ptr);
  });
  return { allocs, frees, doubles: claims.doubles, badBigObjects };
}
