// The typed array constructors heap.array() accepts, checked by identity (a
// caller's look-alike class could read outside the range it was given).

import { InvalidArgumentError } from "./errors.js";
import { describe } from "./validate.js";

const TYPES: readonly TypedArrayType[] = [
  Int8Array,
  Uint8Array,
  Uint8ClampedArray,
  Int16Array,
  Uint16Array,
  Int32Array,
  Uint32Array,
  Float32Array,
  Float64Array,
  BigInt64Array,
  BigUint64Array,
];

/** A typed array constructor: Int8Array ... Float64Array, BigInt64Array, BigUint64Array. */
export type TypedArrayType =
  | Int8ArrayConstructor
  | Uint8ArrayConstructor
  | Uint8ClampedArrayConstructor
  | Int16ArrayConstructor
  | Uint16ArrayConstructor
  | Int32ArrayConstructor
  | Uint32ArrayConstructor
  | Float32ArrayConstructor
  | Float64ArrayConstructor
  | BigInt64ArrayConstructor
  | BigUint64ArrayConstructor;

/** Bytes per element of `type`; throws for anything but one of the built-in typed array constructors. */
export function elementBytesOf(type: unknown): number {
  const index = TYPES.indexOf(type as TypedArrayType);
  if (index < 0) throw new InvalidArgumentError("type", `expected a typed array constructor such as Float64Array, got ${describe(type)}`);
  return TYPES[index]!.BYTES_PER_ELEMENT;
}
