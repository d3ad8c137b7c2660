// Checks that keep the two sides of the ABI in step and the layers apart:
// no import circle in assembly/ or src/, the wrapper's list of core
// functions equal to the module's, and a fingerprint of every layout
// constant tied to ABI_VERSION (a layout change without a version bump
// fails here). Imports are read with a small scanner: madge and
// dependency-cruiser cannot parse AssemblyScript's function decorators
// (they report those files as having no imports).

import { createHash } from "node:crypto";
import { readdir, readFile } from "node:fs/promises";
import { describe, expect, it } from "vitest";
import { refusingCore } from "../dist/core-binding.js";

const ROOT = new URL("../", import.meta.url);

/** Each module of `dir` and the modules of `dir` it imports. */
async function importGraph(dir: string): Promise<Map<string, string[]>> {
  const files = (await readdir(new URL(dir, ROOT))).filter((file) => file.endsWith(".ts"));
  const graph = new Map<string, string[]>();
  for (const file of files) {
    const source = await readFile(new URL(`${dir}/${file}`, ROOT), "utf8");
    const targets = [...source.matchAll(/^\s*(?:import|export)\s[^;]*?from\s+"\.\/([\w-]+)(?:\.js)?";/gms)].map((m) => `${m[1]}.ts`);
    graph.set(file, [...new Set(targets)]);
  }
  return graph;
}

/** The first import circle found, as a path of modules, or undefined. */
function findCircle(graph: Map<string, string[]>): string[] | undefined {
  const state = new Map<string, "open" | "done">();
  const path: string[] = [];
  const visit = (node: string): string[] | undefined => {
    if (state.get(node) === "done") return undefined;
    if (state.get(node) === "open") return [...path.slice(path.indexOf(node)), node];
    state.set(node, "open");
    path.push(node);
    for (const next of graph.get(node) ?? []) {
      const circle = visit(next);
      if (circle) return circle;
    }
    path.pop();
    state.set(node, "done");
    return undefined;
  };
  for (const node of graph.keys()) {
    const circle = visit(node);
    if (circle) return circle;
  }
  return undefined;
}

async function coreModule(): Promise<WebAssembly.Module> {
  return WebAssembly.compile(await readFile(new URL("dist/wasm-pools.wasm", ROOT)));
}

describe("structure", () => {
  for (const dir of ["assembly", "src"]) {
    it(`${dir}/ has no import circle`, async () => {
      const graph = await importGraph(dir);
      expect(graph.size).toBeGreaterThan(10);
      expect([...graph.values()].flat().length).toBeGreaterThan(graph.size);
      expect(findCircle(graph)).toBeUndefined();
    });
  }

  it("the scanner finds a circle when there is one (negative control)", () => {
    const graph = new Map([
      ["a.ts", ["b.ts"]],
      ["b.ts", ["c.ts"]],
      ["c.ts", ["a.ts"]],
    ]);
    expect(findCircle(graph)).toEqual(["a.ts", "b.ts", "c.ts", "a.ts"]);
  });

  it("the wrapper's CoreExports names every function the module exports, and no other", async () => {
    const wrapper = Object.keys(refusingCore(() => new Error("unused"))).sort();
    const module = WebAssembly.Module.exports(await coreModule())
      .filter((e) => e.kind === "function")
      .map((e) => e.name)
      .sort();
    expect(wrapper).toEqual(module);
  });

  it("the layout's fingerprint is the one recorded for its ABI_VERSION (a layout change needs a version bump)", async () => {
    const memory = new WebAssembly.Memory({ initial: 3, maximum: 3, shared: true });
    const instance = await WebAssembly.instantiate(await coreModule(), { env: { memory } });
    const globals = Object.entries(instance.exports)
      .filter(([, value]) => value instanceof WebAssembly.Global)
      .map(([name, value]) => [name, Number((value as WebAssembly.Global).value)] as const)
      .sort(([a], [b]) => (a < b ? -1 : 1));
    const abi = globals.find(([name]) => name === "ABI_VERSION")![1];
    const fingerprint = createHash("sha256")
      .update(globals.map(([name, value]) => `${name}=${value}`).join("\n"))
      .digest("hex")
      .slice(0, 16);
    // One line per ABI: when the layout changes, bump ABI_VERSION (assembly/layout.ts and src/layout.ts) and add its line.
    const recorded: Record<number, string> = {
      6: "5665fac7a9661b42",
      7: "95b2c677bd2c8d60",
      8: "8f8c8e2be99fbbf3",
      9: "0be01dd7cd626a59",
      10: "f4616d86e84dca75",
      11: "7e0e685efde082ba",
    };
    expect({ abi, fingerprint }).toEqual({ abi, fingerprint: recorded[abi] });
  });
});
