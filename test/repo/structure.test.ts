// Checks that keep the two sides of the ABI in step and the layers apart:
// no import circle in assembly/ or src/ (src/heap.ts on top), nor among test/, bench/ and
// examples/; tests import no benchmark code; no two helper files of test/
// or bench/ share a name; the wrapper's list of core functions equal to the
// module's, and a fingerprint of every layout constant tied to ABI_VERSION
// (a layout change without a version bump fails here). Imports are read
// with a small scanner: madge and dependency-cruiser cannot parse
// AssemblyScript's function decorators (they report those files as having
// no imports).

import { createHash } from "node:crypto";
import { readdir, readFile } from "node:fs/promises";
import { posix, relative, sep } from "node:path";
import { fileURLToPath } from "node:url";
import { describe, expect, it } from "vitest";
import { refusingCore } from "../../dist/core-binding.js";

const ROOT = new URL("../../", import.meta.url);

/** Every .ts file under `dir` (node_modules left out), as a path from the package's root. */
async function sourcesUnder(dir: string): Promise<string[]> {
  const entries = await readdir(new URL(dir, ROOT), { recursive: true, withFileTypes: true });
  return entries
    .filter((entry) => entry.isFile() && entry.name.endsWith(".ts"))
    .map((entry) => posix.join(relative(fileURLToPath(ROOT), entry.parentPath).split(sep).join("/"), entry.name))
    .filter((path) => !path.split("/").includes("node_modules"))
    .sort();
}

/** Each module of `dirs` and the modules of `dirs` it imports (imports, re-exports, side-effect imports and import()). */
async function importGraph(...dirs: string[]): Promise<Map<string, string[]>> {
  const files = (await Promise.all(dirs.map(sourcesUnder))).flat();
  const known = new Set(files);
  const graph = new Map<string, string[]>();
  for (const file of files) {
    const source = await readFile(new URL(file, ROOT), "utf8");
    const specifiers = [
      ...source.matchAll(/^\s*(?:import|export)\s[^;]*?from\s+"(\.\.?\/[^"]+)";/gms),
      ...source.matchAll(/\bimport\(\s*"(\.\.?\/[^"]+)"\s*\)/g),
      ...source.matchAll(/^\s*import\s+"(\.\.?\/[^"]+)";/gm),
    ].map((m) => m[1]!);
    const targets = specifiers
      .map((specifier) => posix.join(posix.dirname(file), specifier).replace(/\.js$/, ".ts"))
      .map((target) => (target.endsWith(".ts") ? target : `${target}.ts`))
      .filter((target) => known.has(target));
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
  for (const dirs of [["assembly"], ["src"], ["test", "bench", "examples"]]) {
    it(`${dirs.join("/, ")}/ ${dirs.length > 1 ? "have" : "has"} no import circle`, async () => {
      const graph = await importGraph(...dirs);
      expect(graph.size).toBeGreaterThan(10);
      expect([...graph.values()].flat().length).toBeGreaterThan(graph.size);
      expect(findCircle(graph)).toBeUndefined();
    });
  }

  it("src/heap.ts is the wrapper's top layer: only index.ts and struct-layout.ts (which binds layouts to a Heap through its public API) import it; the modules it fronts never reach back up", async () => {
    const graph = await importGraph("src");
    const importers = [...graph].filter(([, targets]) => targets.includes("src/heap.ts")).map(([file]) => file);
    expect(importers.sort()).toEqual(["src/index.ts", "src/struct-layout.ts"]);
    // Nothing heap.ts reaches imports struct-layout.ts back.
    expect([...graph].filter(([, targets]) => targets.includes("src/struct-layout.ts")).map(([file]) => file)).toEqual(["src/index.ts"]);
  });

  it("no test imports benchmark code (the benchmark's own tests live in bench/)", async () => {
    const graph = await importGraph("test", "bench");
    const crossing = [...graph].flatMap(([file, targets]) =>
      file.startsWith("test/") ? targets.filter((target) => target.startsWith("bench/")).map((target) => `${file} -> ${target}`) : [],
    );
    expect([...graph.keys()].some((file) => file.startsWith("bench/"))).toBe(true);
    expect(crossing).toEqual([]);
  });

  it("no two files of test/ or bench/ share a name", async () => {
    const files = [...(await sourcesUnder("test")), ...(await sourcesUnder("bench"))];
    const byName = new Map<string, string[]>();
    for (const file of files) byName.set(posix.basename(file), [...(byName.get(posix.basename(file)) ?? []), file]);
    expect(files.length).toBeGreaterThan(50);
    expect([...byName.values()].filter((paths) => paths.length > 1)).toEqual([]);
  });

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
    // One line per ABI: when the layout changes, bump ABI_VERSION (assembly/layout.ts) and add its line.
    const recorded: Record<number, string> = {
      6: "5665fac7a9661b42",
      7: "95b2c677bd2c8d60",
      8: "8f8c8e2be99fbbf3",
      9: "0be01dd7cd626a59",
      10: "f4616d86e84dca75",
      11: "7e0e685efde082ba",
      12: "c377f9061ab4bd6a",
      13: "6eee4e8ea54b3182",
      14: "e4d2bd08f75248f2",
    };
    expect({ abi, fingerprint }).toEqual({ abi, fingerprint: recorded[abi] });
  });
});
