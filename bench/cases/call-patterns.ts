// Case 6: the alloc+free pair of 64-byte objects with the pool held the ways
// users hold it (#12), beside the Int32Array LIFO floor; main.ts adds the
// glibc pair. Each loop returns a checksum of the pointers it got, which the
// task keeps, so no pointer is dead; and no loop lets V8 treat the pool as a
// constant unless a real program written that way would let it too (case a).

import { Heap, type Pool } from "wasm-pools";
import { Int32Lifo } from "../baselines/int32-lifo.js";
import { FLOOR, PARAMETER_FLOOR } from "../names.js";
import { keep, type SingleThreadCase } from "./measure.js";

export const CALL_PATTERN_GROUP = "6. alloc+free pair, pool held as users hold it (64 B)";
export const MODULE_CONST = "(a) pool in a module-level const";
export const PARAMETER = "(b) pool as a function parameter";
export const CLASS_FIELD = "(c) pool in a class field";
export const PICKED = "(d) pool picked from an array of 3";

const PAIRS_PER_CALL = 1000;
const OBJECT = 64;

// A program that makes its pools at start-up: one heap, module-level consts.
const heap = await Heap.create();
const moduleConstPool = heap.createPool("module const", OBJECT);
const threePools: readonly Pool[] = [0, 1, 2].map((n) => heap.createPool(`pool ${n}`, OBJECT));
const floor = new Int32Lifo(OBJECT, 1);
const parameterFloors = [0, 1, 2].map(() => new Int32Lifo(OBJECT, 1));

/** (a) The loop reads the module-level const itself: V8 may treat the pool as a constant, as it may in any program written so. */
function pairsOnModuleConst(pairs: number): number {
  let check = 0;
  for (let i = 0; i < pairs; i++) {
    const ptr = moduleConstPool.alloc();
    check = (check + ptr) | 0;
    moduleConstPool.free(ptr);
  }
  return check;
}

/** (b) The pool is a parameter; the task passes each of three pools in turn, so over its life the loop gets different pools. */
function pairsOnParameter(pool: Pool, pairs: number): number {
  let check = 0;
  for (let i = 0; i < pairs; i++) {
    const ptr = pool.alloc();
    check = (check + ptr) | 0;
    pool.free(ptr);
  }
  return check;
}

/** (c) The pool is a field of the object whose method loops; the task calls three such objects, one per pool, in turn. */
class SessionStore {
  readonly pool: Pool;

  constructor(pool: Pool) {
    this.pool = pool;
  }

  churn(pairs: number): number {
    let check = 0;
    for (let i = 0; i < pairs; i++) {
      const ptr = this.pool.alloc();
      check = (check + ptr) | 0;
      this.pool.free(ptr);
    }
    return check;
  }
}
const stores = threePools.map((pool) => new SessionStore(pool));

/**
 * The kinds the (d) loop reads from its data, one per pair, as a program
 * that picks a pool by message type reads each message's: 0, 1, 2, 0, ...
 * over the three pools (1,024 of them, so once in 1,024 pairs a pool comes
 * twice). Computed as `i % pools.length` instead, the index cost a 32-bit
 * division per pair, about 3 ns in V8, which is no part of the allocator.
 */
const KINDS = Uint8Array.from({ length: 1024 }, (_, i) => i % threePools.length);

/** (d) One call site, the pool picked from an array by a kind read from the data, which changes at every pair. */
function pairsOnPickedPool(pools: readonly Pool[], kinds: Uint8Array, pairs: number): number {
  let check = 0;
  for (let i = 0; i < pairs; i++) {
    const pool = pools[kinds[i & (kinds.length - 1)]!]!;
    const ptr = pool.alloc();
    check = (check + ptr) | 0;
    pool.free(ptr);
  }
  return check;
}

/** The floor, written as (a): a module-level const stack. */
function pairsOnFloor(pairs: number): number {
  let check = 0;
  for (let i = 0; i < pairs; i++) {
    const ptr = floor.alloc();
    check = (check + ptr) | 0;
    floor.free(ptr);
  }
  return check;
}

/** The floor written as (b): the LIFO is a parameter, three of them passed in turn. */
function pairsOnParameterFloor(lifo: Int32Lifo, pairs: number): number {
  let check = 0;
  for (let i = 0; i < pairs; i++) {
    const ptr = lifo.alloc();
    check = (check + ptr) | 0;
    lifo.free(ptr);
  }
  return check;
}

function pairCase(name: string, run: () => void): SingleThreadCase {
  return { group: CALL_PATTERN_GROUP, name, operation: "one alloc and one free", perCall: PAIRS_PER_CALL, run };
}

export function callPatternCases(): SingleThreadCase[] {
  let turn = 0;
  const nextTurn = (): number => {
    turn = turn === 2 ? 0 : turn + 1;
    return turn;
  };
  return [
    pairCase(MODULE_CONST, () => {
      keep(pairsOnModuleConst(PAIRS_PER_CALL));
    }),
    pairCase(PARAMETER, () => {
      keep(pairsOnParameter(threePools[nextTurn()]!, PAIRS_PER_CALL));
    }),
    pairCase(CLASS_FIELD, () => {
      keep(stores[nextTurn()]!.churn(PAIRS_PER_CALL));
    }),
    pairCase(PICKED, () => {
      keep(pairsOnPickedPool(threePools, KINDS, PAIRS_PER_CALL));
    }),
    pairCase(FLOOR, () => {
      keep(pairsOnFloor(PAIRS_PER_CALL));
    }),
    pairCase(PARAMETER_FLOOR, () => {
      keep(pairsOnParameterFloor(parameterFloors[nextTurn()]!, PAIRS_PER_CALL));
    }),
  ];
}
