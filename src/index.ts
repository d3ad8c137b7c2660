// wasm-pools: HAProxy-style memory pools in shared WebAssembly memory.
// This entry imports no Node built-in at top level, so browsers load it too.

export type { CheckReport } from "./check.js";
export type { DebugOptions } from "./debug.js";
export {
  CoreLoadError,
  DoubleFreeError,
  HeapClosedError,
  HeapCorruptError,
  IncompatibleHeapError,
  InvalidArgumentError,
  InvalidHandleError,
  InvalidPointerError,
  LockTimeoutError,
  NotIsolatedError,
  OutOfMemoryError,
  PoolDestroyedError,
  PoolExistsError,
  PoolInUseError,
  PoolMismatchError,
  PoolNotFoundError,
  PoolNotOwnedError,
  SharingUnsupportedError,
  TooManyPoolsError,
  TooManyThreadsError,
  UseAfterFreeError,
  WasmPoolsError,
} from "./errors.js";
export type { FailureReason, FailureRecord, FailureStats } from "./faults.js";
export { Heap } from "./heap.js";
export type { AttachOptions, HeapHandle, HeapOptions, HeapStats, MallocedString, PoolOptions } from "./heap-types.js";
export type { PoolStats } from "./pool.js";
export { Pool } from "./pool.js";
export type { TypedArrayType } from "./typed-arrays.js";
export type { CoreBuild, CoreSource } from "./wasm.js";
