// What every struct field accessor class shares: its offset and memory,
// and the checks of the values it is given. The numeric classes are in
// struct-accessor-classes.ts (generated), the others in struct-fields.ts.

import { InvalidArgumentError } from "./errors.js";
import type { FieldMemory, ViewHolder } from "./struct-memory.js";
import { describe } from "./validate.js";

/** The parts every accessor class shares: offset, width, the memory and the checked-mode hook. */
export abstract class Accessor implements ViewHolder {
  constructor(
    readonly offset: number,
    protected readonly memory: FieldMemory,
  ) {}
  abstract attach(buffer: ArrayBufferLike): void;
}

export function numberValue(value: unknown): number {
  if (typeof value !== "number") throw new InvalidArgumentError("value", `expected a number, got ${describe(value)}`);
  return value;
}

export function bigIntValue(value: unknown): bigint {
  if (typeof value !== "bigint") throw new InvalidArgumentError("value", `expected a bigint, got ${describe(value)}`);
  return value;
}

export function timeout(value: unknown): number {
  if (typeof value !== "number" || Number.isNaN(value) || value < 0) {
    throw new InvalidArgumentError("timeoutMs", `expected a number of milliseconds, 0 or more, got ${describe(value)}`);
  }
  return value;
}
