// JS views over the shared memory. A view made before the memory grew keeps
// its old length but stays valid (shared memory is never detached), so views
// are re-made only when an address falls past them.
//
// When another thread grows the memory, this thread's `memory.buffer` may
// keep the old length until V8 handles an interrupt on this thread;
// `memory.grow(0)` refreshes it at once, so views are re-made through it.

import { InvalidPointerError } from "./errors.js";
import { ARENA_START } from "./layout.js";

export class MemoryViews {
  #bytes: Uint8Array;
  /** u32 words of the header and pool slots: they never move, so this view never needs refreshing. */
  readonly words: Uint32Array;
  /** The same words below the arena as Int32Array, which Atomics.wait takes (channel and pool waits). */
  readonly waitable: Int32Array;
  #anyWords: Uint32Array;

  constructor(readonly memory: WebAssembly.Memory) {
    this.#bytes = new Uint8Array(memory.buffer);
    this.words = new Uint32Array(memory.buffer);
    this.waitable = new Int32Array(memory.buffer, 0, ARENA_START >>> 2);
    this.#anyWords = this.words;
  }

  /** Atomic read of the u32 at `address` (header and pool slots only). */
  word(address: number): number {
    return Atomics.load(this.words, address >>> 2);
  }

  /** Atomic read of the u32 at any `address` of the memory, growth included. */
  anyWord(address: number): number {
    const bytes = this.#covering(address + 4);
    if (this.#anyWords.buffer !== bytes.buffer) this.#anyWords = new Uint32Array(bytes.buffer);
    return Atomics.load(this.#anyWords, address >>> 2);
  }

  /** The memory's buffer with every growth so far, this thread's or another's. */
  #currentBuffer(): ArrayBufferLike {
    this.memory.grow(0);
    return this.memory.buffer;
  }

  /** A byte view that reaches at least to `end`. */
  #covering(end: number): Uint8Array {
    let bytes = this.#bytes;
    if (end > bytes.length) bytes = this.#bytes = new Uint8Array(this.#currentBuffer());
    if (end > bytes.length) throw new InvalidPointerError(`address ${end} is past the memory's ${bytes.length} bytes`);
    return bytes;
  }

  /** A live view of `count` u32 words from `address` (4-aligned). */
  words32(address: number, count: number): Uint32Array {
    const bytes = this.#covering(address + count * 4);
    return new Uint32Array(bytes.buffer, address, count);
  }

  /** A live view of [address, address + length). */
  view(address: number, length: number): Uint8Array {
    return this.#covering(address + length).subarray(address, address + length);
  }

  /** A copy, in an unshared buffer (which TextDecoder accepts), of [address, address + length). */
  copy(address: number, length: number): Uint8Array {
    return this.#covering(address + length).slice(address, address + length);
  }

  write(address: number, data: Uint8Array): void {
    this.#covering(address + data.length).set(data, address);
  }

  /** The memory's size now, growth by other threads included. */
  get memoryBytes(): number {
    return this.#currentBuffer().byteLength;
  }
}
