// wasm-pools: HAProxy-style memory pools in shared WebAssembly memory.
// This entry imports no Node built-in at top level, so browsers load it too.

export type { ChannelStats } from "./channel.js";
export { Channel } from "./channel.js";
export type { ChannelOptions } from "./channel-handles.js";
export type { CheckReport } from "./check.js";
export type { DebugOptions } from "./debug.js";
export {
  CannotBlockError,
  ChannelClosedError,
  ChannelDestroyedError,
  ChannelExistsError,
  ChannelNotEmptyError,
  ChannelNotFoundError,
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
  TooManyChannelsError,
  TooManyPoolsError,
  TooManyThreadsError,
  UseAfterFreeError,
  WaitTimeoutError,
  WasmPoolsError,
} from "./errors.js";
export type { FailureReason, FailureRecord, FailureStats } from "./faults.js";
export { Heap } from "./heap.js";
export type { AttachOptions, HeapHandle, HeapOptions, HeapStats, MallocedString, PoolOptions } from "./heap-types.js";
export type { PoolStats } from "./pool.js";
export { Pool } from "./pool.js";
export type { ArrayField, FieldAccessor, StructArrayField, StructFields, StructView, ValueOf } from "./struct-binding.js";
export type { BoolField, IntegerField, NumberField, Utf8Field, WaitableField } from "./struct-fields.js";
export type { BindOptions, BoundStruct } from "./struct-layout.js";
export { StructLayout, struct } from "./struct-layout.js";
export type {
  ArrayType,
  BigIntName,
  BigIntType,
  BoolType,
  ElementType,
  Fields,
  FieldType,
  NumberName,
  NumberType,
  PlacedField,
  PointerType,
  StructType,
  Utf8Type,
} from "./struct-types.js";
export { types } from "./struct-types.js";
export type { TypedArrayType } from "./typed-arrays.js";
export type { WaitOptions, WaitResult } from "./wait.js";
export type { CoreBuild, CoreSource } from "./wasm.js";
