// The baseline a user would write by hand: a lock-free pool of fixed-size
// objects over a SharedArrayBuffer, with no wasm. The free list is a Treiber
// stack whose head packs {index, tag} into one BigInt64 word, changed only by
// Atomics.compareExchange, so ABA cannot corrupt it (the same idea as the
// package's core). Objects are slots of a preallocated slab; a slot's first
// word links it while it is free.
//
//   meta  BigInt64Array [ head = tag << 32 | (index + 1) ]   (0 = empty)
//   next  Int32Array    [ next index + 1 per slot ]

export class AtomicsPool {
  // Plain fields, not #private ones: V8 optimises them better (see src/pool.ts).
  readonly memory: SharedArrayBuffer;
  private readonly head: BigInt64Array;
  private readonly next: Int32Array;
  private readonly size: number;

  constructor(objectSize: number, capacity: number) {
    this.size = objectSize;
    this.memory = new SharedArrayBuffer(8 + capacity * 4);
    this.head = new BigInt64Array(this.memory, 0, 1);
    this.next = new Int32Array(this.memory, 8, capacity);
    for (let i = 0; i < capacity; i++) this.next[i] = i + 1 < capacity ? i + 2 : 0;
    this.head[0] = capacity > 0 ? 1n : 0n;
  }

  /** Byte offset of a free object in the slab, or -1 when the slab is empty. */
  alloc(): number {
    for (;;) {
      const head = Atomics.load(this.head, 0);
      const link = Number(head & 0xffffffffn);
      if (link === 0) return -1;
      const next = Atomics.load(this.next, link - 1);
      const replacement = (((head >> 32n) + 1n) << 32n) | BigInt(next);
      if (Atomics.compareExchange(this.head, 0, head, replacement) === head) return (link - 1) * this.size;
    }
  }

  free(offset: number): void {
    const link = offset / this.size + 1;
    for (;;) {
      const head = Atomics.load(this.head, 0);
      Atomics.store(this.next, link - 1, Number(head & 0xffffffffn));
      const replacement = (((head >> 32n) + 1n) << 32n) | BigInt(link);
      if (Atomics.compareExchange(this.head, 0, head, replacement) === head) return;
    }
  }
}
