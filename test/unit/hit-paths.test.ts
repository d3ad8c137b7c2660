// One rule per language, checked from outside: the JS hit paths
// (src/cache-hit.ts) and the core's (assembly/cache.ts) must decide alike,
// and the hit paths' written-out chunk checks as the chunk rule (src/chunks.ts).
// The same random operation sequence runs on two heaps, one with the JS hit
// paths and one without (unsafeTestSwitches.noJsHitPath: every call goes to
// the core), and both must hand out the same pointers, refuse the same
// calls and report the same stats after every step.

import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { Heap, type Pool } from "wasm-pools";
import { allocHit, freeHit, mallocFreeHit, mallocHit } from "../../dist/cache-hit.js";
import { madeFor } from "../../dist/chunks.js";
import {
  ARENA_START,
  B_LIMIT_BYTES,
  CACHE_ENTRIES,
  CHUNK_HEADER,
  CHUNK_ON_FREE_LIST,
  CHUNK_USED,
  E_COUNT,
  E_FIRST,
  E_FRONT,
  E_FRONT_CAPACITY,
  E_FRONT_COUNT,
  E_STAMP,
  E_TOKEN,
  FRONT_SLOTS,
  H_BACKING_TOP,
  P_STAMP,
  POOLS_START,
} from "../../dist/layout.js";
import { LARGEST_CLASS } from "../../dist/size-classes.js";

/** Five pools, so that eviction has a choice; "small" has a limit, so allocation can fail. */
const POOLS: Array<[name: string, size: number, limit: number]> = [
  ["small", 16, 40],
  ["a", 48, 0],
  ["b", 64, 0],
  ["c", 64, 0],
  ["big", 1000, 0],
];

type Op =
  | { kind: "alloc"; pool: number; count: number }
  | { kind: "free"; pool: number; pick: number; count: number }
  | { kind: "freeWrong"; pool: number; pick: number }
  | { kind: "allocMany"; pool: number; count: number }
  | { kind: "freeMany"; pool: number; count: number }
  | { kind: "flush"; pool: number }
  | { kind: "gc" };

const pool = fc.integer({ min: 0, max: POOLS.length - 1 });
/** Runs of calls on one pool: they fill and empty cache entries, so eviction takes turns between pools. */
const run = fc.integer({ min: 1, max: 40 });
const op: fc.Arbitrary<Op> = fc.oneof(
  { weight: 6, arbitrary: fc.record({ kind: fc.constant("alloc" as const), pool, count: run }) },
  { weight: 5, arbitrary: fc.record({ kind: fc.constant("free" as const), pool, pick: fc.nat(), count: run }) },
  { weight: 1, arbitrary: fc.record({ kind: fc.constant("freeWrong" as const), pool, pick: fc.nat() }) },
  { weight: 1, arbitrary: fc.record({ kind: fc.constant("allocMany" as const), pool, count: fc.integer({ min: 0, max: 300 }) }) },
  { weight: 1, arbitrary: fc.record({ kind: fc.constant("freeMany" as const), pool, count: fc.integer({ min: 0, max: 300 }) }) },
  { weight: 1, arbitrary: pool.map((p) => ({ kind: "flush" as const, pool: p })) },
  { weight: 1, arbitrary: fc.constant({ kind: "gc" as const }) },
);

/** What a call returned or threw, as a comparable value. */
function outcome(call: () => unknown): unknown {
  try {
    return call() ?? "done";
  } catch (error) {
    return (error as Error).constructor.name;
  }
}

/** Runs `ops` on a new heap and returns, step by step, what each call gave and every pool's stats after it. */
async function trace(ops: Op[], cacheBytes: number, jsHitPath: boolean): Promise<unknown[]> {
  const heap = await Heap.create({ cacheBytes, maxBytes: 8 << 20, seed: 7, unsafeTestSwitches: { noJsHitPath: !jsHitPath } });
  const pools: Pool[] = POOLS.map(([name, size, limit]) => heap.createPool(name, size, { limit }));
  const held: number[][] = POOLS.map(() => []);
  const steps: unknown[] = [];
  try {
    for (const o of ops) {
      const p = o.kind === "gc" ? undefined : pools[o.pool]!;
      const mine = o.kind === "gc" ? [] : held[o.pool]!;
      let result: unknown;
      switch (o.kind) {
        case "alloc":
          result = Array.from({ length: o.count }, () =>
            outcome(() => {
              const ptr = p!.alloc();
              mine.push(ptr);
              return ptr;
            }),
          );
          break;
        case "free":
          if (mine.length === 0) continue;
          result = Array.from({ length: Math.min(o.count, mine.length) }, (_, n) =>
            outcome(() => p!.free(mine.splice((o.pick + n) % mine.length, 1)[0]!)),
          );
          break;
        case "freeWrong": {
          // Into a pool of another size, then twice into its own (a double free): both paths must refuse alike.
          // (A pool of the same size takes it: nothing in a chunk names its pool without debug.tag.)
          if (mine.length === 0) continue;
          const ptr = mine.splice(o.pick % mine.length, 1)[0]!;
          const wrong = pools[POOLS.findIndex(([, size]) => size !== POOLS[o.pool]![1])]!;
          result = [outcome(() => wrong.free(ptr)), outcome(() => p!.free(ptr)), outcome(() => p!.free(ptr))];
          break;
        }
        case "allocMany": {
          const out = new Uint32Array(o.count);
          result = outcome(() => {
            const got = p!.allocMany(o.count, out);
            mine.push(...out.subarray(0, got));
            return [...out.subarray(0, got)];
          });
          break;
        }
        case "freeMany": {
          const ptrs = Uint32Array.from(mine.splice(0, o.count));
          result = outcome(() => p!.freeMany(ptrs));
          break;
        }
        case "flush":
          result = outcome(() => p!.flush());
          break;
        case "gc":
          result = outcome(() => heap.gc());
          break;
      }
      steps.push({ op: o, result, stats: pools.map((each) => each.stats()), cachedBytes: heap.stats().cachedBytes });
    }
    heap.check();
    const { pools: _pools, ...totals } = heap.stats();
    steps.push(totals);
  } finally {
    heap.close();
  }
  return steps;
}

describe("the JS hit paths and the core's decide alike", () => {
  it("the switch takes the JS hit paths away from the creating thread only", async () => {
    const wordsOf = (pool: Pool) => (pool as unknown as { binding: { words: Uint32Array } }).binding.words.length;
    const off = await Heap.create({ unsafeTestSwitches: { noJsHitPath: true } });
    const on = await Heap.create();
    expect(wordsOf(off.createPool("p", 64))).toBe(0);
    expect(wordsOf(on.createPool("p", 64))).toBeGreaterThan(0);
    off.close();
    on.close();
  });

  it("an alloc hit counts as a use for eviction's second chance in JS as in the core (a sequence random runs rarely reach)", async () => {
    // [alloc (0) or free (1), pool, times]: 16 objects fit the bound; pool 0's
    // entry is used only by alloc hits between two evictions that reach it.
    const steps = [
      [0, 0, 9],
      [0, 2, 10],
      [0, 0, 6],
      [1, 2, 10],
      [0, 1, 6],
      [0, 2, 12],
      [1, 0, 2],
      [1, 1, 4],
    ] as const;
    const cachedAfterEachStep = async (jsHitPath: boolean) => {
      const heap = await Heap.create({ cacheBytes: 1024, unsafeTestSwitches: { noJsHitPath: !jsHitPath } });
      const pools = [0, 1, 2].map((n) => heap.createPool(`p${n}`, 64));
      const held: number[][] = [[], [], []];
      const cached = steps.map(([free, pool, times]) => {
        for (let n = 0; n < times; n++) {
          if (free) pools[pool]!.free(held[pool]!.pop()!);
          else held[pool]!.push(pools[pool]!.alloc());
        }
        return pools.map((each) => each.stats().cached);
      });
      heap.close();
      return cached;
    };
    expect(await cachedAfterEachStep(true)).toEqual(await cachedAfterEachStep(false));
  });

  for (const cacheBytes of [0, 1024, 4096, 256 << 10]) {
    it(`cacheBytes ${cacheBytes}: the same sequences give the same pointers, refusals and stats with and without them`, async () => {
      await fc.assert(
        fc.asyncProperty(fc.array(op, { maxLength: 200 }), async (ops) => {
          expect(await trace(ops, cacheBytes, true)).toEqual(await trace(ops, cacheBytes, false));
        }),
        { numRuns: 100 },
      );
    });
  }
});

describe("the JS hit paths and the chunk rule", () => {
  // src/cache-hit.ts writes the chunk rule out by hand (for speed); its
  // verdicts must be madeFor's (src/chunks.ts), for every chunk size around
  // the pool's and for size words past 2 GiB.
  const words = new Uint32Array((ARENA_START + 65536) / 4);
  const object = ARENA_START + 256;
  const site = {
    block: (ARENA_START + 1024) / 4,
    entry: (ARENA_START + 1024 + CACHE_ENTRIES) / 4,
    stamp: (POOLS_START + P_STAMP) / 4,
    token: 7,
    size: 0,
  };
  /** The entry holds current objects of the pool; `object`'s chunk header is `header`. */
  function setUp(size: number, header: number): void {
    words.fill(0);
    words[H_BACKING_TOP / 4] = words.length * 4;
    words[site.stamp] = 3;
    words[site.entry + E_TOKEN / 4] = site.token;
    words[site.entry + E_STAMP / 4] = 3;
    words[site.block + B_LIMIT_BYTES / 4] = 2 ** 31;
    words[site.entry + E_FRONT_CAPACITY / 4] = FRONT_SLOTS;
    words[(object - CHUNK_HEADER) / 4] = header;
    site.size = size;
  }
  const chunkSizes = (size: number): number[] => [
    ...Array.from({ length: 9 }, (_, i) => size + CHUNK_HEADER + (i - 4) * 8).filter((c) => c > 0),
    2 ** 31 + size + CHUNK_HEADER,
    2 ** 32 - 8,
  ];

  describe("heap.malloc's, which find the class pool by size / 8", () => {
    /** A table with the site at every index the hit path may compute, past the classes too. */
    const everywhere = Array.from({ length: 2 ** 13 }, () => site);
    it(`take requests up to the largest class (${LARGEST_CLASS} bytes) only, whole numbers only`, () => {
      const taken = (bytes: unknown): boolean => {
        setUp(LARGEST_CLASS, (LARGEST_CLASS + CHUNK_HEADER) | CHUNK_USED | CHUNK_ON_FREE_LIST);
        words[site.entry + E_FRONT / 4] = object;
        words[site.entry + E_FRONT_COUNT / 4] = 1;
        return mallocHit(words, everywhere, bytes as number) === object;
      };
      expect([0, 1, 64, LARGEST_CLASS].map(taken)).toEqual([true, true, true, true]);
      // 2^32 - 1 would wrap to index 0 without the bound.
      expect([LARGEST_CLASS + 1, 2 ** 32 - 1, 2 ** 32, 8.5, -8, "64", Number.NaN].map(taken)).toEqual(Array(7).fill(false));
    });
    it("free by the chunk header's size: its own entry of the table, and nothing for garbage sizes", () => {
      const size = 1024;
      const freedWith = (table: Array<typeof site | undefined>, header: number): boolean => {
        setUp(size, header >>> 0);
        return mallocFreeHit(words, table, object);
      };
      const own: Array<typeof site | undefined> = [];
      own[size / 8] = site;
      expect(freedWith(own, (size + CHUNK_HEADER) | CHUNK_USED)).toBe(true);
      const others = everywhere.map((s, i) => (i === size / 8 ? undefined : s));
      expect(freedWith(others, (size + CHUNK_HEADER) | CHUNK_USED)).toBe(false);
      for (const garbage of [0, CHUNK_USED, 2 ** 32 - 8 + CHUNK_USED]) expect(freedWith(everywhere, garbage)).toBe(false);
    });
  });

  for (const size of [8, 64, 72, 2048, 2 ** 30]) {
    it(`decide as madeFor for ${size}-byte pools`, () => {
      const verdicts: string[] = [];
      for (const chunk of chunkSizes(size)) {
        const rule = madeFor(chunk | 1, size);
        // alloc from the chain, alloc from the front, free (onto the front).
        setUp(size, (chunk | CHUNK_USED | CHUNK_ON_FREE_LIST) >>> 0);
        words[site.entry + E_FIRST / 4] = object;
        words[site.entry + E_COUNT / 4] = 1;
        const took = allocHit(words, site) === object;
        setUp(size, (chunk | CHUNK_USED | CHUNK_ON_FREE_LIST) >>> 0);
        words[site.entry + E_FRONT / 4] = object;
        words[site.entry + E_FRONT_COUNT / 4] = 1;
        const tookFront = allocHit(words, site) === object;
        setUp(size, (chunk | CHUNK_USED) >>> 0);
        const put = freeHit(words, site, object);
        verdicts.push(`chunk ${chunk}: rule ${rule}, alloc ${took}, front ${tookFront}, free ${put}`);
        expect(verdicts.at(-1)).toBe(`chunk ${chunk}: rule ${rule}, alloc ${rule}, front ${rule}, free ${rule}`);
      }
      expect(verdicts.filter((v) => v.includes("rule true"))).toHaveLength(1);
    });
  }
});
