// Field accessors: each reads and writes one field of a struct layout at
// any object's address, over the shared memory, allocating nothing (but the
// bigint or string it returns). One class per element type, so that every
// call site sees one class and each method's typed-array access one kind
// of array: the numeric and boolean ones are written out from templates
// (struct-accessor-classes.ts, by scripts/struct-accessors.mjs).
//
// Every view starts at the lowest address an object can have, so that one
// unsigned compare keeps an access both above the heap's own header and
// inside the view. The fast path of every access (index): the address is a
// number, its element index is inside the view and it is aligned to the
// field (and whole: `(at >>> s) << s === at`); anything else takes the
// slow path (FieldMemory.reach), which refreshes the views after growth or
// throws InvalidPointerError.
//
// Checked mode subclasses (checkedClass) run LiveObjectGuard.check first.

import { HeapCorruptError, InvalidArgumentError } from "./errors.js";
import { encodeUtf8, readUtf8 } from "./strings.js";
import { Accessor } from "./struct-accessor-base.js";
import {
  BoolAccessor,
  F32Field,
  F64Field,
  I8Field,
  I16Field,
  I32Field,
  I64Field,
  U8Field,
  U16Field,
  U32Field,
  U64Field,
} from "./struct-accessor-classes.js";
import type { FieldMemory, ViewHolder } from "./struct-memory.js";
import type { BigIntName, NumberName } from "./struct-types.js";
import { describe } from "./validate.js";
import type { WaitResult } from "./wait.js";

/** A field read and written as a number. */
export interface NumberField {
  /** Byte offset of the field in its outermost struct. */
  readonly offset: number;
  /** The field's value in the struct at `ptr`. */
  get(ptr: number): number;
  /** Writes the field (converted as a typed array converts: wrapped or rounded to the type). */
  set(ptr: number, value: number): void;
}

/** An integer field: plain and atomic access. Each atomic operation returns the value before it, as `Atomics` does. */
export interface IntegerField<V extends number | bigint = number> {
  /** Byte offset of the field in its outermost struct. */
  readonly offset: number;
  /** The field's value in the struct at `ptr` (a plain read). */
  get(ptr: number): V;
  /** Writes the field (a plain write). */
  set(ptr: number, value: V): void;
  /** Atomics.load of the field. */
  load(ptr: number): V;
  /** Atomics.store; returns the value stored. */
  store(ptr: number, value: V): V;
  /** Atomics.add. */
  add(ptr: number, value: V): V;
  /** Atomics.sub. */
  sub(ptr: number, value: V): V;
  /** Atomics.and. */
  and(ptr: number, value: V): V;
  /** Atomics.or. */
  or(ptr: number, value: V): V;
  /** Atomics.xor. */
  xor(ptr: number, value: V): V;
  /** Atomics.exchange. */
  exchange(ptr: number, value: V): V;
  /** Atomics.compareExchange: writes `replacement` if the field holds `expected`. */
  compareExchange(ptr: number, expected: V, replacement: V): V;
}

/** A 32- or 64-bit integer field, which threads can also wait on. */
export interface WaitableField<V extends number | bigint = number> extends IntegerField<V> {
  /** Blocks while the field holds `expected`, until notified or `timeoutMs` passed; throws CannotBlockError where the thread may not block. */
  wait(ptr: number, expected: V, timeoutMs?: number): WaitResult;
  /** The promise form of wait, for threads that may not block (a browser's main thread). */
  waitAsync(ptr: number, expected: V, timeoutMs?: number): Promise<WaitResult>;
  /** Wakes up to `count` threads waiting on the field (all by default); returns how many were woken. */
  notify(ptr: number, count?: number): number;
}

/** A boolean field. */
export interface BoolField {
  /** Byte offset of the field in its outermost struct. */
  readonly offset: number;
  /** The field's value in the struct at `ptr`. */
  get(ptr: number): boolean;
  /** Writes the field. */
  set(ptr: number, value: boolean): void;
}

/** A fixed-capacity UTF-8 string field. */
export interface Utf8Field {
  /** Byte offset of the field in its outermost struct. */
  readonly offset: number;
  /** Most bytes of UTF-8 the field holds. */
  readonly capacity: number;
  /** The string in the struct at `ptr` (malformed UTF-8 reads as U+FFFD). */
  get(ptr: number): string;
  /** Writes `value`; throws InvalidArgumentError when its UTF-8 is longer than the capacity (nothing is written then). */
  set(ptr: number, value: string): void;
}

type AccessorClass<A> = new (offset: number, memory: FieldMemory) => A;

/** `Base` with every access checked against the live object it lands in first (checked mode). */
export function checkedClass<A extends { index(ptr: number): number; readonly offset: number }>(
  Base: AccessorClass<A>,
  width: number,
): AccessorClass<A> {
  // biome-ignore lint/suspicious/noExplicitAny: a mixin over a generic base class.
  const Checked = class extends (Base as AccessorClass<any>) {
    index(ptr: number): number {
      (this.memory as FieldMemory).guard?.check(ptr, this.offset, width);
      return super.index(ptr);
    }
  };
  return Checked as AccessorClass<A>;
}

/** A UTF-8 string: a little-endian length prefix of 1, 2 or 4 bytes, then up to `capacity` bytes. */
class Utf8Accessor extends Accessor implements Utf8Field {
  readonly capacity: number;
  readonly #prefix: 1 | 2 | 4;
  #bytes!: Uint8Array;

  constructor(offset: number, memory: FieldMemory, capacity: number, prefix: 1 | 2 | 4) {
    super(offset, memory);
    this.capacity = capacity;
    this.#prefix = prefix;
  }
  attach(buffer: ArrayBufferLike): void {
    this.#bytes = new Uint8Array(buffer);
  }
  /** The byte address of the length prefix, the whole field checked. */
  index(ptr: number): number {
    this.memory.guard?.check(ptr, this.offset, this.#prefix + this.capacity);
    const at = this.memory.reach(ptr, this.offset, this.#prefix);
    this.memory.reach(ptr, this.offset + this.#prefix + this.capacity - 1, 1);
    return at;
  }
  #length(at: number): number {
    const b = this.#bytes;
    if (this.#prefix === 1) return b[at]!;
    if (this.#prefix === 2) return b[at]! | (b[at + 1]! << 8);
    return (b[at]! | (b[at + 1]! << 8) | (b[at + 2]! << 16) | (b[at + 3]! << 24)) >>> 0;
  }
  get(ptr: number): string {
    const at = this.index(ptr);
    const length = this.#length(at);
    if (length > this.capacity) {
      throw new HeapCorruptError([
        `the string field at ${ptr} + ${this.offset} says it holds ${length} bytes, more than its capacity of ${this.capacity}`,
      ]);
    }
    return readUtf8(this.memory.views, at + this.#prefix, length);
  }
  set(ptr: number, value: string): void {
    if (typeof value !== "string") throw new InvalidArgumentError("value", `expected a string, got ${describe(value)}`);
    const at = this.index(ptr);
    const encoded = encodeUtf8(value);
    if (encoded.length > this.capacity) {
      throw new InvalidArgumentError("value", `the string is ${encoded.length} bytes of UTF-8; the field holds at most ${this.capacity}`);
    }
    this.memory.views.write(at + this.#prefix, encoded);
    const b = this.#bytes;
    for (let i = 0; i < this.#prefix; i++) b[at + i] = (encoded.length >>> (8 * i)) & 0xff;
  }
}

// One class per element type (and per mode), each with methods of its own
// source (scripts/struct-accessors.mjs says why): engines then see one class,
// and one kind of typed array, at each access.
const CLASSES = {
  u8: U8Field,
  i8: I8Field,
  u16: U16Field,
  i16: I16Field,
  u32: U32Field,
  i32: I32Field,
  f32: F32Field,
  f64: F64Field,
  u64: U64Field,
  i64: I64Field,
  bool: BoolAccessor,
};
const CHECKED = Object.fromEntries(
  Object.entries(CLASSES).map(([name, Base]) => [
    name,
    checkedClass(Base as AccessorClass<{ index(ptr: number): number; offset: number }>, Base.width),
  ]),
) as unknown as typeof CLASSES;

/** The accessor of a scalar field at `offset`, over `memory`'s views. */
export function scalarAccessor(name: NumberName | BigIntName | "bool", offset: number, memory: FieldMemory, checked: boolean): ViewHolder {
  const Class = (checked ? CHECKED : CLASSES)[name] as AccessorClass<ViewHolder>;
  const accessor = new Class(offset, memory);
  memory.hold(accessor);
  return accessor;
}

/** The accessor of a utf8 field at `offset`. */
export function utf8Accessor(offset: number, memory: FieldMemory, capacity: number, prefix: 1 | 2 | 4): Utf8Field {
  const accessor = new Utf8Accessor(offset, memory, capacity, prefix);
  memory.hold(accessor);
  return accessor;
}
