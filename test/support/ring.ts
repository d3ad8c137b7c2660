// A single-producer single-consumer ring of u32 pointers over a
// SharedArrayBuffer, for handing objects from one worker to another. The
// producer writes slots plainly and publishes its count with one atomic
// store every PUBLISH_EVERY items (and at the end), so the ring costs little
// next to the allocator it measures. A consumer with nothing to do may sleep
// (wait()); the producer wakes it when it publishes.
//
//   Int32Array  [ consumed | produced | sleeping | unused ]  counters, changed by Atomics
//   Uint32Array [ slot 0 .. CAPACITY-1 ]                     pointers, written before publication

const CONSUMED = 0;
const PRODUCED = 1;
/** 1 while the consumer sleeps (or is about to) on PRODUCED. */
const SLEEPING = 2;
const COUNTERS_BYTES = 16;
export const RING_CAPACITY = 4096;
const PUBLISH_EVERY = 32;
/** Empty polls wait() spins before it sleeps: a few microseconds, so a consumer sleeps only when its producer is slow or off the CPU. */
const SPINS_BEFORE_SLEEP = 4096;

export function makeRing(): SharedArrayBuffer {
  return new SharedArrayBuffer(COUNTERS_BYTES + RING_CAPACITY * 4);
}

export class RingProducer {
  private readonly counters: Int32Array;
  private readonly slots: Uint32Array;
  private produced = 0;

  constructor(ring: SharedArrayBuffer) {
    this.counters = new Int32Array(ring, 0, COUNTERS_BYTES / 4);
    this.slots = new Uint32Array(ring, COUNTERS_BYTES, RING_CAPACITY);
    this.produced = Atomics.load(this.counters, PRODUCED);
  }

  /** Adds `ptr`, spinning while the ring is full. */
  push(ptr: number): void {
    while (this.produced - Atomics.load(this.counters, CONSUMED) >= RING_CAPACITY) {}
    this.slots[this.produced % RING_CAPACITY] = ptr;
    this.produced++;
    if (this.produced % PUBLISH_EVERY === 0) this.publish();
  }

  /** Publishes what push() has not published yet. */
  flush(): void {
    this.publish();
  }

  private publish(): void {
    // Publish the slots written so far to the consumer, then wake it if it sleeps.
    // Both are sequentially consistent with the consumer's SLEEPING store and its
    // wait's read of PRODUCED, so either the consumer sees the new count or we see it sleeping.
    Atomics.store(this.counters, PRODUCED, this.produced);
    if (Atomics.load(this.counters, SLEEPING) !== 0) Atomics.notify(this.counters, PRODUCED);
  }
}

export class RingConsumer {
  private readonly counters: Int32Array;
  private readonly slots: Uint32Array;
  private consumed = 0;

  constructor(ring: SharedArrayBuffer) {
    this.counters = new Int32Array(ring, 0, COUNTERS_BYTES / 4);
    this.slots = new Uint32Array(ring, COUNTERS_BYTES, RING_CAPACITY);
    this.consumed = Atomics.load(this.counters, CONSUMED);
  }

  /** Passes each of the next `count` pointers to `take`, spinning while the ring is empty. */
  drain(count: number, take: (ptr: number) => void): void {
    const end = this.consumed + count;
    while (this.consumed < end) this.poll(take, end);
  }

  /** Passes the pointers published so far (up to the `end`-th of the ring's life) to `take`, without waiting; returns how many. */
  poll(take: (ptr: number) => void, end = Number.POSITIVE_INFINITY): number {
    const start = this.consumed;
    const available = Math.min(Atomics.load(this.counters, PRODUCED), end);
    for (; this.consumed < available; this.consumed++) take(this.slots[this.consumed % RING_CAPACITY]!);
    if (this.consumed !== start) Atomics.store(this.counters, CONSUMED, this.consumed);
    return this.consumed - start;
  }

  /**
   * Waits until the producer publishes what this consumer has not taken:
   * spins a little, then sleeps until the producer wakes it. (Atomics.wait:
   * for workers, not for a browser's main thread.)
   */
  wait(): void {
    for (let spin = 0; spin < SPINS_BEFORE_SLEEP; spin++) if (Atomics.load(this.counters, PRODUCED) !== this.consumed) return;
    Atomics.store(this.counters, SLEEPING, 1);
    Atomics.wait(this.counters, PRODUCED, this.consumed);
    Atomics.store(this.counters, SLEEPING, 0);
  }
}
