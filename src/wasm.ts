// Finding, compiling and instantiating the core module. The .wasm files sit
// beside this file; `new URL(literal, import.meta.url)` is the pattern that
// bundlers recognise as an asset. Node reads the file; browsers fetch it.

/** The core module's exports: numbers in, numbers out (see assembly/index.ts). */
export interface CoreExports {
  heap_create(maxPages: number, heapId: number, testSwitches: number, canBlock: number, cacheBytes: number): number;
  heap_attach(canBlock: number, cacheBytes: number): number;
  heap_gc(): void;
  thread_close(): void;
  thread_reclaim(id: number): number;
  thread_scratch(): number;
  pool_create(name: number, nameLength: number, size: number, flags: number, minAvail: number, limit: number): number;
  pool_destroy(token: number): number;
  pool_alloc(token: number): number;
  pool_free(token: number, object: number): number;
  pool_alloc_many(token: number, count: number): number;
  pool_free_many(token: number, count: number): number;
  pool_flush(token: number): number;
  pool_free_count(token: number): number;
  pool_cached_count(token: number): number;
  scratch_alloc(bytes: number): number;
  scratch_free(payload: number): void;
}

/** Which compiled core to use: `release` (optimised) or `debug` (unoptimised, with names). */
export type CoreBuild = "release" | "debug";

const compiled = new Map<CoreBuild, Promise<WebAssembly.Module>>();

function coreUrl(build: CoreBuild): URL {
  return build === "debug"
    ? new URL("./wasm-pools.debug.wasm", import.meta.url)
    : new URL("./wasm-pools.wasm", import.meta.url);
}

async function compileFrom(url: URL): Promise<WebAssembly.Module> {
  if (url.protocol === "file:") {
    const { readFile } = await import("node:fs/promises");
    return WebAssembly.compile(await readFile(url));
  }
  const response = await fetch(url);
  if (!response.ok) throw new Error(`wasm-pools: cannot fetch ${url.href}: HTTP ${response.status}`);
  if (response.headers.get("content-type")?.startsWith("application/wasm")) {
    return WebAssembly.compileStreaming(response);
  }
  return WebAssembly.compile(await response.arrayBuffer());
}

/** The compiled core, compiled once per thread and build. */
export function loadCore(build: CoreBuild): Promise<WebAssembly.Module> {
  let module = compiled.get(build);
  if (!module) {
    module = compileFrom(coreUrl(build));
    compiled.set(build, module);
    module.catch(() => compiled.delete(build));
  }
  return module;
}

export async function instantiateCore(module: WebAssembly.Module, memory: WebAssembly.Memory): Promise<CoreExports> {
  const instance = await WebAssembly.instantiate(module, { env: { memory } });
  return instance.exports as unknown as CoreExports;
}

/** Whether this thread may block in Atomics.wait (not on a browser's main thread). */
export function threadMayBlock(): boolean {
  if (typeof SharedArrayBuffer === "undefined") return false;
  try {
    Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 1, 0);
    return true;
  } catch {
    return false;
  }
}
