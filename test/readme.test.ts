// The README's first example, run as it is written (its import pointed at
// the built package): if the API changes under it, this fails.

import { execFile } from "node:child_process";
import { mkdtemp, readFile, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { promisify } from "node:util";
import { expect, it } from "vitest";

const run = promisify(execFile);

it("the README's API-at-a-glance example runs and prints the pools table", async () => {
  const readme = await readFile(new URL("../README.md", import.meta.url), "utf8");
  const section = readme.slice(readme.indexOf("## The API at a glance"));
  const example = /```ts\n([\s\S]*?)```/.exec(section)![1]!;
  const dist = new URL("../dist/index.js", import.meta.url).href;
  const folder = await mkdtemp(join(tmpdir(), "wasm-pools-readme-"));
  try {
    await writeFile(join(folder, "example.mjs"), example.replace('from "wasm-pools"', `from "${dist}"`));
    const { stdout } = await run("node", [join(folder, "example.mjs")]);
    expect(stdout).toMatch(/^Dumping pools usage: 1 pools/);
    expect(stdout).toMatch(/session\s+64/);
  } finally {
    await rm(folder, { recursive: true, force: true });
  }
});
