// What the statuses of the core's heap-level calls mean to a caller: the
// thread id or ERR_* code of heap_create and heap_attach, and the slot id or
// ERR_* code of pool_create (docs/internals.md, "The core's ABI"). A Pool's
// own calls decode theirs in pool.ts; traps are traps.ts's.

import {
  IncompatibleHeapError,
  OutOfMemoryError,
  PoolExistsError,
  TooManyPoolsError,
  TooManyThreadsError,
  WasmPoolsError,
} from "./errors.js";
import {
  ABI_VERSION,
  ERR_ABI_MISMATCH,
  ERR_ALREADY_INITIALISED,
  ERR_BAD_MAGIC,
  ERR_NAME_TAKEN,
  ERR_NO_MEMORY,
  ERR_NOT_READY,
  ERR_STATIC_DATA_TOO_LARGE,
  ERR_TOO_MANY_POOLS,
  ERR_TOO_MANY_THREADS,
  MAX_POOLS,
  MAX_THREADS,
} from "./layout.js";

/** The heap thread id heap_create or heap_attach returned, or the error its ERR_* status stands for. */
export function attachedThreadId(status: number): number {
  if (status > 0) return status;
  switch (status) {
    case ERR_NOT_READY:
    case ERR_BAD_MAGIC:
      throw new IncompatibleHeapError("the memory does not hold a wasm-pools heap");
    case ERR_ABI_MISMATCH:
      throw new IncompatibleHeapError(`the heap was made by another version of wasm-pools (this one speaks ABI ${ABI_VERSION})`);
    case ERR_ALREADY_INITIALISED:
      throw new IncompatibleHeapError("the memory already holds a heap: attach to it with Heap.attach");
    case ERR_STATIC_DATA_TOO_LARGE:
      throw new IncompatibleHeapError("the core's static data overlaps the heap header: the build is broken");
    case ERR_TOO_MANY_THREADS:
      throw new TooManyThreadsError(
        `${MAX_THREADS} threads are attached to the heap already: close heaps on threads that are done, or reclaimThread() the ids of terminated workers`,
      );
    case ERR_NO_MEMORY:
      throw new OutOfMemoryError("no memory left for this thread's cache block; raise maxBytes");
    default:
      throw new WasmPoolsError(`heap set-up failed with status ${status}`);
  }
}

/** The slot id pool_create returned for pool `name`, or the error its ERR_* status stands for. */
export function createdPoolId(status: number, name: string, shared: boolean): number {
  if (status === ERR_NAME_TAKEN) {
    throw new PoolExistsError(
      `a pool named "${name}" exists already${shared ? " and cannot be shared with this one (not shared, or another size)" : ""}`,
    );
  }
  if (status === ERR_TOO_MANY_POOLS) {
    throw new TooManyPoolsError(`the heap holds ${MAX_POOLS} pools already (or every free slot is spent); destroy one first`);
  }
  return status;
}
