// The struct field accessor classes, one per element type, written out
// from one template each (numbers, integers with atomics, waitable 32-bit
// integers, 64-bit bigints, booleans) into src/struct-accessor-classes.ts.
//
// Why written out: JavaScriptCore and SpiderMonkey keep one profile per
// function in the source, shared by every closure made from it. Classes
// made by one factory function (a class per element type over the same
// method source) therefore met every kind of typed array at each array
// access, and a struct's get and set ran 13 to 25 times slower than the
// same fields by hand there (V8 keeps its profiles per closure, so Node and
// Chromium did not show it). Each class here has methods of its own source.
//
// Why index() is two methods (the type test, then the bounds in
// numberIndex): SpiderMonkey inlines only methods of a few dozen bytes of
// bytecode, and index() as one method with both was just past that line.
// Each field access then cost a call, about 5 ns: a struct's get and set
// ran 9.6 times slower than the same fields by hand in Firefox 153, against
// 1.3 times split. Testing both bounds with `&` instead of `&&` also fits,
// but costs V8 and JavaScriptCore 10-20 %; the split costs them nothing.
//
//   node scripts/struct-accessors.mjs            write the file when it differs
//   node scripts/struct-accessors.mjs --check    write nothing; exit 1 if it differs

import { readFileSync, writeFileSync } from "node:fs";
import { fileURLToPath } from "node:url";

const ROOT = fileURLToPath(new URL("..", import.meta.url));
const FILE = "src/struct-accessor-classes.ts";

/** Each element type: its class, its typed array, log2 of its width, and its family. */
const TYPES = [
  { name: "u8", cls: "U8Field", array: "Uint8Array", shift: 0, family: "integer" },
  { name: "i8", cls: "I8Field", array: "Int8Array", shift: 0, family: "integer" },
  { name: "u16", cls: "U16Field", array: "Uint16Array", shift: 1, family: "integer" },
  { name: "i16", cls: "I16Field", array: "Int16Array", shift: 1, family: "integer" },
  { name: "u32", cls: "U32Field", array: "Uint32Array", shift: 2, family: "waitable" },
  { name: "i32", cls: "I32Field", array: "Int32Array", shift: 2, family: "waitable" },
  { name: "f32", cls: "F32Field", array: "Float32Array", shift: 2, family: "number" },
  { name: "f64", cls: "F64Field", array: "Float64Array", shift: 3, family: "number" },
  { name: "u64", cls: "U64Field", array: "BigUint64Array", shift: 3, family: "bigint", wrap: "asUintN" },
  { name: "i64", cls: "I64Field", array: "BigInt64Array", shift: 3, family: "bigint", wrap: "asIntN" },
  { name: "bool", cls: "BoolAccessor", array: "Uint8Array", shift: 0, family: "bool" },
];

const ATOMICS = ["store", "add", "sub", "and", "or", "xor", "exchange"];

function common(t) {
  const width = 1 << t.shift;
  return `  view!: ${t.array};
  /** The view's length in elements. */
  length!: number;
  /** The field's offset less the view's start. */
  shifted = this.offset - LOWEST_OBJECT;
  attach(buffer: ArrayBufferLike): void {
    this.view = new ${t.array}(buffer, LOWEST_OBJECT);
    this.length = this.view.length;${t.family === "waitable" ? "\n    this.waitView = new Int32Array(buffer, LOWEST_OBJECT);" : ""}${t.family === "bigint" ? "\n    this.waitView = new BigInt64Array(buffer, LOWEST_OBJECT);" : ""}
  }
  // Two steps, for SpiderMonkey: see the head of scripts/struct-accessors.mjs.
  index(ptr: number): number {
    return typeof ptr === "number" ? this.numberIndex(ptr) : this.reachIndex(ptr);
  }
  /** @internal index() for a number. */
  numberIndex(ptr: number): number {
    const at = ptr + this.shifted;
    const index = at >>> ${t.shift};
    if (index < this.length && index << ${t.shift} === at) return index;
    return this.reachIndex(ptr);
  }
  /** The slow path of index, apart so that index stays small enough for every engine to inline. */
  reachIndex(ptr: number): number {
    return (this.memory.reach(ptr, this.offset, ${width}) - LOWEST_OBJECT) / ${width};
  }`;
}

function numberMethods() {
  return `
  // The index first: a slow path that refreshes the views after growth must come before \`this.view\` is read.
  get(ptr: number): number {
    const index = this.index(ptr);
    return this.view[index]!;
  }
  set(ptr: number, value: number): void {
    const index = this.index(ptr);
    this.view[index] = typeof value === "number" ? value : numberValue(value);
  }`;
}

function atomicMethods(type, value) {
  const ops = ATOMICS.map(
    (op) => `
  ${op}(ptr: number, value: ${type}): ${type} {
    const index = this.index(ptr);
    return Atomics.${op}(this.view, index, ${value}(value));
  }`,
  ).join("");
  return `
  load(ptr: number): ${type} {
    const index = this.index(ptr);
    return Atomics.load(this.view, index);
  }${ops}
  compareExchange(ptr: number, expected: ${type}, replacement: ${type}): ${type} {
    const index = this.index(ptr);
    return Atomics.compareExchange(this.view, index, ${value}(expected), ${value}(replacement));
  }`;
}

function waitMethods(type, expected) {
  return `
  wait(ptr: number, expected: ${type}, timeoutMs = Number.POSITIVE_INFINITY): WaitResult {
    const index = this.index(ptr);
    return waitBlocking(this.waitView, index, ${expected}, timeout(timeoutMs));
  }
  waitAsync(ptr: number, expected: ${type}, timeoutMs = Number.POSITIVE_INFINITY): Promise<WaitResult> {
    const index = this.index(ptr);
    return waitWithPromise(this.waitView, index, ${expected}, timeout(timeoutMs));
  }
  notify(ptr: number, count = Number.POSITIVE_INFINITY): number {
    const index = this.index(ptr);
    return Atomics.notify(this.waitView${type === "bigint" ? " as unknown as Int32Array" : ""}, index, count);
  }`;
}

function classOf(t) {
  const lines = [
    `/** A ${t.name} field. */`,
    `export class ${t.cls} extends Accessor {`,
    `  /** Bytes of the field. */`,
    `  static readonly width = ${1 << t.shift};`,
  ];
  if (t.family === "waitable") lines.push("  waitView!: Int32Array;");
  if (t.family === "bigint") lines.push("  waitView!: BigInt64Array;");
  lines.push(common(t));
  if (t.family === "bool") {
    lines.push(`
  /** One byte, 0 or 1 (any other byte reads true). */
  get(ptr: number): boolean {
    const index = this.index(ptr);
    return this.view[index] !== 0;
  }
  set(ptr: number, value: boolean): void {
    if (typeof value !== "boolean") throw new InvalidArgumentError("value", \`expected a boolean, got \${describe(value)}\`);
    const index = this.index(ptr);
    this.view[index] = value ? 1 : 0;
  }`);
  } else if (t.family === "bigint") {
    lines.push(`
  get(ptr: number): bigint {
    const index = this.index(ptr);
    return this.view[index]!;
  }
  set(ptr: number, value: bigint): void {
    const index = this.index(ptr);
    this.view[index] = bigIntValue(value);
  }`);
    lines.push(atomicMethods("bigint", "bigIntValue"));
    lines.push(waitMethods("bigint", `BigInt.asIntN(64, BigInt.${t.wrap}(64, bigIntValue(expected)))`));
  } else {
    lines.push(numberMethods());
    if (t.family !== "number") lines.push(atomicMethods("number", "numberValue"));
    if (t.family === "waitable") lines.push(waitMethods("number", "numberValue(expected) | 0"));
  }
  lines.push("}");
  return lines.join("\n");
}

/** The file as the templates make it. */
export function made() {
  return `// Generated by scripts/struct-accessors.mjs, which says why each element
// type has a class of its own: do not edit. The accessor classes of the
// numeric and boolean struct fields (struct-fields.ts puts them in its table).

import { InvalidArgumentError } from "./errors.js";
import { Accessor, bigIntValue, numberValue, timeout } from "./struct-accessor-base.js";
import { LOWEST_OBJECT } from "./struct-memory.js";
import { describe } from "./validate.js";
import { type WaitResult, waitBlocking, waitWithPromise } from "./wait.js";

${TYPES.map(classOf).join("\n\n")}
`;
}

/** The file as it is. */
export function current() {
  return readFileSync(`${ROOT}${FILE}`, "utf8");
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  const stale = (() => {
    try {
      return current() !== made();
    } catch {
      return true;
    }
  })();
  if (process.argv.includes("--check")) {
    if (stale) console.error(`${FILE} is not what scripts/struct-accessors.mjs makes: run npm run build`);
    process.exit(stale ? 1 : 0);
  }
  if (stale) {
    writeFileSync(`${ROOT}${FILE}`, made());
    console.log(`scripts/struct-accessors.mjs: wrote ${FILE}`);
  }
}
