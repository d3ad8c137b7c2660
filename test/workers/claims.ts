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
}
