// The numeric struct field classes (src/struct-accessor-classes.ts) are
// written out by scripts/struct-accessors.mjs, one class with methods of its
// own source per element type: the committed file must be what the script
// makes, and every class must have its own methods and its own kind of typed array.

import { describe, expect, it } from "vitest";
import * as classes from "../../dist/struct-accessor-classes.js";
import { current, made } from "../../scripts/struct-accessors.mjs";

describe("struct accessor classes", () => {
  it("src/struct-accessor-classes.ts is what scripts/struct-accessors.mjs makes", () => {
    expect(current()).toBe(made());
  });

  it("each of the 11 numeric and boolean types has a class whose methods are its own, over its own kind of typed array", () => {
    const all = Object.values(classes);
    expect(all).toHaveLength(11);
    for (const method of ["index", "get", "set", "attach"] as const) {
      expect(new Set(all.map((c) => c.prototype[method])).size, method).toBe(11);
    }
    const arrayOf = Object.fromEntries(
      Object.entries(classes).map(([name, c]) => [name, /this\.view = new (\w+Array)\(buffer,/.exec(String(c.prototype.attach))?.[1]]),
    );
    expect(arrayOf).toEqual({
      U8Field: "Uint8Array",
      I8Field: "Int8Array",
      U16Field: "Uint16Array",
      I16Field: "Int16Array",
      U32Field: "Uint32Array",
      I32Field: "Int32Array",
      F32Field: "Float32Array",
      F64Field: "Float64Array",
      U64Field: "BigUint64Array",
      I64Field: "BigInt64Array",
      BoolAccessor: "Uint8Array",
    });
  });
});
