// The wrapper's copy of the layout (src/layout.ts) must equal the module's:
// the module exports every constant of assembly/layout.ts as a global.

import { readFile } from "node:fs/promises";
import { describe, expect, it } from "vitest";
import * as layout from "../../dist/layout.js";

async function coreGlobals(file: string): Promise<Record<string, unknown>> {
  const module = await WebAssembly.compile(await readFile(new URL(`../../dist/${file}`, import.meta.url)));
  const memory = new WebAssembly.Memory({ initial: 3, maximum: 3, shared: true });
  const instance = await WebAssembly.instantiate(module, { env: { memory } });
  return instance.exports as Record<string, unknown>;
}

describe("layout constants", () => {
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
      expect(Object.keys(layout).length).toBeGreaterThan(30);
    });
  }
});

describe("the JS hit path's literals", () => {
  // src/cache-hit.ts writes the layout's numbers as literals, each followed by its name in a comment.
  const expected: Record<string, number> = {
    FIRST: layout.E_FIRST / 4,
    COUNT: layout.E_COUNT / 4,
    TOKEN: layout.E_TOKEN / 4,
    STAMP: layout.E_STAMP / 4,
    FLAGS: layout.E_FLAGS / 4,
    FRONT_COUNT: layout.E_FRONT_COUNT / 4,
    FRONT_CAPACITY: layout.E_FRONT_CAPACITY / 4,
    FRONT_FOLDED: layout.E_FRONT_FOLDED / 4,
    FRONT: layout.E_FRONT / 4,
    LIMIT_BYTES: layout.B_LIMIT_BYTES / 4,
    CACHED_BYTES: layout.B_CACHED_BYTES / 4,
    TOP: layout.H_BACKING_TOP / 4,
    LOWEST_OBJECT: layout.ARENA_START + layout.CHUNK_HEADER,
    FREE_OBJECT: layout.CHUNK_USED | layout.CHUNK_ON_FREE_LIST,
    LINKED_AND_USED: layout.ENTRY_LINKED | layout.ENTRY_USED,
    CHUNK_HEADER: layout.CHUNK_HEADER,
    CHUNK_USED: layout.CHUNK_USED,
    CHUNK_ON_FREE_LIST: layout.CHUNK_ON_FREE_LIST,
  };

  it("src/cache-hit.ts: every `N /* NAME */` literal equals NAME as src/layout.ts makes it, and every name is used", async () => {
    const source = await readFile(new URL("../../src/cache-hit.ts", import.meta.url), "utf8");
    // Biome moves a comment after a closing parenthesis: `(x & 3) /* FREE_OBJECT */`.
    const found = [...source.matchAll(/(\d+)\)? \/\* ([A-Z_]+) \*\//g)].map((m) => ({ value: Number(m[1]), name: m[2]! }));
    const wrong = found
      .filter((f) => expected[f.name] !== f.value)
      .map((f) => `${f.value} /* ${f.name} */: ${f.name} is ${expected[f.name]}`);
    expect(wrong).toEqual([]);
    expect(new Set(found.map((f) => f.name))).toEqual(new Set(Object.keys(expected)));
  });
});
