// Property-based tests with fast-check: random sequences of operations on
// one thread against a simple model (a Set of live objects per pool). On a
// failure fast-check shrinks the sequence to the smallest one that still
// fails and prints it.

import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { DoubleFreeError, Heap, InvalidPointerError, OutOfMemoryError, type Pool } from "wasm-pools";

/** The model: the objects each pool has handed out and not taken back. */
type Model = Map<string, Set<number>>;

interface Real {
  heap: Heap;
  pools: Map<string, Pool>;
}

/** Pools of three sizes; "small" has a limit, so allocation can fail. */
const POOLS: Array<[name: string, size: number, limit: number]> = [
  ["small", 16, 40],
  ["mid", 64, 0],
  ["big", 1000, 0],
];
const poolName = fc.constantFrom(...POOLS.map(([name]) => name));

function live(model: Model, name: string): number[] {
  return [...model.get(name)!];
}

/** Each object is handed to one owner only: no pointer is live twice, in any pool. */
function expectDistinct(model: Model): void {
  const all = [...model.values()].flatMap((set) => [...set]);
  expect(new Set(all).size).toBe(all.length);
}

class Alloc implements fc.Command<Model, Real> {
  constructor(readonly name: string) {}
  check = () => true;
  run(model: Model, real: Real): void {
    const pool = real.pools.get(this.name)!;
    const ptr = pool.tryAlloc();
    const limit = POOLS.find(([name]) => name === this.name)![2];
    if (ptr === 0) {
      // Only the limited pool may refuse, and only at its limit.
      expect(limit).not.toBe(0);
      expect(pool.stats().allocated).toBeGreaterThanOrEqual(limit);
      expect(() => pool.alloc()).toThrow(OutOfMemoryError);
      return;
    }
    expect(ptr % 8).toBe(0);
    real.heap.bytes(ptr, pool.size).fill(0xab);
    model.get(this.name)!.add(ptr);
    expectDistinct(model);
    expect(pool.stats().used).toBe(model.get(this.name)!.size);
  }
  toString = () => `alloc(${this.name})`;
}

class Free implements fc.Command<Model, Real> {
  constructor(
    readonly name: string,
    readonly pick: number,
  ) {}
  check = (model: Readonly<Model>) => model.get(this.name)!.size > 0;
  run(model: Model, real: Real): void {
    const ptrs = live(model, this.name);
    const ptr = ptrs[this.pick % ptrs.length]!;
    real.pools.get(this.name)!.free(ptr);
    model.get(this.name)!.delete(ptr);
    expect(real.pools.get(this.name)!.stats().used).toBe(model.get(this.name)!.size);
  }
  toString = () => `free(${this.name}, #${this.pick})`;
}

class DoubleFree implements fc.Command<Model, Real> {
  constructor(readonly name: string) {}
  check = () => true;
  run(model: Model, real: Real): void {
    const pool = real.pools.get(this.name)!;
    const ptr = pool.tryAlloc();
    if (ptr === 0) return;
    pool.free(ptr);
    expect(() => pool.free(ptr)).toThrow(DoubleFreeError);
    expect(pool.stats().used).toBe(model.get(this.name)!.size);
  }
  toString = () => `doubleFree(${this.name})`;
}

class ForeignFree implements fc.Command<Model, Real> {
  constructor(
    readonly from: string,
    readonly into: string,
  ) {}
  check = (model: Readonly<Model>) => this.from !== this.into && model.get(this.from)!.size > 0;
  run(model: Model, real: Real): void {
    const ptr = live(model, this.from)[0]!;
    // Pools of different sizes refuse each other's objects.
    expect(() => real.pools.get(this.into)!.free(ptr)).toThrow(InvalidPointerError);
  }
  toString = () => `free(${this.from}'s object into ${this.into})`;
}

class Batch implements fc.Command<Model, Real> {
  constructor(
    readonly name: string,
    readonly count: number,
  ) {}
  check = () => true;
  run(model: Model, real: Real): void {
    const pool = real.pools.get(this.name)!;
    const out = new Uint32Array(this.count);
    const got = pool.allocMany(this.count, out);
    for (const ptr of out.subarray(0, got)) model.get(this.name)!.add(ptr);
    expectDistinct(model);
    // Give half back at once.
    const half = out.subarray(0, got >> 1);
    pool.freeMany(half);
    for (const ptr of half) model.get(this.name)!.delete(ptr);
    expect(pool.stats().used).toBe(model.get(this.name)!.size);
  }
  toString = () => `allocMany+freeMany(${this.name}, ${this.count})`;
}

class Flush implements fc.Command<Model, Real> {
  constructor(readonly name: string) {}
  check = () => true;
  run(model: Model, real: Real): void {
    const pool = real.pools.get(this.name)!;
    pool.flush();
    const stats = pool.stats();
    expect(stats).toMatchObject({ used: model.get(this.name)!.size, cached: 0, free: 0 });
  }
  toString = () => `flush(${this.name})`;
}

class Gc implements fc.Command<Model, Real> {
  check = () => true;
  run(model: Model, real: Real): void {
    real.heap.gc();
    for (const [name, pool] of real.pools) expect(pool.stats()).toMatchObject({ used: model.get(name)!.size, cached: 0, free: 0 });
  }
  toString = () => "gc()";
}

const commands = [
  poolName.map((name) => new Alloc(name)),
  fc.tuple(poolName, fc.nat()).map(([name, pick]) => new Free(name, pick)),
  poolName.map((name) => new DoubleFree(name)),
  fc.tuple(poolName, poolName).map(([from, into]) => new ForeignFree(from, into)),
  fc.tuple(poolName, fc.integer({ min: 0, max: 600 })).map(([name, count]) => new Batch(name, count)),
  poolName.map((name) => new Flush(name)),
  fc.constant(new Gc()),
];

describe("random operation sequences against a model", () => {
  for (const cacheBytes of [0, 1024, 256 << 10]) {
    it(`cacheBytes ${cacheBytes}: the pools agree with the model after every step, and heap.check() passes at the end`, async () => {
      await fc.assert(
        fc.asyncProperty(fc.commands(commands, { maxCommands: 150 }), async (sequence) => {
          const heap = await Heap.create({ cacheBytes, maxBytes: 16 << 20 });
          const pools = new Map(POOLS.map(([name, size, limit]) => [name, heap.createPool(name, size, { limit })]));
          const model: Model = new Map(POOLS.map(([name]) => [name, new Set<number>()]));
          try {
            fc.modelRun(() => ({ model, real: { heap, pools } }), sequence);
            heap.check();
            // Everything still held goes back, and the heap empties.
            for (const [name, set] of model) for (const ptr of set) pools.get(name)!.free(ptr);
            heap.gc();
            for (const pool of pools.values()) expect(pool.stats()).toMatchObject({ allocated: 0, used: 0 });
            heap.check();
          } finally {
            heap.close();
          }
        }),
        { numRuns: 60 },
      );
    });
  }
});
