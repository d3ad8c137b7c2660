// Operations per second from the workers' shared counters (one BigInt64 word
// per worker, added to after each batch).

export class OperationMeter {
  private last = performance.now();
  private lastOperations: number;

  constructor(private readonly counts: BigInt64Array) {
    this.lastOperations = this.total();
  }

  /** Operations of every worker so far. */
  total(): number {
    let operations = 0;
    for (let n = 0; n < this.counts.length; n++) operations += Number(Atomics.load(this.counts, n));
    return operations;
  }

  /** Operations so far, and per second since the last read (or since the meter was made). */
  read(): { operations: number; rate: number } {
    const operations = this.total();
    const now = performance.now();
    const rate = now > this.last ? ((operations - this.lastOperations) * 1000) / (now - this.last) : 0;
    this.last = now;
    this.lastOperations = operations;
    return { operations, rate };
  }
}
