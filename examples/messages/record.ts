// A log record in one malloc'd block, a struct header followed by its text,
// so a pointer is all another thread needs to read it:
//
//   | sequence u32 | level u32 | time f64 | textLength u32 | (pad) | text (UTF-8) ... |
//   +0             +4          +8         +16              +20     +24 (Header.size)
//
// The block is as long as its text, so records of any length come from
// heap.malloc's size classes.

import { type Heap, struct, types } from "wasm-pools";

const Header = struct({ sequence: types.u32, level: types.u32, time: types.f64, textLength: types.u32 });

export interface LogRecord {
  sequence: number;
  level: number;
  time: number;
  text: string;
}

const encoder = new TextEncoder();

/** Reads and writes records in one heap, from one thread. */
export class Records {
  readonly #header;

  constructor(private readonly heap: Heap) {
    this.#header = Header.bind(heap);
  }

  /** Writes `record` into a new block and returns its pointer. */
  write(record: LogRecord): number {
    const text = encoder.encode(record.text);
    const ptr = this.heap.malloc(Header.size + text.length);
    const h = this.#header;
    h.sequence.set(ptr, record.sequence);
    h.level.set(ptr, record.level);
    h.time.set(ptr, record.time);
    h.textLength.set(ptr, text.length);
    this.heap.bytes(ptr + Header.size, text.length).set(text);
    return ptr;
  }

  /** Reads the record at `ptr` (the block stays allocated). */
  read(ptr: number): LogRecord {
    const h = this.#header;
    return {
      sequence: h.sequence.get(ptr),
      level: h.level.get(ptr),
      time: h.time.get(ptr),
      text: this.heap.readString(ptr + Header.size, h.textLength.get(ptr)),
    };
  }
}
