// Argument checks at the JS boundary: cheap, and each failure names the argument.

import { InvalidArgumentError, InvalidPointerError } from "./errors.js";

function describe(value: unknown): string {
  if (typeof value === "string") return `the string ${JSON.stringify(value)}`;
  if (typeof value === "number" || typeof value === "boolean") return String(value);
  if (typeof value === "bigint") return `the BigInt ${value}n`;
  if (value === null) return "null";
  if (typeof value === "symbol") return "a symbol";
  return typeof value === "object" ? "an object" : typeof value;
}

/** An integer in [min, max]. */
export function integerIn(argument: string, value: unknown, min: number, max: number): number {
  if (typeof value !== "number" || !Number.isInteger(value)) {
    throw new InvalidArgumentError(argument, `expected an integer, got ${describe(value)}`);
  }
  if (value < min || value > max) {
    throw new InvalidArgumentError(argument, `expected an integer from ${min} to ${max}, got ${value}`);
  }
  return value;
}

export function optionalIntegerIn(argument: string, value: unknown, min: number, max: number, fallback: number): number {
  return value === undefined ? fallback : integerIn(argument, value, min, max);
}

export function optionalBoolean(argument: string, value: unknown, fallback: boolean): boolean {
  if (value === undefined) return fallback;
  if (typeof value !== "boolean") throw new InvalidArgumentError(argument, `expected a boolean, got ${describe(value)}`);
  return value;
}

/** An options bag: undefined or a plain object. */
export function optionsObject<T extends object>(argument: string, value: T | undefined): Partial<T> {
  if (value === undefined) return {};
  if (typeof value !== "object" || value === null || Array.isArray(value)) {
    throw new InvalidArgumentError(argument, `expected an options object, got ${describe(value)}`);
  }
  return value;
}

/** A Uint32Array, the real thing: a Proxy of one passes instanceof but not ArrayBuffer.isView. */
export function uint32Array(argument: string, value: unknown): Uint32Array {
  if (!(value instanceof Uint32Array) || !ArrayBuffer.isView(value)) {
    throw new InvalidArgumentError(argument, `expected a Uint32Array, got ${describe(value)}`);
  }
  return value;
}

/** A pointer as the pools hand them out: a non-zero multiple of 8 below 2^32. */
export function pointer(argument: string, value: unknown): number {
  if (typeof value === "number" && value >>> 0 === value && value !== 0 && (value & 7) === 0) return value;
  integerIn(argument, value, 0, 2 ** 32 - 1);
  throw new InvalidPointerError(`${argument}: ${value as number} is not a pointer the pools hand out (non-zero, 8-aligned)`);
}
