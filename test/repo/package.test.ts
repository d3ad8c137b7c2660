// The package as users get it: `npm pack`, then an install of the tarball
// alone (offline) into a new project, which imports it from Node ESM, runs a
// main thread and two workers on one shared pool, and type-checks a consumer
// file against the shipped types.

import { execFile } from "node:child_process";
import { mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { promisify } from "node:util";
import { afterAll, beforeAll, describe, expect, it } from "vitest";

const run = promisify(execFile);
const ROOT = fileURLToPath(new URL("../../", import.meta.url));
const TSC = join(ROOT, "node_modules", "typescript", "bin", "tsc");

const MAIN = `
import { Worker } from "node:worker_threads";
import { Heap } from "wasm-pools";

const heap = await Heap.create();
const pool = heap.createPool("messages", 256, { shared: true });
const workers = [0, 1].map((number) => new Worker(new URL("./worker.mjs", import.meta.url), { workerData: { handle: heap.handle(), number } }));
const sums = await Promise.all(workers.map((worker) => new Promise((resolve, reject) => {
  worker.once("message", resolve);
  worker.once("error", reject);
})));
const stats = pool.stats();
console.log(JSON.stringify({ sums, used: stats.used, allocated: stats.allocated }));
`;

const WORKER = `
import { parentPort, workerData } from "node:worker_threads";
import { Heap } from "wasm-pools";

const heap = await Heap.attach(workerData.handle);
const pool = heap.pool("messages");
let sum = 0;
for (let i = 0; i < 10000; i++) {
  const ptr = pool.alloc();
  const bytes = heap.bytes(ptr, pool.size);
  bytes.fill(workerData.number + 1);
  sum += bytes[255];
  pool.free(ptr);
}
heap.close();
parentPort.postMessage(sum);
`;

const CONSUMER = `
import { Heap, OutOfMemoryError, type Pool, type PoolStats } from "wasm-pools";

async function main(): Promise<number> {
  const heap = await Heap.create({ maxBytes: 1 << 24, cacheBytes: 0 });
  const pool: Pool = heap.createPool("typed", 24, { limit: 10 });
  const out = new Uint32Array(4);
  const got: number = pool.allocMany(4, out);
  pool.freeMany(out, got);
  const stats: PoolStats = pool.stats();
  try {
    pool.alloc();
  } catch (error) {
    if (error instanceof OutOfMemoryError) return -1;
  }
  return stats.used;
}
void main();
`;

describe("the packed package", () => {
  let work: string;
  let files: string[];

  beforeAll(async () => {
    work = await mkdtemp(join(tmpdir(), "wasm-pools-pack-"));
    // --ignore-scripts: the suite built dist/ already; prepack would rebuild it under the other tests' feet.
    const { stdout } = await run("npm", ["pack", "--json", "--ignore-scripts", "--pack-destination", work], { cwd: ROOT });
    const [packed] = JSON.parse(stdout) as Array<{ filename: string; files: Array<{ path: string }> }>;
    files = packed!.files.map((file) => file.path).sort();
    const project = join(work, "consumer");
    await run("mkdir", ["-p", project]);
    await writeFile(join(project, "package.json"), JSON.stringify({ name: "consumer", private: true, type: "module" }));
    await run("npm", ["install", "--offline", "--no-audit", "--no-fund", join(work, packed!.filename)], { cwd: project });
  }, 120_000);

  afterAll(async () => {
    if (work) await rm(work, { recursive: true, force: true });
  });

  it("holds exactly the built package, the README, the LICENSE and the CHANGELOG", () => {
    expect(files).toEqual(
      expect.arrayContaining([
        "CHANGELOG.md",
        "LICENSE",
        "README.md",
        "package.json",
        "dist/index.js",
        "dist/index.d.ts",
        "dist/wasm-pools.wasm",
        "dist/wasm-pools.debug.wasm",
      ]),
    );
    for (const file of files) {
      expect(file, file).toMatch(/^(CHANGELOG\.md|LICENSE|README\.md|package\.json|dist\/[\w.-]+\.(js|d\.ts|wasm))$/);
    }
    // Every module has its types.
    for (const file of files.filter((f) => f.endsWith(".js"))) expect(files).toContain(file.replace(/\.js$/, ".d.ts"));
  });

  it("installs from the tarball alone and runs a main thread and two workers on one pool", async () => {
    const project = join(work, "consumer");
    await writeFile(join(project, "main.mjs"), MAIN);
    await writeFile(join(project, "worker.mjs"), WORKER);
    const { stdout } = await run("node", ["main.mjs"], { cwd: project });
    const result = JSON.parse(stdout) as { sums: number[]; used: number; allocated: number };
    expect(result.sums).toEqual([10000, 20000]);
    expect(result.used).toBe(0);
    expect(result.allocated).toBeGreaterThan(0);
  });

  it("type-checks a consumer against the shipped types", async () => {
    const project = join(work, "consumer");
    await writeFile(join(project, "consumer.ts"), CONSUMER);
    await writeFile(
      join(project, "tsconfig.json"),
      JSON.stringify({
        compilerOptions: {
          target: "es2022",
          module: "nodenext",
          moduleResolution: "nodenext",
          strict: true,
          noEmit: true,
          lib: ["es2022", "dom"],
          types: [],
        },
        files: ["consumer.ts"],
      }),
    );
    // Fails with tsc's diagnostics (and a non-zero exit) if the shipped types are wrong.
    await expect(run("node", [TSC, "-p", "tsconfig.json"], { cwd: project })).resolves.toBeDefined();
  });
});
