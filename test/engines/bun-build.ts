// The recipe for `bun build` (docs/runtimes.md), which bundles the JS but does not
// copy the .wasm the package finds by itself: the app imports the core as a
// file and passes it to Heap.create. Built in a folder that holds the
// package, then run from another folder with only the bundle.

import { execFile } from "node:child_process";
import { cp, mkdir, mkdtemp, readdir, readFile, rm, symlink, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { promisify } from "node:util";

const run = promisify(execFile);
const ROOT = fileURLToPath(new URL("../../", import.meta.url));
/** Marks the recipe in docs/runtimes.md: the first ```js block after it. */
export const RECIPE_MARK = "<!-- bun build recipe -->";

async function documentedRecipe(): Promise<string> {
  const doc = await readFile(join(ROOT, "docs", "runtimes.md"), "utf8");
  const at = doc.indexOf(RECIPE_MARK);
  if (at < 0) throw new Error(`docs/runtimes.md has no ${RECIPE_MARK}`);
  return /```js\n([\s\S]*?)```/.exec(doc.slice(at))![1]!;
}

/** Bundles the recipe with `bun build`, runs the bundle elsewhere; returns the bundle's files and what it printed. */
export async function bundleAndRun(bun: string, timeout: number): Promise<{ files: string[]; stdout: string }> {
  const stage = await mkdtemp(join(tmpdir(), "wasm-pools-bun-build-"));
  try {
    await mkdir(join(stage, "app", "node_modules"), { recursive: true });
    await symlink(ROOT, join(stage, "app", "node_modules", "wasm-pools"), "dir");
    await writeFile(join(stage, "app", "app.js"), await documentedRecipe());
    await run(bun, ["build", "app.js", "--outdir", "out", "--target", "bun"], { cwd: join(stage, "app"), timeout });
    // Only the bundle goes on: nothing of the package is beside it.
    await cp(join(stage, "app", "out"), join(stage, "deployed"), { recursive: true });
    await rm(join(stage, "app"), { recursive: true });
    const { stdout } = await run(bun, [join(stage, "deployed", "app.js")], { cwd: stage, timeout });
    return { files: await readdir(join(stage, "deployed")), stdout };
  } finally {
    await rm(stage, { recursive: true, force: true });
  }
}
