// A struct layout bound to one heap's memory: a tree of field accessors
// (struct-fields.ts), each taking the address of the outermost struct, and
// object views built on them. Built once per bind; no access allocates.

import { InvalidArgumentError, InvalidPointerError } from "./errors.js";
import {
  type BoolField,
  type IntegerField,
  type NumberField,
  scalarAccessor,
  type Utf8Field,
  utf8Accessor,
  type WaitableField,
} from "./struct-fields.js";
import type { FieldMemory } from "./struct-memory.js";
import type {
  ArrayType,
  BigIntType,
  BoolType,
  ElementType,
  Fields,
  FieldType,
  NumberType,
  PointerType,
  StructType,
  Utf8Type,
} from "./struct-types.js";
import { describe } from "./validate.js";

/** A fixed-length array field of numbers, bigints or booleans. */
export interface ArrayField<V> {
  /** Byte offset of the array in its outermost struct. */
  readonly offset: number;
  /** How many elements. */
  readonly length: number;
  /** Element `index` (0 to length - 1; others throw InvalidArgumentError). */
  get(ptr: number, index: number): V;
  /** Writes element `index`. */
  set(ptr: number, index: number, value: V): void;
}

/** A fixed-length array field of structs. */
export interface StructArrayField<F extends Fields> {
  /** Byte offset of the array in its outermost struct. */
  readonly offset: number;
  /** How many elements. */
  readonly length: number;
  /** The address of element `index`, to use with the element layout's own bound accessors. */
  at(ptr: number, index: number): number;
  /** The accessors of element 0's fields; each takes the outer struct's address (`at` gives the others). */
  readonly element: StructFields<F>;
}

/** The accessor of one field, by its declared type. */
export type FieldAccessor<T> =
  T extends NumberType<infer N>
    ? N extends "u32" | "i32"
      ? WaitableField<number>
      : N extends "f32" | "f64"
        ? NumberField
        : IntegerField<number>
    : T extends BigIntType
      ? WaitableField<bigint>
      : T extends BoolType
        ? BoolField
        : T extends Utf8Type
          ? Utf8Field
          : T extends PointerType
            ? WaitableField<number>
            : T extends ArrayType<infer E>
              ? E extends StructType<infer G>
                ? StructArrayField<G>
                : ArrayField<ValueOf<E>>
              : T extends StructType<infer G>
                ? StructFields<G>
                : never;

/** The JS value of a field in an object view. */
export type ValueOf<T> = T extends NumberType
  ? number
  : T extends BigIntType
    ? bigint
    : T extends BoolType
      ? boolean
      : T extends Utf8Type
        ? string
        : T extends PointerType
          ? number
          : T extends ArrayType<infer E>
            ? E extends StructType<infer G>
              ? StructView<G>[]
              : E extends NumberType<"f32">
                ? Float32Array
                : E extends NumberType<"f64">
                  ? Float64Array
                  : E extends NumberType
                    ? ArrayLike<number> & Iterable<number>
                    : E extends BigIntType
                      ? ArrayLike<bigint> & Iterable<bigint>
                      : boolean[]
            : T extends StructType<infer G>
              ? StructView<G>
              : never;

/** An object whose properties read and write one struct in the shared memory. */
export type StructView<F extends Fields> = { -readonly [K in keyof F]: ValueOf<F[K]> };

/** The accessors of a struct's fields, and its object views. */
export type StructFields<F extends Fields> = { readonly [K in keyof F]: FieldAccessor<F[K]> } & {
  /** Byte offset of this struct in its outermost struct (0 at the top). */
  readonly offset: number;
  /** An object view of the struct at `ptr` (the outermost struct's address): one object per call. */
  view(ptr: number): StructView<F>;
};

/** Names a field may not have: the bound struct's own members. */
export const RESERVED_NAMES: ReadonlySet<string> = new Set(["offset", "view", "at", "layout", "createPool", "malloc", "mallocArray"]);

/** Throws InvalidArgumentError unless `index` is a whole number below `length` (any, without one). */
export function elementIndex(index: unknown, length = 2 ** 32): void {
  if (typeof index !== "number" || index >>> 0 !== index || index >= length) {
    const range = length === 2 ** 32 ? "0 or more" : `from 0 to ${length - 1}`;
    throw new InvalidArgumentError("index", `expected a whole number ${range}, got ${describe(index)}`);
  }
}

class ScalarArrayAccessor<V> implements ArrayField<V> {
  constructor(
    readonly offset: number,
    readonly length: number,
    readonly elementSize: number,
    /** An unchecked accessor of element 0; elements are reached by moving the address. */
    private readonly element: { get(ptr: number): V; set(ptr: number, value: V): void },
    private readonly memory: FieldMemory,
  ) {}
  #address(ptr: number, index: number): number {
    elementIndex(index, this.length);
    this.memory.guard?.check(ptr, this.offset + index * this.elementSize, this.elementSize);
    return ptr + index * this.elementSize;
  }
  get(ptr: number, index: number): V {
    return this.element.get(this.#address(ptr, index));
  }
  set(ptr: number, index: number, value: V): void {
    this.element.set(this.#address(ptr, index), value);
  }
}

class StructArrayAccessor<F extends Fields> implements StructArrayField<F> {
  constructor(
    readonly offset: number,
    readonly length: number,
    readonly elementSize: number,
    readonly element: StructFields<F>,
    private readonly memory: FieldMemory,
  ) {}
  at(ptr: number, index: number): number {
    elementIndex(index, this.length);
    if (typeof ptr !== "number" || ptr >>> 0 !== ptr) throw new InvalidPointerError(`expected an object's address, got ${describe(ptr)}`);
    const element = ptr + this.offset + index * this.elementSize;
    if (this.memory.guard) {
      this.memory.guard.check(ptr, this.offset + index * this.elementSize, this.elementSize);
      // Both the element's own address (for its layout's accessors) and the outer address moved by
      // `index` elements (for this.element's accessors, which add the array's offset) lie in `ptr`'s object.
      this.memory.guard.rememberElement(element, ptr);
      this.memory.guard.rememberElement(element - this.offset, ptr);
    }
    return element;
  }
}

/** Builds the accessors of `layout`'s fields, at `base` bytes into the outermost struct. */
export function bindFields<F extends Fields>(layout: StructType<F>, base: number, memory: FieldMemory): StructFields<F> {
  const fields: Record<string, unknown> = { offset: base };
  for (const { name, type, offset } of layout.fields) fields[name] = accessorFor(type, base + offset, memory, memory.guard !== null);
  const View = viewClass(layout, fields);
  fields.view = (ptr: number): StructView<F> => {
    if (typeof ptr !== "number" || ptr >>> 0 !== ptr) throw new InvalidPointerError(`expected an object's address, got ${describe(ptr)}`);
    return new View(ptr) as StructView<F>;
  };
  return Object.freeze(fields) as StructFields<F>;
}

function accessorFor(type: FieldType, offset: number, memory: FieldMemory, checked: boolean): unknown {
  switch (type.kind) {
    case "number":
    case "bigint":
    case "bool":
      return scalarAccessor(type.name, offset, memory, checked);
    case "pointer":
      return scalarAccessor("u32", offset, memory, checked);
    case "utf8":
      return utf8Accessor(offset, memory, type.capacity, type.prefix);
    case "array":
      return arrayAccessor(type, offset, memory);
    case "struct":
      return bindFields(type, offset, memory);
  }
}

function arrayAccessor(type: ArrayType<ElementType>, offset: number, memory: FieldMemory): unknown {
  const element = type.element;
  if (element.kind === "struct")
    return new StructArrayAccessor(offset, type.length, element.size, bindFields(element, offset, memory), memory);
  // Elements through an unchecked accessor: the array checks the element against the object it lies in.
  const accessor = scalarAccessor(element.name, offset, memory, false) as unknown as {
    get(ptr: number): unknown;
    set(ptr: number, value: unknown): void;
  };
  return new ScalarArrayAccessor(offset, type.length, element.size, accessor, memory);
}

type AnyAccessor = {
  get?(ptr: number, index?: number): unknown;
  set?(ptr: number, ...rest: unknown[]): void;
  view?(ptr: number): unknown;
  at?(ptr: number, index: number): number;
};

/** Typed array constructors of the number and bigint elements, for live array views. */
const ARRAY_VIEWS: Record<string, new (buffer: ArrayBufferLike, byteOffset: number, length: number) => ArrayLike<unknown>> = {
  u8: Uint8Array,
  i8: Int8Array,
  u16: Uint16Array,
  i16: Int16Array,
  u32: Uint32Array,
  i32: Int32Array,
  f32: Float32Array,
  f64: Float64Array,
  u64: BigUint64Array,
  i64: BigInt64Array,
};

/** A field's value as JSON can hold it: bigints as decimal strings, typed arrays as arrays. */
function jsonValue(value: unknown): unknown {
  if (typeof value === "bigint") return value.toString();
  if (ArrayBuffer.isView(value)) return Array.from(value as unknown as ArrayLike<unknown>, jsonValue);
  return value;
}

/** Where a view keeps its address: a symbol, so that no field name can hide it. */
const PTR = Symbol("ptr");
type Located = { [PTR]: number };

/** A class whose instances read and write the struct at their address, one property per field. */
function viewClass(layout: StructType, fields: Record<string, unknown>): new (ptr: number) => object {
  class View {
    [PTR]: number;
    constructor(ptr: number) {
      this[PTR] = ptr;
    }
  }
  for (const { name, type } of layout.fields) {
    const accessor = fields[name] as AnyAccessor;
    Object.defineProperty(View.prototype, name, { enumerable: true, ...viewProperty(type, accessor) });
  }
  // JSON.stringify and spreading see own properties only: toJSON gives every field's value.
  Object.defineProperty(View.prototype, "toJSON", {
    value(this: Record<string, unknown>) {
      return Object.fromEntries(layout.fields.map(({ name }) => [name, jsonValue(this[name])]));
    },
  });
  return View;
}

function viewProperty(type: FieldType, accessor: AnyAccessor): PropertyDescriptor {
  if (type.kind === "struct") {
    return {
      get(this: Located) {
        return accessor.view!(this[PTR]);
      },
    };
  }
  if (type.kind !== "array") {
    return {
      get(this: Located) {
        return accessor.get!(this[PTR]);
      },
      set(this: Located, value: unknown) {
        accessor.set!(this[PTR], value);
      },
    };
  }
  const element = type.element;
  const length = type.length;
  const read = (ptr: number): unknown => {
    if (element.kind === "struct") {
      const structs = accessor as unknown as StructArrayAccessor<Fields>;
      return Array.from({ length }, (_, i) => structs.element.view(structs.at(ptr, i) - structs.offset));
    }
    if (element.kind === "bool") return Array.from({ length }, (_, i) => accessor.get!(ptr, i));
    accessor.get!(ptr, length - 1); // checks the whole array lies in reach (and in a live object, when checked)
    const first = ptr + (accessor as unknown as ScalarArrayAccessor<unknown>).offset;
    const memory = (accessor as unknown as { memory: FieldMemory }).memory;
    return new ARRAY_VIEWS[element.name]!(memory.buffer, first, length);
  };
  return {
    get(this: Located) {
      return read(this[PTR]);
    },
    set(this: Located, values: unknown) {
      if (element.kind === "struct") throw new InvalidArgumentError("value", "an array of structs is written through its elements' views");
      const list = values as ArrayLike<unknown> | null | undefined;
      if (list === null || typeof list !== "object" || list.length !== length) {
        throw new InvalidArgumentError("value", `expected ${length} elements, got ${describe(values)}`);
      }
      for (let i = 0; i < length; i++) accessor.set!(this[PTR], i, list[i]);
    },
  };
}
