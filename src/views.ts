// JS views over the shared memory. A view made before the memory grew keeps
// its old length but stays valid (shared memory is never detached), so views
// are re-made only when an address falls past them (DESIGN.md §2 rule 8).

import { InvalidPointerError } from "./errors.js";

/** How often to re-read `memory.buffer` when another thread's grow has not reached this one yet. */
const GROWTH_LAG_RETRIES = 1000;

export class MemoryViews {
  #bytes: Uint8Array;
  /** u32 words of the header and pool slots: they never move, so this view never needs refreshing. */
  readonly words: Uint32Array;

  constructor(readonly memory: WebAssembly.Memory) {
    this.#bytes = new Uint8Array(memory.buffer);
    this.words = new Uint32Array(memory.buffer);
  }

  /** Atomic read of the u32 at `address` (header and pool slots only). */
  word(address: number): number {
    return Atomics.load(this.words, address >>> 2);
  }

  /** A byte view that reaches at least to `end`. */
  #covering(end: number): Uint8Array {
    let bytes = this.#bytes;
    for (let retry = 0; end > bytes.length && retry < GROWTH_LAG_RETRIES; retry++) {
      bytes = this.#bytes = new Uint8Array(this.memory.buffer);
    }
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

  get memoryBytes(): number {
    return this.memory.buffer.byteLength;
  }
}
