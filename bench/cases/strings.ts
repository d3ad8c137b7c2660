// Case 11: UTF-8 strings into and out of the shared memory. TextEncoder and
// TextDecoder refuse shared views in Chromium, so heap.writeString and
// heap.readString go through an unshared copy (src/strings.ts); this
// measures what the copy costs against encodeInto/decode on an unshared
// buffer, which is what they would cost without it.

import { Heap } from "wasm-pools";
import { keep, type SingleThreadCase } from "./measure.js";

export const STRINGS_GROUP = "11. UTF-8 strings in shared memory (40 characters)";
export const WRITE_STRING = "heap.writeString (encode, then copy in)";
export const READ_STRING = "heap.readString (copy out, then decode)";

const CALLS = 1000;
const TEXT = "wasm-pools: a record of forty characters";

const heap = await Heap.create();
const block = heap.malloc(256);
const encoder = new TextEncoder();
const decoder = new TextDecoder();
const unshared = new Uint8Array(256);
const length = heap.writeString(block, 256, TEXT);
encoder.encodeInto(TEXT, unshared);

function stringCase(name: string, run: () => number): SingleThreadCase {
  return {
    group: STRINGS_GROUP,
    name,
    operation: "one string of 40 ASCII characters written or read",
    perCall: CALLS,
    run: () => {
      let check = 0;
      for (let i = 0; i < CALLS; i++) check += run();
      keep(check);
    },
  };
}

export function stringCases(): SingleThreadCase[] {
  return [
    stringCase(WRITE_STRING, () => heap.writeString(block, 256, TEXT)),
    stringCase("TextEncoder.encodeInto, unshared buffer (no copy)", () => encoder.encodeInto(TEXT, unshared).written),
    stringCase(READ_STRING, () => heap.readString(block, length).length),
    stringCase("TextDecoder.decode, unshared buffer (no copy)", () => decoder.decode(unshared.subarray(0, length)).length),
  ];
}
