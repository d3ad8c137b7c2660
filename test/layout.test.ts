// The wrapper's copy of the layout (src/layout.ts) must equal the module's:
// the module exports every constant of assembly/layout.ts as a global.

import { readFile } from "node:fs/promises";
import { describe, expect, it } from "vitest";
import * as layout from "../dist/layout.js";

async function coreGlobals(file: string): Promise<Record<string, unknown>> {
  const module = await WebAssembly.compile(await readFile(new URL(`../dist/${file}`, import.meta.url)));
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
