// The numeric struct field classes (src/struct-accessor-classes.ts) are
// written out by scripts/struct-accessors.mjs, one class with methods of its
// own source per element type: the committed file must be what the script
// makes, and every class must have its own methods and its own typed array.

import { describe, expect, it } from "vitest";
import * as classes from "../../dist/struct-accessor-classes.js";
import { current, made } from "../../scripts/struct-accessors.mjs";

describe("struct accessor classes", () => {
  it("src/struct-accessor-classes.ts is what scripts/struct-accessors.mjs makes", () => {
    expect(current()).toBe(made());
  });

  it("each of the 10 numeric types has a class whose methods are its own, over its own kind of typed array", () => {
    const all = Object.values(classes);
    expect(all).toHaveLength(10);
    for (const method of ["index", "get", "set", "attach"] as const) {
      expect(new Set(all.map((c) => c.prototype[method])).size, method).toBe(10);
    }
    const arrays = all.map((c) => /this\.view = new (\w+Array)\(buffer,/.exec(String(c.prototype.attach))?.[1]);
    expect(new Set(arrays).size).toBe(10);
  });
});
