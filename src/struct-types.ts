// The field types a struct layout is declared with (struct-layout.ts): what
// each one is, its size and its alignment. Values only: no memory, no heap.
//
//   kind      size                          align     JS value
//   number    1, 2, 4 or 8 (u8 ... f64)     = size    number
//   bigint    8 (u64, i64)                  8         bigint
//   bool      1                             1         boolean
//   utf8      prefix + capacity             prefix    string (the prefix holds the byte length:
//             (prefix 1 byte up to 255, 2 up to 65,535, else 4)
//   array     length * element size         element's element values, by index
//   pointer   4                             4         number (an address, 0 for none)
//   struct    the nested layout's size      its align nested fields

import { InvalidArgumentError } from "./errors.js";
import { describe } from "./validate.js";

/** Names of the number fields; the integer ones have atomic operations. */
export type NumberName = "u8" | "i8" | "u16" | "i16" | "u32" | "i32" | "f32" | "f64";
/** Names of the 64-bit integer fields, read and written as bigint. */
export type BigIntName = "u64" | "i64";

/** A number field type (`types.u32`, ...). */
export interface NumberType<N extends NumberName = NumberName> {
  /** Which kind of field type this is. */
  readonly kind: "number";
  /** The type's name, as in `types`. */
  readonly name: N;
  /** Bytes the field takes. */
  readonly size: number;
  /** The field's alignment in bytes: its offset is a multiple of it. */
  readonly align: number;
}

/** A 64-bit integer field type (`types.u64`, `types.i64`). */
export interface BigIntType<N extends BigIntName = BigIntName> {
  /** Which kind of field type this is. */
  readonly kind: "bigint";
  /** The type's name, as in `types`. */
  readonly name: N;
  /** Bytes the field takes. */
  readonly size: 8;
  /** The field's alignment in bytes: its offset is a multiple of it. */
  readonly align: 8;
}

/** A boolean stored in one byte (`types.bool`). */
export interface BoolType {
  /** Which kind of field type this is. */
  readonly kind: "bool";
  /** The type's name, as in `types`. */
  readonly name: "bool";
  /** Bytes the field takes. */
  readonly size: 1;
  /** The field's alignment in bytes: its offset is a multiple of it. */
  readonly align: 1;
}

/** A UTF-8 string of at most `capacity` bytes (`types.utf8(capacity)`), its byte length in a prefix. */
export interface Utf8Type {
  /** Which kind of field type this is. */
  readonly kind: "utf8";
  /** Most bytes of UTF-8 the field holds. */
  readonly capacity: number;
  /** Bytes of the length prefix: 1, 2 or 4. */
  readonly prefix: 1 | 2 | 4;
  /** Bytes the field takes. */
  readonly size: number;
  /** The field's alignment in bytes: its offset is a multiple of it. */
  readonly align: number;
}

/** What an array field may hold: numbers, 64-bit integers, booleans or structs. */
export type ElementType = NumberType | BigIntType | BoolType | StructType;

/** A fixed-length array (`types.array(element, length)`). */
export interface ArrayType<E extends ElementType = ElementType> {
  /** Which kind of field type this is. */
  readonly kind: "array";
  /** The type of each element. */
  readonly element: E;
  /** How many elements. */
  readonly length: number;
  /** Bytes the field takes. */
  readonly size: number;
  /** The field's alignment in bytes: its offset is a multiple of it. */
  readonly align: number;
}

/** A 32-bit address of another object (`types.pointer(layout?)`), 0 for none. */
export interface PointerType<T extends StructType | undefined = StructType | undefined> {
  /** Which kind of field type this is. */
  readonly kind: "pointer";
  /** The layout it points to, when declared (documentation only: nothing checks it). */
  readonly target: T;
  /** Bytes the field takes. */
  readonly size: 4;
  /** The field's alignment in bytes: its offset is a multiple of it. */
  readonly align: 4;
}

/** A struct's fields as declared: each name with its type. */
export type Fields = { readonly [name: string]: FieldType };

/** One laid-out field: its name, type and byte offset in its struct. */
export interface PlacedField {
  /** The type's name, as in `types`. */
  readonly name: string;
  /** The field's type. */
  readonly type: FieldType;
  /** The field's byte offset in its struct. */
  readonly offset: number;
}

/** A struct layout (struct-layout.ts), which is also the type of a nested struct field. */
export interface StructType<F extends Fields = Fields> {
  /** Which kind of field type this is. */
  readonly kind: "struct";
  /** Bytes the field takes. */
  readonly size: number;
  /** The field's alignment in bytes: its offset is a multiple of it. */
  readonly align: number;
  /** The fields as declared. */
  readonly declaration: F;
  /** Each field's type and byte offset, in declaration order. */
  readonly fields: readonly PlacedField[];
}

/** Any field type: a type of `types` or a struct layout. */
export type FieldType = NumberType | BigIntType | BoolType | Utf8Type | ArrayType | PointerType | StructType;

function numberType<N extends NumberName>(name: N, size: number): NumberType<N> {
  return Object.freeze({ kind: "number", name, size, align: size });
}

function bigIntType<N extends BigIntName>(name: N): BigIntType<N> {
  return Object.freeze({ kind: "bigint", name, size: 8, align: 8 });
}

/** Whether `value` is one of the field types of this module or a struct layout. */
export function isFieldType(value: unknown): value is FieldType {
  if (typeof value !== "object" || value === null) return false;
  const kind = (value as { kind?: unknown }).kind;
  return (
    kind === "number" ||
    kind === "bigint" ||
    kind === "bool" ||
    kind === "utf8" ||
    kind === "array" ||
    kind === "pointer" ||
    kind === "struct"
  );
}

/** Largest capacity of a utf8 field, and of an array's length: 1 GiB, the largest block malloc serves. */
const MAX_BYTES = 1 << 30;

function utf8(capacity: number): Utf8Type {
  if (!Number.isInteger(capacity) || capacity < 1 || capacity > MAX_BYTES) {
    throw new InvalidArgumentError("capacity", `expected a whole number of bytes from 1 to ${MAX_BYTES}, got ${describe(capacity)}`);
  }
  const prefix = capacity <= 0xff ? 1 : capacity <= 0xffff ? 2 : 4;
  return Object.freeze({ kind: "utf8", capacity, prefix, size: prefix + capacity, align: prefix });
}

function array<E extends ElementType>(element: E, length: number): ArrayType<E> {
  const kind: string | undefined = isFieldType(element) ? element.kind : undefined;
  if (kind !== "number" && kind !== "bigint" && kind !== "bool" && kind !== "struct") {
    throw new InvalidArgumentError(
      "element",
      `expected a number, bigint, bool or struct type, got ${describe(element)} (for strings or nested arrays, declare a struct to hold them)`,
    );
  }
  if (!Number.isInteger(length) || length < 1 || length * element.size > MAX_BYTES) {
    throw new InvalidArgumentError(
      "length",
      `expected a whole number from 1 up to ${MAX_BYTES} bytes of elements, got ${describe(length)}`,
    );
  }
  return Object.freeze({ kind: "array", element, length, size: length * element.size, align: element.align });
}

function pointer<T extends StructType | undefined = undefined>(target?: T): PointerType<T> {
  if (target !== undefined && !(isFieldType(target) && target.kind === "struct")) {
    throw new InvalidArgumentError("target", `expected a struct layout or nothing, got ${describe(target)}`);
  }
  return Object.freeze({ kind: "pointer", target: target as T, size: 4, align: 4 });
}

/**
 * The field types of struct layouts.
 *
 * ```ts
 * const { u32, f64, utf8, array, f32 } = types;
 * const Point = struct({ x: f64, y: f64 });
 * const Shape = struct({ id: u32, name: utf8(23), corners: array(Point, 4), weights: array(f32, 4) });
 * ```
 */
export const types = Object.freeze({
  /** An unsigned 8-bit integer. */
  u8: numberType("u8", 1),
  /** An signed 8-bit integer. */
  i8: numberType("i8", 1),
  /** An unsigned 16-bit integer. */
  u16: numberType("u16", 2),
  /** An signed 16-bit integer. */
  i16: numberType("i16", 2),
  /** An unsigned 32-bit integer. */
  u32: numberType("u32", 4),
  /** An signed 32-bit integer. */
  i32: numberType("i32", 4),
  /** An 32-bit float. */
  f32: numberType("f32", 4),
  /** An 64-bit float. */
  f64: numberType("f64", 8),
  /** An unsigned 64-bit integer, as bigint. */
  u64: bigIntType("u64"),
  /** An signed 64-bit integer, as bigint. */
  i64: bigIntType("i64"),
  /** A boolean in one byte. */
  bool: Object.freeze({ kind: "bool", name: "bool", size: 1, align: 1 }) as BoolType,
  /** A UTF-8 string of up to `capacity` bytes; setting a longer one throws. */
  utf8,
  /** `length` elements of `element` (a number, bigint, bool or struct type). */
  array,
  /** The address of another object (a number; 0 for none), optionally naming the layout it points to. */
  pointer,
});
