// The value heap.handle() makes and Heap.attach takes: what it holds, and
// the checks a handle passes before attach touches its memory (a handle is
// a structured clone from another thread, or anything a caller passes).

import { isModule, memoryBufferOf } from "./brands.js";
import { IncompatibleHeapError, InvalidHandleError, NotIsolatedError, SharingUnsupportedError } from "./errors.js";
import type { HeapHandle } from "./heap-types.js";
import { ABI_VERSION } from "./layout.js";
import { describe, plainValues } from "./validate.js";
import { type CoreBuild, looksLikeCore } from "./wasm.js";

const HANDLE_KIND = "wasm-pools/heap";

/** Whether `value` is a shared WebAssembly.Memory. */
function isSharedMemory(value: unknown): value is WebAssembly.Memory {
  // By the buffer's own tag, not the global: some engines (WebKitGTK) hide
  // the SharedArrayBuffer global while shared memories work.
  const buffer = memoryBufferOf(value);
  return buffer !== undefined && Object.prototype.toString.call(buffer) === "[object SharedArrayBuffer]";
}

/** The handle of a heap, once this thread may post shared memory. */
export function makeHandle(heapId: number, build: CoreBuild, memory: WebAssembly.Memory, module: WebAssembly.Module): HeapHandle {
  if (typeof crossOriginIsolated !== "undefined" && !crossOriginIsolated) throw new NotIsolatedError();
  // An engine that hides the global while shared memories work (WebKitGTK) refuses to post them.
  if (typeof SharedArrayBuffer === "undefined") throw new SharingUnsupportedError();
  return { kind: HANDLE_KIND, abi: ABI_VERSION, heapId, build, memory, module };
}

/**
 * `handle` read without running its code, and checked: made by heap.handle()
 * of this ABI, with a shared memory, a core module and a build. Whether its
 * heapId matches the memory is the opener's check (open-heap.ts).
 */
export function checkedHandle(handle: unknown): HeapHandle {
  const h = (typeof handle === "object" && handle !== null ? plainValues(handle) : undefined) as Partial<HeapHandle> | undefined;
  if (h?.kind !== HANDLE_KIND) throw new InvalidHandleError(`expected a value made by heap.handle(), got ${describe(handle)}`);
  if (h.abi !== ABI_VERSION) {
    throw new IncompatibleHeapError(
      `the handle comes from another version of wasm-pools (ABI ${describe(h.abi)}, this one speaks ${ABI_VERSION})`,
    );
  }
  const memory = h.memory;
  if (!isSharedMemory(memory)) throw new InvalidHandleError("handle.memory is not a shared WebAssembly.Memory");
  if (!isModule(h.module) || !looksLikeCore(h.module)) {
    throw new InvalidHandleError("handle.module is not a wasm-pools core module");
  }
  if (h.build !== "release" && h.build !== "debug") throw new InvalidHandleError('handle.build is neither "release" nor "debug"');
  return { kind: HANDLE_KIND, abi: ABI_VERSION, heapId: h.heapId as number, build: h.build, memory, module: h.module };
}
