// UTF-8 strings in the shared memory. TextEncoder.encodeInto and
// TextDecoder.decode refuse views of shared memory in Chromium ("must not
// be shared"), so both go through an unshared copy: encode into a scratch
// buffer of this thread, then copy in; copy out, then decode.

import type { MemoryViews } from "./views.js";

const encoder = new TextEncoder();
const decoder = new TextDecoder();
/** This thread's unshared buffer for encoding; grows to the largest capacity asked for. */
let scratch = new Uint8Array(256);

/** Writes `text` as UTF-8 at [ptr, ptr + capacity): whole characters, as many as fit. Returns the bytes written. */
export function writeUtf8(views: MemoryViews, ptr: number, capacity: number, text: string): number {
  if (scratch.length < capacity) scratch = new Uint8Array(Math.max(capacity, scratch.length * 2));
  const { written } = encoder.encodeInto(text, scratch.subarray(0, capacity));
  views.write(ptr, scratch.subarray(0, written));
  return written;
}

/** The UTF-8 text at [ptr, ptr + length); malformed bytes read as U+FFFD. */
export function readUtf8(views: MemoryViews, ptr: number, length: number): string {
  return decoder.decode(views.copy(ptr, length));
}

/** `text` as UTF-8, in this thread's scratch buffer (valid until the next call). */
export function encodeUtf8(text: string): Uint8Array {
  // At most 3 bytes per UTF-16 unit.
  const capacity = text.length * 3;
  if (scratch.length < capacity) scratch = new Uint8Array(Math.max(capacity, scratch.length * 2));
  return scratch.subarray(0, encoder.encodeInto(text, scratch).written);
}
