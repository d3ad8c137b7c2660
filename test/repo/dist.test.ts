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

  it("finds its wasm beside it through new URL(literal, import.meta.url), the pattern bundlers follow", async () => {
    const source = await readFile(new URL("wasm.js", dist), "utf8");
    expect(source).toContain('new URL("./wasm-pools.wasm", import.meta.url)');
    expect(source).toContain('new URL("./wasm-pools.debug.wasm", import.meta.url)');
    const files = await readdir(dist);
    expect(files).toEqual(expect.arrayContaining(["wasm-pools.wasm", "wasm-pools.debug.wasm", "index.d.ts"]));
  });
});
