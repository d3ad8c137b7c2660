// Bundles the engine bench (entry.js, as compiled under build/) with Vite
// into one ES module that every engine runs as it is: the package's core
// is emitted beside it as an asset, found by the package's own
// `new URL(..., import.meta.url)`, whether the bundle is fetched by a page or
// read from disk by Node, Deno or Bun. page.html, which loads it, is copied
// beside it.

import { copyFile } from "node:fs/promises";
import { join } from "node:path";
import { fileURLToPath } from "node:url";

const ROOT = fileURLToPath(new URL(import.meta.url.includes("/build/bench/") ? "../../../" : "../../", import.meta.url));
/** Where the bundle goes: the page is served from here, and the runtimes run ENTRY. */
export const BUNDLE_DIR = join(ROOT, "build", "bench-engines");
export const ENTRY = join(BUNDLE_DIR, "entry.js");
export const PAGE = "engine-bench.html";

export async function bundleEngineBench(): Promise<void> {
  const { build } = await import("vite");
  await build({
    configFile: false,
    base: "./",
    logLevel: "error",
    resolve: { alias: { "wasm-pools": join(ROOT, "dist", "index.js") } },
    build: {
      outDir: BUNDLE_DIR,
      emptyOutDir: true,
      target: "esnext",
      minify: false,
      assetsInlineLimit: 0,
      modulePreload: false,
      rolldownOptions: {
        input: { entry: join(ROOT, "build", "bench", "engines", "entry.js") },
        // Top-level const stays const (Vite turns it into var, which V8 before 13.x cannot fold: the hit path read 2× slower in Node).
        output: { format: "es", entryFileNames: "[name].js", topLevelVar: false },
      },
    },
  });
  await copyFile(join(ROOT, "bench", "engines", PAGE), join(BUNDLE_DIR, PAGE));
}
