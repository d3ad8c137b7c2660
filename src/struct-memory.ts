// What the field accessors of one bound layout share (struct-fields.ts):
// the memory, the list of accessors whose views follow its growth, and,
// in checked mode, the check that an access lands inside a live object.
//
// An accessor keeps its own typed array over the memory and that array's
// byte length: its fast path is one bounds compare and one element access.
// When an address falls past the length, the slow path (reach) refreshes
// the views of every accessor of the binding once (the memory grew,
// perhaps on another thread) and tries again, or throws.

import { chunkSizeOf, marksLargeBlock } from "./chunks.js";
import { InvalidPointerError, UseAfterFreeError } from "./errors.js";
import { ARENA_START, CHUNK_HEADER, CHUNK_ON_FREE_LIST, CHUNK_USED, LARGE_PREFIX } from "./layout.js";
import { describe } from "./validate.js";
import { MemoryViews } from "./views.js";

/** An accessor that keeps views of the memory: told of every new buffer. */
export interface ViewHolder {
  attach(buffer: ArrayBufferLike): void;
}

/** The lowest address any field can have: the first object's. */
export const LOWEST_OBJECT = ARENA_START + CHUNK_HEADER;

export class FieldMemory {
  readonly views: MemoryViews;
  #buffer: ArrayBufferLike;
  readonly #holders: ViewHolder[] = [];

  constructor(
    readonly memory: WebAssembly.Memory,
    /** Checked mode's guard, or null. */
    readonly guard: LiveObjectGuard | null,
  ) {
    this.views = new MemoryViews(memory);
    this.#buffer = memory.buffer;
  }

  get buffer(): ArrayBufferLike {
    return this.#buffer;
  }

  /** Gives `holder` the current buffer now and every later one. */
  hold(holder: ViewHolder): void {
    this.#holders.push(holder);
    holder.attach(this.#buffer);
  }

  /**
   * The slow path of an access to [ptr + offset, + width): throws
   * InvalidPointerError for an address no object can have; refreshes every
   * holder's views if the memory grew. Returns the byte address.
   */
  reach(ptr: unknown, offset: number, width: number): number {
    if (typeof ptr !== "number" || !Number.isInteger(ptr))
      throw new InvalidPointerError(`expected an object's address, got ${describe(ptr)}`);
    const at = ptr + offset;
    if (at % width !== 0)
      throw new InvalidPointerError(`address ${ptr} puts a ${width}-byte field at ${at}, which is not ${width}-byte aligned`);
    if (ptr < LOWEST_OBJECT) throw new InvalidPointerError(`address ${ptr} is below the heap's first object (${LOWEST_OBJECT})`);
    if (at + width > this.#buffer.byteLength) {
      this.memory.grow(0);
      const buffer = this.memory.buffer;
      if (at + width > buffer.byteLength)
        throw new InvalidPointerError(`address ${ptr} + ${offset} is past the memory's ${buffer.byteLength} bytes`);
      this.#buffer = buffer;
      for (const holder of this.#holders) holder.attach(buffer);
    }
    return at;
  }
}

/** Most element pointers checked mode remembers (struct-layout.ts, at()); the oldest are forgotten first. */
const ELEMENTS_REMEMBERED = 1 << 16;

/**
 * Checked mode (heaps with debug options, or bind's `checked`): every
 * access must land inside a live object (a pool object or a block of
 * malloc that is handed out, not free). Interior pointers made by `at()`
 * (elements of struct arrays) are remembered with the object they lie in.
 */
export class LiveObjectGuard {
  readonly #elements = new Map<number, number>();

  constructor(
    readonly views: MemoryViews,
    /** Bytes the debug tag adds after every pool object (0 without it). */
    readonly tagBytes: number,
  ) {}

  /** Remembers that `element` lies in the object at `base`. */
  rememberElement(element: number, base: number): void {
    if (element === base) return;
    if (this.#elements.size >= ELEMENTS_REMEMBERED) this.#elements.delete(this.#elements.keys().next().value!);
    this.#elements.set(element, base);
  }

  /** Throws unless [ptr + offset, + width) lies inside one live object. */
  check(ptr: number, offset: number, width: number): void {
    if (typeof ptr !== "number" || !Number.isInteger(ptr) || ptr < LOWEST_OBJECT) return; // the accessor's own checks report it
    const base = this.#elements.get(ptr) ?? ptr;
    const usable = this.#usableBytes(base, ptr);
    const end = ptr - base + offset + width;
    if (end > usable) {
      throw new InvalidPointerError(
        `a ${width}-byte field at ${ptr} + ${offset} ends ${end - usable} bytes past the ${usable}-byte object at ${base}`,
      );
    }
  }

  /** The usable bytes of the live object that starts at `base`; throws for a freed or unknown one. */
  #usableBytes(base: number, ptr: number): number {
    const header = this.views.anyWord(base - CHUNK_HEADER);
    const used = (header & CHUNK_USED) !== 0;
    if (used && (header & CHUNK_ON_FREE_LIST) !== 0) throw new UseAfterFreeError(`object ${base} is free: it was freed before this access`);
    if (used && chunkSizeOf(header) > CHUNK_HEADER) return chunkSizeOf(header) - CHUNK_HEADER - this.tagBytes;
    const payload = base - LARGE_PREFIX;
    if (payload >= LOWEST_OBJECT && marksLargeBlock(payload, this.views.anyWord(payload), this.views.anyWord(payload + 4))) {
      const largeHeader = this.views.anyWord(payload - CHUNK_HEADER);
      if ((largeHeader & CHUNK_USED) !== 0) return chunkSizeOf(largeHeader) - CHUNK_HEADER - LARGE_PREFIX;
    }
    throw new InvalidPointerError(
      `${ptr} is not the start of a live object (nor an element that at() gave): checked mode finds objects by the address alloc or malloc returned`,
    );
  }
}
