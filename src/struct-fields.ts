// Field accessors: each reads and writes one field of a struct layout at
// any object's address, over the shared memory, allocating nothing (but the
// bigint or string it returns). One class per element type, so that every
// call site sees one class and each method's typed-array access one kind
// of array.
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
import { type FieldMemory, LOWEST_OBJECT, type ViewHolder } from "./struct-memory.js";
import type { BigIntName, NumberName } from "./struct-types.js";
import { describe } from "./validate.js";
import { type WaitResult, waitBlocking, waitWithPromise } from "./wait.js";

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

type AnyTypedArray =
  | Uint8Array
  | Int8Array
  | Uint16Array
  | Int16Array
  | Uint32Array
  | Int32Array
  | Float32Array
  | Float64Array
  | BigUint64Array
  | BigInt64Array;

/** The parts every accessor class shares: offset, width, the memory and the checked-mode hook. */
abstract class Accessor implements ViewHolder {
  constructor(
    readonly offset: number,
    protected readonly memory: FieldMemory,
  ) {}
  abstract attach(buffer: ArrayBufferLike): void;
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

function numberValue(value: unknown): number {
  if (typeof value !== "number") throw new InvalidArgumentError("value", `expected a number, got ${describe(value)}`);
  return value;
}

function bigIntValue(value: unknown): bigint {
  if (typeof value !== "bigint") throw new InvalidArgumentError("value", `expected a bigint, got ${describe(value)}`);
  return value;
}

/** A number field class over one kind of typed array, whose elements are 2^shift bytes. */
function numberFieldClass<T extends Exclude<AnyTypedArray, BigUint64Array | BigInt64Array>>(
  make: (buffer: ArrayBufferLike, byteOffset: number) => T,
  shift: number,
): AccessorClass<NumberField & ViewHolder & { index(ptr: number): number; view: T }> {
  return class extends Accessor {
    view!: T;
    /** The view's length in elements, and the field's offset less the view's start. */
    length!: number;
    shifted = this.offset - LOWEST_OBJECT;
    attach(buffer: ArrayBufferLike): void {
      this.view = make(buffer, LOWEST_OBJECT);
      this.length = this.view.length;
    }
    index(ptr: number): number {
      if (typeof ptr === "number") {
        const at = ptr + this.shifted;
        const index = at >>> shift;
        if (index < this.length && index << shift === at) return index;
      }
      return (this.memory.reach(ptr, this.offset, 1 << shift) - LOWEST_OBJECT) / (1 << shift);
    }
    // The index first: a slow path that refreshes the views after growth must come before `this.view` is read.
    get(ptr: number): number {
      const index = this.index(ptr);
      return this.view[index]!;
    }
    set(ptr: number, value: number): void {
      const index = this.index(ptr);
      this.view[index] = typeof value === "number" ? value : numberValue(value);
    }
  };
}

/** An integer field class: numberFieldClass plus the atomic operations, over a typed array `T`. */
function integerFieldClass<T extends Uint8Array | Int8Array | Uint16Array | Int16Array | Uint32Array | Int32Array>(
  make: (buffer: ArrayBufferLike, byteOffset: number) => T,
  shift: number,
): AccessorClass<IntegerField & ViewHolder & { index(ptr: number): number; view: T }> {
  const Base = numberFieldClass(make, shift);
  return class extends Base {
    load(ptr: number): number {
      const index = this.index(ptr);
      return Atomics.load(this.view, index);
    }
    store(ptr: number, value: number): number {
      const index = this.index(ptr);
      return Atomics.store(this.view, index, numberValue(value));
    }
    add(ptr: number, value: number): number {
      const index = this.index(ptr);
      return Atomics.add(this.view, index, numberValue(value));
    }
    sub(ptr: number, value: number): number {
      const index = this.index(ptr);
      return Atomics.sub(this.view, index, numberValue(value));
    }
    and(ptr: number, value: number): number {
      const index = this.index(ptr);
      return Atomics.and(this.view, index, numberValue(value));
    }
    or(ptr: number, value: number): number {
      const index = this.index(ptr);
      return Atomics.or(this.view, index, numberValue(value));
    }
    xor(ptr: number, value: number): number {
      const index = this.index(ptr);
      return Atomics.xor(this.view, index, numberValue(value));
    }
    exchange(ptr: number, value: number): number {
      const index = this.index(ptr);
      return Atomics.exchange(this.view, index, numberValue(value));
    }
    compareExchange(ptr: number, expected: number, replacement: number): number {
      const index = this.index(ptr);
      return Atomics.compareExchange(this.view, index, numberValue(expected), numberValue(replacement));
    }
  };
}

/** A 32-bit integer field class that threads can wait on (through an Int32Array view of the same words). */
function waitable32Class<T extends Uint32Array | Int32Array>(
  make: (buffer: ArrayBufferLike, byteOffset: number) => T,
): AccessorClass<WaitableField & { index(ptr: number): number }> {
  const Base = integerFieldClass(make, 2);
  return class extends Base {
    waitView!: Int32Array;
    override attach(buffer: ArrayBufferLike): void {
      super.attach(buffer);
      this.waitView = new Int32Array(buffer, LOWEST_OBJECT);
    }
    wait(ptr: number, expected: number, timeoutMs = Number.POSITIVE_INFINITY): WaitResult {
      const index = this.index(ptr);
      return waitBlocking(this.waitView, index, numberValue(expected) | 0, timeout(timeoutMs));
    }
    waitAsync(ptr: number, expected: number, timeoutMs = Number.POSITIVE_INFINITY): Promise<WaitResult> {
      const index = this.index(ptr);
      return waitWithPromise(this.waitView, index, numberValue(expected) | 0, timeout(timeoutMs));
    }
    notify(ptr: number, count = Number.POSITIVE_INFINITY): number {
      const index = this.index(ptr);
      return Atomics.notify(this.waitView, index, count);
    }
  };
}

function timeout(value: unknown): number {
  if (typeof value !== "number" || Number.isNaN(value) || value < 0) {
    throw new InvalidArgumentError("timeoutMs", `expected a number of milliseconds, 0 or more, got ${describe(value)}`);
  }
  return value;
}

/** A 64-bit integer field class (bigint values), atomics and waits included. */
function bigIntFieldClass<T extends BigUint64Array | BigInt64Array>(
  make: (buffer: ArrayBufferLike, byteOffset: number) => T,
  signed: boolean,
): AccessorClass<WaitableField<bigint> & { index(ptr: number): number }> {
  const wrap = (value: bigint): bigint => (signed ? BigInt.asIntN(64, value) : BigInt.asUintN(64, value));
  return class extends Accessor {
    view!: T;
    waitView!: BigInt64Array;
    length!: number;
    shifted = this.offset - LOWEST_OBJECT;
    attach(buffer: ArrayBufferLike): void {
      this.view = make(buffer, LOWEST_OBJECT);
      this.waitView = new BigInt64Array(buffer, LOWEST_OBJECT);
      this.length = this.view.length;
    }
    index(ptr: number): number {
      if (typeof ptr === "number") {
        const at = ptr + this.shifted;
        const index = at >>> 3;
        if (index < this.length && index << 3 === at) return index;
      }
      return (this.memory.reach(ptr, this.offset, 8) - LOWEST_OBJECT) / 8;
    }
    get(ptr: number): bigint {
      const index = this.index(ptr);
      return this.view[index]!;
    }
    set(ptr: number, value: bigint): void {
      const index = this.index(ptr);
      this.view[index] = bigIntValue(value);
    }
    load(ptr: number): bigint {
      const index = this.index(ptr);
      return Atomics.load(this.view, index);
    }
    store(ptr: number, value: bigint): bigint {
      const index = this.index(ptr);
      return Atomics.store(this.view, index, bigIntValue(value));
    }
    add(ptr: number, value: bigint): bigint {
      const index = this.index(ptr);
      return Atomics.add(this.view, index, bigIntValue(value));
    }
    sub(ptr: number, value: bigint): bigint {
      const index = this.index(ptr);
      return Atomics.sub(this.view, index, bigIntValue(value));
    }
    and(ptr: number, value: bigint): bigint {
      const index = this.index(ptr);
      return Atomics.and(this.view, index, bigIntValue(value));
    }
    or(ptr: number, value: bigint): bigint {
      const index = this.index(ptr);
      return Atomics.or(this.view, index, bigIntValue(value));
    }
    xor(ptr: number, value: bigint): bigint {
      const index = this.index(ptr);
      return Atomics.xor(this.view, index, bigIntValue(value));
    }
    exchange(ptr: number, value: bigint): bigint {
      const index = this.index(ptr);
      return Atomics.exchange(this.view, index, bigIntValue(value));
    }
    compareExchange(ptr: number, expected: bigint, replacement: bigint): bigint {
      const index = this.index(ptr);
      return Atomics.compareExchange(this.view, index, bigIntValue(expected), bigIntValue(replacement));
    }
    wait(ptr: number, expected: bigint, timeoutMs = Number.POSITIVE_INFINITY): WaitResult {
      const index = this.index(ptr);
      return waitBlocking(this.waitView, index, BigInt.asIntN(64, wrap(bigIntValue(expected))), timeout(timeoutMs));
    }
    waitAsync(ptr: number, expected: bigint, timeoutMs = Number.POSITIVE_INFINITY): Promise<WaitResult> {
      const index = this.index(ptr);
      return waitWithPromise(this.waitView, index, BigInt.asIntN(64, wrap(bigIntValue(expected))), timeout(timeoutMs));
    }
    notify(ptr: number, count = Number.POSITIVE_INFINITY): number {
      const index = this.index(ptr);
      return Atomics.notify(this.waitView as unknown as Int32Array, index, count);
    }
  };
}

/** A boolean: one byte, 0 or 1 (any other byte reads true). */
class BoolAccessor extends Accessor implements BoolField {
  view!: Uint8Array;
  length!: number;
  shifted = this.offset - LOWEST_OBJECT;
  attach(buffer: ArrayBufferLike): void {
    this.view = new Uint8Array(buffer, LOWEST_OBJECT);
    this.length = this.view.length;
  }
  index(ptr: number): number {
    if (typeof ptr === "number") {
      const at = ptr + this.shifted;
      if (at >>> 0 === at && at < this.length) return at;
    }
    return this.memory.reach(ptr, this.offset, 1) - LOWEST_OBJECT;
  }
  get(ptr: number): boolean {
    const index = this.index(ptr);
    return this.view[index] !== 0;
  }
  set(ptr: number, value: boolean): void {
    if (typeof value !== "boolean") throw new InvalidArgumentError("value", `expected a boolean, got ${describe(value)}`);
    const index = this.index(ptr);
    this.view[index] = value ? 1 : 0;
  }
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

// One class per element type (and per mode): engines then see one class at each call site.
const CLASSES = {
  u8: integerFieldClass((b, at) => new Uint8Array(b, at), 0),
  i8: integerFieldClass((b, at) => new Int8Array(b, at), 0),
  u16: integerFieldClass((b, at) => new Uint16Array(b, at), 1),
  i16: integerFieldClass((b, at) => new Int16Array(b, at), 1),
  u32: waitable32Class((b, at) => new Uint32Array(b, at)),
  i32: waitable32Class((b, at) => new Int32Array(b, at)),
  f32: numberFieldClass((b, at) => new Float32Array(b, at), 2),
  f64: numberFieldClass((b, at) => new Float64Array(b, at), 3),
  u64: bigIntFieldClass((b, at) => new BigUint64Array(b, at), false),
  i64: bigIntFieldClass((b, at) => new BigInt64Array(b, at), true),
  bool: BoolAccessor,
};
const SIZES: Record<keyof typeof CLASSES, number> = {
  u8: 1,
  i8: 1,
  u16: 2,
  i16: 2,
  u32: 4,
  i32: 4,
  f32: 4,
  f64: 8,
  u64: 8,
  i64: 8,
  bool: 1,
};
const CHECKED = Object.fromEntries(
  Object.entries(CLASSES).map(([name, Base]) => [
    name,
    checkedClass(Base as AccessorClass<{ index(ptr: number): number; offset: number }>, SIZES[name as keyof typeof CLASSES]),
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
