// The floor of any JS-side allocator: the free objects' addresses kept on a
// stack in an Int32Array, popped by alloc and pushed by free, with no check,
// no atomics and no shared state. Whatever a pool does on top of this
// (validation, per-thread caches, cross-thread frees) costs more than this.

export class Int32Lifo {
  // Plain fields, not #private ones: V8 optimises them better (see src/pool.ts).
  private readonly stack: Int32Array;
  private top: number;

  /** A stack holding `objects` addresses of `objectSize`-byte objects (never 0). */
  constructor(objectSize: number, objects: number) {
    this.stack = new Int32Array(objects);
    for (let i = 0; i < objects; i++) this.stack[i] = (i + 1) * objectSize;
    this.top = objects;
  }

  /** Pops a free address (the caller never takes more than it made). */
  alloc(): number {
    return this.stack[--this.top]!;
  }

  /** Pushes `ptr` back. */
  free(ptr: number): void {
    this.stack[this.top++] = ptr;
  }
}
