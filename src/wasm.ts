// Finding, compiling and instantiating the core module. The .wasm files sit
// beside this file; `new URL(literal, import.meta.url)` is the pattern that
// bundlers recognise as an asset. Node reads the file; browsers fetch it.

import { isArrayBuffer, isModule, isUrl } from "./brands.js";
import { CoreLoadError } from "./errors.js";
import { nodeBuiltin } from "./node-builtin.js";

/** The core module's exports: numbers in, numbers out (see assembly/index.ts). */
export interface CoreExports {
  heap_create(
    maxPages: number,
    heapId: number,
    testSwitches: number,
    canBlock: number,
    cacheBytes: number,
    failPpm: number,
    failSeed: number,
    debugFlags: number,
    nodeId: number,
    parent: number,
    grandparent: number,
    lifeLock: number,
  ): number;
  heap_attach(canBlock: number, cacheBytes: number, nodeId: number, parent: number, grandparent: number, lifeLock: number): number;
  heap_gc(): void;
  thread_close(): void;
  thread_reclaim(id: number, byNodeId: number): number;
  thread_reclaim_dead(): number;
  thread_abandon_attach(): void;
  thread_scratch(): number;
  thread_slot(): number;
  thread_release_holds(): void;
  thread_give_back(): void;
  pool_create(nameLength: number, size: number, flags: number, minAvail: number, limit: number): number;
  pool_destroy(id: number, generation: number, force: number): number;
  pool_alloc(id: number, generation: number): number;
  pool_free(id: number, generation: number, object: number): number;
  large_alloc(bytes: number): number;
  large_free(block: number): number;
  pool_alloc_many(id: number, generation: number, count: number): number;
  pool_free_many(id: number, generation: number, count: number): number;
  pool_flush(id: number, generation: number): number;
  pool_free_count(id: number, generation: number): number;
  pool_cached_count(id: number, generation: number): number;
  channel_create(nameLength: number, capacity: number): number;
  channel_send(id: number, generation: number, object: number): number;
  channel_receive(id: number, generation: number): number;
  channel_close(id: number, generation: number): number;
  channel_destroy(id: number, generation: number): number;
}

/** Which compiled core to use: `release` (optimised) or `debug` (unoptimised, with names). */
export type CoreBuild = "release" | "debug";

const compiled = new Map<CoreBuild, Promise<WebAssembly.Module>>();

function coreUrl(build: CoreBuild): URL {
  return build === "debug" ? new URL("./wasm-pools.debug.wasm", import.meta.url) : new URL("./wasm-pools.wasm", import.meta.url);
}

async function compileFrom(url: URL): Promise<WebAssembly.Module> {
  if (url.protocol === "file:") {
    const { readFile } = await nodeBuiltin<typeof import("node:fs/promises")>("node:fs/promises");
    const bytes = await readFile(url).catch((error: Error) => {
      throw new CoreLoadError(url, error.message, error);
    });
    return WebAssembly.compile(bytes);
  }
  const response = await fetch(url).catch((error: Error) => {
    throw new CoreLoadError(url, error.message, error);
  });
  if (!response.ok) throw new CoreLoadError(url, `HTTP ${response.status}`);
  if (response.headers.get("content-type")?.startsWith("application/wasm")) {
    return WebAssembly.compileStreaming(response);
  }
  return WebAssembly.compile(await response.arrayBuffer());
}

/**
 * Where the core can come from instead of the .wasm file beside this
 * module: an already compiled module, the file's bytes, or its URL (for a
 * page that serves the file elsewhere, or a bundler setup that copies it).
 */
export type CoreSource = WebAssembly.Module | ArrayBuffer | ArrayBufferView | URL | string;

/** Compiles a caller-given core; throws TypeError for a value of the wrong kind. */
export async function compileSource(source: CoreSource): Promise<WebAssembly.Module> {
  if (isModule(source)) return source;
  if (isArrayBuffer(source) || ArrayBuffer.isView(source)) return WebAssembly.compile(source as BufferSource);
  if (isUrl(source)) return compileFrom(source);
  if (typeof source === "string") {
    const base = (globalThis as { location?: { href: string } }).location?.href;
    return compileFrom(new URL(source, base));
  }
  throw new TypeError("expected a WebAssembly.Module, the module's bytes, or a URL");
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

/** Whether a module looks like a wasm-pools core: it imports only a memory and exports heap_create and ABI_VERSION. */
export function looksLikeCore(module: WebAssembly.Module): boolean {
  const imports = WebAssembly.Module.imports(module);
  const exports = new Set(WebAssembly.Module.exports(module).map((e) => e.name));
  return imports.length === 1 && imports[0]!.kind === "memory" && exports.has("ABI_VERSION") && exports.has("heap_create");
}

export async function instantiateCore(module: WebAssembly.Module, memory: WebAssembly.Memory): Promise<CoreExports> {
  const instance = await WebAssembly.instantiate(module, { env: { memory } });
  return instance.exports as unknown as CoreExports;
}

/** The ABI version a core instance was built for. */
export function coreAbi(core: CoreExports): number {
  const global = (core as unknown as { ABI_VERSION?: WebAssembly.Global }).ABI_VERSION;
  return global instanceof WebAssembly.Global ? Number(global.value) : -1;
}

let mayBlock: boolean | undefined;

/** Whether this thread may block in Atomics.wait (not on a browser's main thread); found out once per thread. */
export function threadMayBlock(): boolean {
  if (mayBlock === undefined) {
    try {
      // A shared memory rather than the SharedArrayBuffer global, which some engines hide.
      // Once: every wasm memory reserves gigabytes of address space until it is collected.
      const shared = new WebAssembly.Memory({ initial: 1, maximum: 1, shared: true });
      Atomics.wait(new Int32Array(shared.buffer, 0, 1), 0, 1, 0);
      mayBlock = true;
    } catch {
      mayBlock = false;
    }
  }
  return mayBlock;
}
