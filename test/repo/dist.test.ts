// The built package as browsers and bundlers will meet it.

import { readdir, readFile } from "node:fs/promises";
import { describe, expect, it } from "vitest";

const dist = new URL("../../dist/", import.meta.url);

describe("dist/", () => {
  it("imports no Node built-in at top level (browsers load the same files)", async () => {
    const files = (await readdir(dist)).filter((name) => name.endsWith(".js"));
    expect(files).toContain("index.js");
    for (const name of files) {
      const source = await readFile(new URL(name, dist), "utf8");
      expect(source, name).not.toMatch(/^\s*import[^(]*from\s*["'](node:|fs|path|url|worker_threads)/m);
      expect(source, name).not.toMatch(/\brequire\(/);
    }
  });

  it("ships no @internal member in its .d.ts files (stripInternal)", async () => {
    const files = (await readdir(dist)).filter((name) => name.endsWith(".d.ts"));
    for (const name of files) expect(await readFile(new URL(name, dist), "utf8"), name).not.toContain("@internal");
    // Members marked @internal in src/: gone from the types, still in the code.
    expect(await readFile(new URL("heap.d.ts", dist), "utf8")).not.toMatch(/\breclaimEnded\b/);
    expect(await readFile(new URL("pool.d.ts", dist), "utf8")).not.toMatch(/^\s*readonly token\b/m);
    expect(await readFile(new URL("heap.js", dist), "utf8")).toMatch(/\breclaimEnded\b/);
  });

  it("finds its wasm beside it through new URL(literal, import.meta.url), the pattern bundlers follow", async () => {
    const source = await readFile(new URL("wasm.js", dist), "utf8");
    expect(source).toContain('new URL("./wasm-pools.wasm", import.meta.url)');
    expect(source).toContain('new URL("./wasm-pools.debug.wasm", import.meta.url)');
    const files = await readdir(dist);
    expect(files).toEqual(expect.arrayContaining(["wasm-pools.wasm", "wasm-pools.debug.wasm", "index.d.ts"]));
  });
});
