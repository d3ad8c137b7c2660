// Case 7: three pools of 24, 256 and 2048 bytes used in turn, as code that
// builds one message of three parts does (#12): alloc A, alloc B, alloc C,
// free A, free B, free C. The pools are module-level consts, as in case 6
// (a), so that the ratio to (a) is the cost of the interleaving alone. The
// floor does the same over three Int32Array LIFOs; main.ts adds glibc doing
// the same with malloc. Figures are per pair (a round is three pairs).

import { Heap } from "wasm-pools";
import { Int32Lifo } from "../baselines/int32-lifo.js";
import { FLOOR } from "../names.js";
import { keep, type SingleThreadCase } from "./measure.js";

export const INTERLEAVED_GROUP = "7. three pools interleaved (24, 256, 2048 B)";
export const INTERLEAVED = "(e) wasm-pools, 3 pools in turn";

const ROUNDS_PER_CALL = 1000;
const SIZES = [24, 256, 2048] as const;

const heap = await Heap.create();
const small = heap.createPool("interleaved small", SIZES[0]);
const medium = heap.createPool("interleaved medium", SIZES[1]);
const large = heap.createPool("interleaved large", SIZES[2]);
const smallFloor = new Int32Lifo(SIZES[0], 1);
const mediumFloor = new Int32Lifo(SIZES[1], 1);
const largeFloor = new Int32Lifo(SIZES[2], 1);

function interleavedRounds(rounds: number): number {
  let check = 0;
  for (let i = 0; i < rounds; i++) {
    const a = small.alloc();
    const b = medium.alloc();
    const c = large.alloc();
    check = (check + a + b + c) | 0;
    small.free(a);
    medium.free(b);
    large.free(c);
  }
  return check;
}

function interleavedFloorRounds(rounds: number): number {
  let check = 0;
  for (let i = 0; i < rounds; i++) {
    const a = smallFloor.alloc();
    const b = mediumFloor.alloc();
    const c = largeFloor.alloc();
    check = (check + a + b + c) | 0;
    smallFloor.free(a);
    mediumFloor.free(b);
    largeFloor.free(c);
  }
  return check;
}

function interleavedCase(name: string, run: () => void): SingleThreadCase {
  return {
    group: INTERLEAVED_GROUP,
    name,
    operation: "one alloc and one free (a round of 3 pools is 3 pairs)",
    perCall: 3 * ROUNDS_PER_CALL,
    run,
  };
}

export function interleavedCases(): SingleThreadCase[] {
  return [
    interleavedCase(INTERLEAVED, () => {
      keep(interleavedRounds(ROUNDS_PER_CALL));
    }),
    interleavedCase(FLOOR, () => {
      keep(interleavedFloorRounds(ROUNDS_PER_CALL));
    }),
  ];
}
