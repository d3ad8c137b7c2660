import { fileURLToPath } from "node:url";
import { defineConfig } from "vitest/config";

/** Files that must have the cores to themselves: a waiter with a 20 ms patience behind a live holder. */
const ALONE = ["test/death/slow-holder.test.ts"];

export default defineConfig({
  resolve: {
    // Tests use the package as users get it: the built dist/.
    alias: { "wasm-pools": fileURLToPath(new URL("./dist/index.js", import.meta.url)) },
  },
  test: {
    globalSetup: ["test/support/seed-setup.ts", "test/support/engines-setup.ts"],
    testTimeout: 120_000,
    hookTimeout: 60_000,
    projects: [
      {
        extends: true,
        test: {
          name: "two at a time",
          // test/ by kind (unit, concurrency, death, engines, repo); the benchmark's own tests beside it in bench/.
          include: ["test/**/*.test.ts", "bench/**/*.test.ts"],
          exclude: ALONE,
          // Two files at a time on the 2 cores (vitest starts the longest first): many mostly wait on browsers,
          // other runtimes and workers' ends. No test judges speed, so sharing the cores changes no verdict.
          maxWorkers: 2,
        },
      },
      // vitest runs these after the others, one at a time.
      { extends: true, test: { name: "alone", include: ALONE, fileParallelism: false } },
    ],
  },
});
