// The examples of the README and of the docs it links to, run as they are
// written: if the API changes under them, this fails.

import { execFile } from "node:child_process";
import { mkdir, mkdtemp, readFile, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { promisify } from "node:util";
import { expect, it } from "vitest";

const run = promisify(execFile);

/** The first code block of `language` after the line `heading` in `file` (README.md, or a file of docs/). */
async function codeBlock(file: string, heading: string, language: string): Promise<string> {
  const text = await readFile(new URL(`../../${file}`, import.meta.url), "utf8");
  const at = text.split("\n").indexOf(heading);
  if (at < 0) throw new Error(`${file} has no line "${heading}"`);
  const section = text.split("\n").slice(at).join("\n");
  return new RegExp(`\`\`\`${language}\\n([\\s\\S]*?)\`\`\``).exec(section)![1]!;
}

/** Runs a two-file example (main.js, then `// worker.js` or `// task.js`) inside the package, as a user's project would. */
async function runPair(folderName: string, example: string, second: string): Promise<string> {
  const [main, other] = example.split(`// ${second}\n`);
  // Inside the package, so that "wasm-pools" (the package itself) and its dependencies resolve as in a user's project.
  const folder = fileURLToPath(new URL(`../../build/${folderName}/`, import.meta.url));
  await mkdir(folder, { recursive: true });
  try {
    await writeFile(join(folder, "main.js"), main!);
    await writeFile(join(folder, second), other!);
    return (await run("node", [join(folder, "main.js")])).stdout;
  } finally {
    await rm(folder, { recursive: true, force: true });
  }
}

it("the README's first program runs and prints the pools table the README shows", async () => {
  // Its import pointed at the built package.
  const example = await codeBlock("README.md", "## A first program", "ts");
  const shown = await codeBlock("README.md", "It prints HAProxy's `show pools`, for this heap:", "");
  const dist = new URL("../../dist/index.js", import.meta.url).href;
  const folder = await mkdtemp(join(tmpdir(), "wasm-pools-readme-"));
  try {
    await writeFile(join(folder, "example.mjs"), example.replace('from "wasm-pools"', `from "${dist}"`));
    const { stdout } = await run("node", [join(folder, "example.mjs")]);
    expect(stdout).toMatch(/^Dumping pools usage: 1 pools/);
    expect(stdout).toMatch(/session\s+64/);
    expect(stdout).toBe(shown);
  } finally {
    await rm(folder, { recursive: true, force: true });
  }
});

it("the reference's malloc example runs and prints what its comments say", async () => {
  const example = await codeBlock("docs/reference.md", "## malloc: blocks of any size", "ts");
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

it("the README's worker example runs and prints what its comments say", async () => {
  const stdout = await runPair("readme-workers", await codeBlock("README.md", "## Workers", "js"), "worker.js");
  expect(stdout).toBe("hello\n0\n");
});

it("the piscina recipe (docs/runtimes.md) runs, and its destroyed workers leave no cache behind", async () => {
  const stdout = await runPair("readme-piscina", await codeBlock("docs/runtimes.md", "## piscina and tinypool", "js"), "task.js");
  expect(stdout).toMatch(/^1000\n/);
  // used and cached are 0: the workers' caches came back when piscina terminated them.
  expect(stdout).toMatch(/ 0\s+session\s+64\s+\d+\s+[\d.]+ \w?i?B\s+0\s+0\s/);
});
