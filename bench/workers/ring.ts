// A single-producer single-consumer ring of u32 pointers over a
// SharedArrayBuffer, for handing objects from one worker to another. The
// producer writes slots plainly and publishes its count with one atomic
// store every PUBLISH_EVERY items (and at the end), so the ring costs little
// next to the allocator it measures.
//
//   Int32Array  [ consumed | produced ]   counters, changed by Atomics
//   Uint32Array [ slot 0 .. CAPACITY-1 ]  pointers, written before publication

const CONSUMED = 0;
const PRODUCED = 1;
export const RING_CAPACITY = 4096;
const PUBLISH_EVERY = 32;

export function makeRing(): SharedArrayBuffer {
  return new SharedArrayBuffer(8 + RING_CAPACITY * 4);
}

export class RingProducer {
  private readonly counters: Int32Array;
  private readonly slots: Uint32Array;
  private produced = 0;

  constructor(ring: SharedArrayBuffer) {
    this.counters = new Int32Array(ring, 0, 2);
    this.slots = new Uint32Array(ring, 8, RING_CAPACITY);
    this.produced = Atomics.load(this.counters, PRODUCED);
  }

  /** Adds `ptr`, spinning while the ring is full. */
  push(ptr: number): void {
    while (this.produced - Atomics.load(this.counters, CONSUMED) >= RING_CAPACITY) {}
    this.slots[this.produced % RING_CAPACITY] = ptr;
    this.produced++;
    if (this.produced % PUBLISH_EVERY === 0) Atomics.store(this.counters, PRODUCED, this.produced);
  }

  /** Publishes what push() has not published yet. */
  flush(): void {
    Atomics.store(this.counters, PRODUCED, this.produced);
  }
}

export class RingConsumer {
  private readonly counters: Int32Array;
  private readonly slots: Uint32Array;
  private consumed = 0;

  constructor(ring: SharedArrayBuffer) {
    this.counters = new Int32Array(ring, 0, 2);
    this.slots = new Uint32Array(ring, 8, RING_CAPACITY);
    this.consumed = Atomics.load(this.counters, CONSUMED);
  }

  /** Passes each of the next `count` pointers to `take`, spinning while the ring is empty. */
  drain(count: number, take: (ptr: number) => void): void {
    const end = this.consumed + count;
    while (this.consumed < end) {
      const available = Math.min(Atomics.load(this.counters, PRODUCED), end);
      for (; this.consumed < available; this.consumed++) take(this.slots[this.consumed % RING_CAPACITY]!);
      Atomics.store(this.counters, CONSUMED, this.consumed);
    }
  }
}
