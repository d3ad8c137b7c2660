// Ownership markers for concurrency tests. When a worker gets an object it
// writes a claim unique to that allocation into the object's second word
// with an atomic exchange; before freeing it checks, atomically, that the
// claim is still its own. While a correct pool hands an object to one owner
// at a time, nobody else writes that word, so a changed claim proves that
// the object was handed out twice (or overlaps another live object).
//
// The first word is left alone: it is the free-list link while the object
// is free. Claims never need a zeroed object, so objects recycled through
// the backing allocator (with stale bytes) are fine.

export class Claims {
  #words: Int32Array;
  #next: number;
  /** Objects whose claim was overwritten by another owner. */
  doubles = 0;

  constructor(
    readonly memory: WebAssembly.Memory,
    workerNumber: number,
  ) {
    this.#words = new Int32Array(memory.buffer);
    // Claims are unique across workers: worker number in the high bits.
    this.#next = (workerNumber + 1) << 24;
  }

  #wordIndex(ptr: number): number {
    const index = (ptr >>> 2) + 1;
    if (index >= this.#words.length) {
      // Another thread grew the memory; grow(0) makes this thread see it at once.
      this.memory.grow(0);
      this.#words = new Int32Array(this.memory.buffer);
    }
    return index;
  }

  /** Claims a freshly allocated object; returns the claim to check later. */
  claim(ptr: number): number {
    const claim = this.#next++ | 0;
    const index = this.#wordIndex(ptr); // first: it may replace #words
    Atomics.exchange(this.#words, index, claim);
    return claim;
  }

  /** Checks the claim before the object is freed; returns whether it was still ours. */
  release(ptr: number, claim: number): boolean {
    const index = this.#wordIndex(ptr); // first: it may replace #words
    const ours = Atomics.load(this.#words, index) === claim;
    if (!ours) this.doubles++;
    return ours;
  }

  /**
   * Takes over an object that its last owner handed on with claim
   * `expected`; returns the new claim, or 0 (and counts a double) if the
   * claim changed meanwhile.
   */
  transfer(ptr: number, expected: number): number {
    const claim = this.#next++ | 0;
    const index = this.#wordIndex(ptr); // first: it may replace #words
    if (Atomics.compareExchange(this.#words, index, expected, claim) === expected) return claim;
    this.doubles++;
    return 0;
  }
}

/** The objects one worker holds, each with its claim. */
export class Holding {
  readonly #ptrs: number[] = [];
  readonly #claims: number[] = [];

  constructor(readonly claims: Claims) {}

  get size(): number {
    return this.#ptrs.length;
  }

  /** Claims a freshly allocated object and holds it. */
  add(ptr: number): void {
    this.#ptrs.push(ptr);
    this.#claims.push(this.claims.claim(ptr));
  }

  /**
   * Stops holding the object at `index` (the last one takes its place);
   * returns it if it was still ours, to be freed, or 0 if it was handed out
   * twice (its other owner frees it).
   */
  take(index: number): number {
    const ptr = this.#ptrs[index]!;
    const claim = this.#claims[index]!;
    this.#ptrs[index] = this.#ptrs[this.#ptrs.length - 1]!;
    this.#claims[index] = this.#claims[this.#claims.length - 1]!;
    this.#ptrs.pop();
    this.#claims.pop();
    return this.claims.release(ptr, claim) ? ptr : 0;
  }
}
