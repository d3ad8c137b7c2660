// The README's examples, run as they are written: if the API changes under
// them, this fails.

import { execFile } from "node:child_process";
import { mkdir, mkdtemp, readFile, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { promisify } from "node:util";
import { expect, it } from "vitest";

const run = promisify(execFile);

/** The first code block of `language` after `heading` in the README. */
async function readmeBlock(heading: string, language: string): Promise<string> {
  const readme = await readFile(new URL("../../README.md", import.meta.url), "utf8");
  const section = readme.slice(readme.indexOf(heading));
  return new RegExp(`\`\`\`${language}\\n([\\s\\S]*?)\`\`\``).exec(section)![1]!;
}

it("the README's API-at-a-glance example runs and prints the pools table", async () => {
  // Its import pointed at the built package.
  const example = await readmeBlock("## The API at a glance", "ts");
  const dist = new URL("../../dist/index.js", import.meta.url).href;
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

it("the README's malloc example runs and prints what its comments say", async () => {
  const example = await readmeBlock("### malloc: blocks of any size", "ts");
  const dist = new URL("../../dist/index.js", import.meta.url).href;
  const folder = await mkdtemp(join(tmpdir(), "wasm-pools-readme-"));
  try {
    await writeFile(join(folder, "example.mjs"), example.replace('from "wasm-pools"', `from "${dist}"`));
    const { stdout } = await run("node", [join(folder, "example.mjs")]);
    expect(stdout).toBe("320\n0\n");
  } finally {
    await rm(folder, { recursive: true, force: true });
  }
});

it("the README's piscina recipe runs, and its destroyed workers leave no cache behind", async () => {
  const [main, task] = (await readmeBlock("#### piscina and tinypool", "js")).split("// task.js\n");
  // Inside the package, so that "wasm-pools" (the package itself) and "piscina" resolve as in a user's project.
  const folder = fileURLToPath(new URL("../../build/readme-piscina/", import.meta.url));
  await mkdir(folder, { recursive: true });
  try {
    await writeFile(join(folder, "main.js"), main!);
    await writeFile(join(folder, "task.js"), task!);
    const { stdout } = await run("node", [join(folder, "main.js")]);
    expect(stdout).toMatch(/^1000\n/);
    // used and cached are 0: the workers' caches came back when piscina terminated them.
    expect(stdout).toMatch(/ 0\s+session\s+64\s+\d+\s+[\d.]+ \w?i?B\s+0\s+0\s/);
  } finally {
    await rm(folder, { recursive: true, force: true });
  }
});
