import { fileURLToPath } from "node:url";
import { defineConfig } from "vitest/config";

// Tests that run other engines and processes (every engine's suite, the
// random kills in every runtime, the browser tests, the benchmark's own
// tests): one file at a time, beside the rest, also one file at a time. The
// two lanes overlap: one lane mostly waits on browsers and child processes
// while the other keeps a core busy.
const OTHER_ENGINES = ["test/engines/**/*.test.ts", "test/death/kills.test.ts", "bench/**/*.test.ts"];

export default defineConfig({
  resolve: {
    // Tests use the package as users get it: the built dist/.
    alias: { "wasm-pools": fileURLToPath(new URL("./dist/index.js", import.meta.url)) },
  },
  test: {
    globalSetup: ["test/support/seed-setup.ts", "test/support/engines-setup.ts"],
    testTimeout: 120_000,
    hookTimeout: 60_000,
    // One file of each lane at a time (vitest's default on 2 cores would be one file in all).
    maxWorkers: 2,
    // test/ by kind (unit, concurrency, death, engines, repo); the benchmark's own tests beside it in bench/.
    projects: [
      { extends: true, test: { name: "engines", include: OTHER_ENGINES, fileParallelism: false } },
      {
        extends: true,
        test: { name: "this thread", include: ["test/**/*.test.ts"], exclude: OTHER_ENGINES, fileParallelism: false },
      },
    ],
  },
});
