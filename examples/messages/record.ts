// A log record laid out in one malloc'd block, JSON-free, so a pointer is
// all another thread needs to read it:
//
//   +0  u32 sequence number   +4  u32 level   +8  f64 time (ms)
//   +16 u32 text length (UTF-8 bytes)         +20 text bytes ...
//
// The block is as long as its text: 20 bytes plus the text, so records of
// any length come from heap.malloc's size classes.

import type { Heap } from "wasm-pools";

const TEXT = 20;

export interface LogRecord {
  sequence: number;
  level: number;
  time: number;
  text: string;
}

const encoder = new TextEncoder();

/** Writes `record` into a new block and returns its pointer. */
export function writeRecord(heap: Heap, record: LogRecord): number {
  const text = encoder.encode(record.text);
  const ptr = heap.malloc(TEXT + text.length);
  const fields = heap.dataView(ptr, TEXT);
  fields.setUint32(0, record.sequence, true);
  fields.setUint32(4, record.level, true);
  fields.setFloat64(8, record.time, true);
  fields.setUint32(16, text.length, true);
  heap.bytes(ptr + TEXT, text.length).set(text);
  return ptr;
}

/** Reads the record at `ptr` (the block stays allocated). */
export function readRecord(heap: Heap, ptr: number): LogRecord {
  const fields = heap.dataView(ptr, TEXT);
  return {
    sequence: fields.getUint32(0, true),
    level: fields.getUint32(4, true),
    time: fields.getFloat64(8, true),
    text: heap.readString(ptr + TEXT, fields.getUint32(16, true)),
  };
}
