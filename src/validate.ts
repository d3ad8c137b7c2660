// Argument checks at the JS boundary: cheap, and each failure names the
// argument. None of them runs the caller's code: no valueOf, toString,
// getter or Proxy trap (where the platform can tell a Proxy: see
// platform-checks.ts).

import { InvalidArgumentError, InvalidPointerError } from "./errors.js";
import { isPlatformGetter, isProxy } from "./platform-checks.js";

/** What plainValues records for a getter it did not call. */
const UNREAD_GETTER = Symbol("a getter");

const typedArrayPrototype = Object.getPrototypeOf(Uint8Array.prototype) as object;
/** %TypedArray%.prototype's own getters: they read the internal slots, never an own property a caller defined. */
const typedArrayName = Object.getOwnPropertyDescriptor(typedArrayPrototype, Symbol.toStringTag)!.get!;
const typedArrayLength = Object.getOwnPropertyDescriptor(typedArrayPrototype, "length")!.get!;

/** A value as error messages name it, without converting it. */
export function describe(value: unknown): string {
  if (typeof value === "string") return `the string ${JSON.stringify(value)}`;
  if (typeof value === "number" || typeof value === "boolean") return String(value);
  if (typeof value === "bigint") return `the BigInt ${value}n`;
  if (value === null) return "null";
  if (value === UNREAD_GETTER) return "a getter (not called)";
  if (typeof value === "symbol") return "a symbol";
  if (typeof value === "function") return "a function";
  if (typeof value !== "object") return typeof value;
  if (isProxy(value)) return "a Proxy";
  return isArray(value) ? "an array" : "an object";
}

/** Array.isArray, which throws on a revoked Proxy (where the platform cannot tell one): then false. */
function isArray(value: object): boolean {
  try {
    return Array.isArray(value);
  } catch {
    return false;
  }
}

/**
 * The string-keyed values of `value`, its own and inherited ones (up to
 * Object.prototype), copied without running its code: a getter that is not
 * the platform's own stands as UNREAD_GETTER, which every check rejects.
 * Undefined for a Proxy, or for one the platform could not tell whose traps
 * threw.
 */
export function plainValues(value: object): Record<string, unknown> | undefined {
  const values: Record<string, unknown> = Object.create(null);
  try {
    for (let o: object | null = value; o !== null && o !== Object.prototype; o = Object.getPrototypeOf(o) as object | null) {
      if (isProxy(o)) return undefined;
      for (const key of Object.getOwnPropertyNames(o)) {
        if (Object.hasOwn(values, key)) continue;
        const property = Object.getOwnPropertyDescriptor(o, key)!;
        if ("value" in property) values[key] = property.value;
        else values[key] = isPlatformGetter(property.get) ? property.get!.call(value) : UNREAD_GETTER;
      }
    }
  } catch {
    return undefined;
  }
  return values;
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

/** An options bag: undefined, or an object that is neither an array nor a Proxy; returns a copy of its values (see plainValues). */
export function optionsObject<T extends object>(argument: string, value: T | undefined): Partial<T> {
  if (value === undefined) return {};
  if (typeof value !== "object" || value === null || isProxy(value) || isArray(value)) {
    throw new InvalidArgumentError(argument, `expected an options object, got ${describe(value)}`);
  }
  const values = plainValues(value);
  if (!values) {
    throw new InvalidArgumentError(argument, "expected an options object, got one that cannot be read without running its code (a Proxy)");
  }
  return values as Partial<T>;
}

/** A Uint32Array, the real thing (a Proxy of one is not), and its length (not an own `length` a caller defined). */
export function uint32Array(argument: string, value: unknown): number {
  if (typedArrayName.call(value) !== "Uint32Array") {
    throw new InvalidArgumentError(argument, `expected a Uint32Array, got ${describe(value)}`);
  }
  return typedArrayLength.call(value) as number;
}

/** A pointer as the pools hand them out: a non-zero multiple of 8 below 2^32. */
export function pointer(argument: string, value: unknown): number {
  if (typeof value === "number" && value >>> 0 === value && value !== 0 && (value & 7) === 0) return value;
  integerIn(argument, value, 0, 2 ** 32 - 1);
  throw new InvalidPointerError(`${argument}: ${value as number} is not a pointer the pools hand out (non-zero, 8-aligned)`);
}
