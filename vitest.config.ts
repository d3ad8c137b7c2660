import { fileURLToPath } from "node:url";
import { defineConfig } from "vitest/config";

export default defineConfig({
  resolve: {
    // Tests use the package as users get it: the built dist/.
    alias: { "wasm-pools": fileURLToPath(new URL("./dist/index.js", import.meta.url)) },
  },
  test: {
    // test/ by kind (unit, concurrency, death, engines, repo); the benchmark's own tests beside it in bench/.
    include: ["test/**/*.test.ts", "bench/**/*.test.ts"],
    globalSetup: ["test/support/seed-setup.ts", "test/support/engines-setup.ts"],
    testTimeout: 120_000,
    hookTimeout: 60_000,
    // Two files at a time on the 2 cores (vitest starts the longest first): many files mostly wait on browsers,
    // other runtimes and workers' ends. No test judges speed, so sharing the cores changes no verdict.
    maxWorkers: 2,
  },
});
