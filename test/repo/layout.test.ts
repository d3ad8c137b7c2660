// One source for the layout: assembly/layout.ts. The build writes the
// wrapper's copies from the built module (scripts/layout.mjs): src/layout.ts
// and the literals of the JS hit path. These tests hold both to the module,
// and show the generator catching a stale literal.

import { readFile } from "node:fs/promises";
import { describe, expect, it } from "vitest";
import * as layout from "../../dist/layout.js";
import { declarationsOf, generated, HIT_PATH_LITERALS, hitPathNames, hitPathWith } from "../../scripts/layout.mjs";

const source = (file: string): Promise<string> => readFile(new URL(`../../${file}`, import.meta.url), "utf8");

async function coreGlobals(file: string): Promise<Record<string, unknown>> {
  const module = await WebAssembly.compile(await readFile(new URL(`../../dist/${file}`, import.meta.url)));
  const memory = new WebAssembly.Memory({ initial: 3, maximum: 3, shared: true });
  const instance = await WebAssembly.instantiate(module, { env: { memory } });
  return instance.exports as Record<string, unknown>;
}

describe("layout constants", () => {
  it("every constant of assembly/layout.ts is read, and the module exports no other global", async () => {
    const declared = declarationsOf(await source("assembly/layout.ts")).flatMap((d) => (d.name ? [d.name] : []));
    const exported = Object.entries(await coreGlobals("wasm-pools.wasm")).flatMap(([name, value]) =>
      value instanceof WebAssembly.Global ? [name] : [],
    );
    expect(new Set(declared)).toEqual(new Set(exported));
    expect(declared.length).toBeGreaterThan(200);
  });

  for (const file of ["wasm-pools.wasm", "wasm-pools.debug.wasm"]) {
    it(`src/layout.ts agrees with ${file}`, async () => {
      const exports = await coreGlobals(file);
      const mismatches = Object.entries(layout).flatMap(([name, value]) => {
        const global = exports[name];
        if (!(global instanceof WebAssembly.Global)) return [`${name}: not exported by the module`];
        // Globals of type i32 come back signed; the layout holds u32s and negative status codes.
        const core = global.value as number;
        return core === value || core >>> 0 === value ? [] : [`${name}: wrapper ${value}, module ${core}`];
      });
      expect(mismatches).toEqual([]);
    });
  }

  it("src/layout.ts and the hit path's literals are what the build makes of assembly/layout.ts", () => {
    const stale = generated()
      .filter((g) => g.now !== g.made)
      .map((g) => g.file);
    expect(stale).toEqual([]);
  });
});

describe("the JS hit path's literals", () => {
  it("src/cache-hit.ts uses every name of HIT_PATH_LITERALS, and only those", async () => {
    expect(hitPathNames(await source("src/cache-hit.ts"))).toEqual(new Set(Object.keys(HIT_PATH_LITERALS)));
  });

  it("a stale literal is rewritten to its value, and an unknown name is refused (negative control)", () => {
    const values = layout as unknown as Record<string, number>;
    const top = layout.H_BACKING_TOP / 4;
    expect(hitPathWith("words[7 /* TOP */] + (h & 1) /* FREE_OBJECT */", values)).toBe(
      `words[${top} /* TOP */] + (h & 3) /* FREE_OBJECT */`,
    );
    expect(() => hitPathWith("x + 4 /* NOT_A_NAME */", values)).toThrow(/NOT_A_NAME/);
  });
});
