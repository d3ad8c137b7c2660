// Views and strings over the heap's arena, for heap.array, dataView, bytes,
// writeString and readString: every range is checked to lie inside the
// carved arena [ARENA_START, top) before a view is made, so no caller gets a
// view of the header, the slots or the uncarved end.

import { InvalidArgumentError, InvalidPointerError } from "./errors.js";
import { ARENA_START, H_BACKING_TOP } from "./layout.js";
import { readUtf8, writeUtf8 } from "./strings.js";
import { elementBytesOf, type TypedArrayType } from "./typed-arrays.js";
import { integerIn } from "./validate.js";
import type { MemoryViews } from "./views.js";

const MAX_UINT32 = 2 ** 32 - 1;

/** One Heap's checked access to its arena. */
export class ArenaAccess {
  constructor(
    private readonly views: MemoryViews,
    /** Throws HeapClosedError once the heap is closed on this thread. */
    private readonly ensureOpen: () => void,
  ) {}

  array<T extends TypedArrayType>(type: T, ptr: number, length: number): InstanceType<T> {
    const elementBytes = elementBytesOf(type);
    integerIn("length", length, 0, MAX_UINT32);
    this.#range("ptr", ptr, "length", length * elementBytes);
    if (ptr % elementBytes !== 0)
      throw new InvalidPointerError(`ptr ${ptr} is not aligned to ${type.name}'s ${elementBytes}-byte elements`);
    return new type(this.views.view(ptr, length * elementBytes).buffer as ArrayBuffer, ptr, length) as InstanceType<T>;
  }

  dataView(ptr: number, byteLength: number): DataView {
    this.#range("ptr", ptr, "byteLength", byteLength);
    return new DataView(this.views.view(ptr, byteLength).buffer as ArrayBuffer, ptr, byteLength);
  }

  bytes(ptr: number, length: number): Uint8Array {
    this.#range("ptr", ptr, "length", length);
    return this.views.view(ptr, length);
  }

  writeString(ptr: number, capacity: number, text: string): number {
    this.#range("ptr", ptr, "capacity", capacity);
    if (typeof text !== "string") throw new InvalidArgumentError("text", `expected a string, got ${typeof text}`);
    return writeUtf8(this.views, ptr, capacity, text);
  }

  readString(ptr: number, length: number): string {
    this.#range("ptr", ptr, "length", length);
    return readUtf8(this.views, ptr, length);
  }

  /** Checks that [ptr, ptr + length) lies inside the arena (and that the heap is open). */
  #range(ptrName: string, ptr: number, lengthName: string, length: number): void {
    this.ensureOpen();
    integerIn(ptrName, ptr, 0, MAX_UINT32);
    integerIn(lengthName, length, 0, MAX_UINT32);
    const top = this.views.word(H_BACKING_TOP);
    if (ptr < ARENA_START || ptr + length > top) {
      throw new InvalidPointerError(`[${ptr}, ${ptr + length}) is not inside the heap's arena [${ARENA_START}, ${top})`);
    }
  }
}
