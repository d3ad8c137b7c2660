// Every public call with every class of bad argument, from a table: each
// row names the call, the error class it must throw, and words its message
// must contain. After every row the heap passes heap.check() and still
// allocates and frees, so a refused call can have changed nothing.

import { describe, expect, it } from "vitest";
import {
  DoubleFreeError,
  Heap,
  HeapClosedError,
  IncompatibleHeapError,
  InvalidArgumentError,
  InvalidHandleError,
  InvalidPointerError,
  type Pool,
  PoolDestroyedError,
  PoolExistsError,
  PoolNotFoundError,
  WasmPoolsError,
} from "wasm-pools";
import { expectConsistent } from "./support/consistency.js";

type ErrorClass = new (...args: never[]) => WasmPoolsError;

interface World {
  heap: Heap;
  pool: Pool;
  /** An allocated object of `pool`. */
  held: number;
  /** A free object of `pool` (allocated, then freed). */
  freed: number;
  /** An allocated object of another pool of another size. */
  foreign: number;
  other: Heap;
  destroyed: Pool;
  closed: Heap;
  closedPool: Pool;
}

type Row = [what: string, call: (w: World) => unknown, error: ErrorClass, message: RegExp];

/** Each class of bad number, for an argument that wants an integer in a range. */
function badNumbers(argument: string, call: (w: World, value: number) => unknown, below: number, above: number): Row[] {
  // An option left undefined takes its default: only required arguments get the undefined row.
  const required = !argument.startsWith("options.");
  const integer = new RegExp(`${argument.replace(/[.[\]]/g, "\\$&")}: expected an integer`);
  return [
    [`${argument}: a string`, (w) => call(w, "8" as unknown as number), InvalidArgumentError, integer],
    ...(required
      ? [[`${argument}: undefined`, (w: World) => call(w, undefined as unknown as number), InvalidArgumentError, integer] as Row]
      : []),
    [`${argument}: NaN`, (w) => call(w, Number.NaN), InvalidArgumentError, integer],
    [`${argument}: Infinity`, (w) => call(w, Number.POSITIVE_INFINITY), InvalidArgumentError, integer],
    [`${argument}: -Infinity`, (w) => call(w, Number.NEGATIVE_INFINITY), InvalidArgumentError, integer],
    [`${argument}: fractional`, (w) => call(w, 8.5), InvalidArgumentError, integer],
    [`${argument}: a bigint`, (w) => call(w, 8n as unknown as number), InvalidArgumentError, integer],
    [`${argument}: below the range`, (w) => call(w, below), InvalidArgumentError, integer],
    [`${argument}: above the range`, (w) => call(w, above), InvalidArgumentError, integer],
  ];
}

/** Each class of bad pointer for a call that frees into `pool`. */
function badPointers(label: string, free: (w: World, ptr: number) => unknown): Row[] {
  return [
    [`${label}: 0`, (w) => free(w, 0), InvalidPointerError, /0 is not a pointer the pools hand out/],
    [`${label}: unaligned`, (w) => free(w, w.held + 4), InvalidPointerError, /not a pointer the pools hand out \(non-zero, 8-aligned\)/],
    [`${label}: negative`, (w) => free(w, -8), InvalidArgumentError, /expected an integer from 0 to 4294967295/],
    [`${label}: 2^32`, (w) => free(w, 2 ** 32), InvalidArgumentError, /expected an integer from 0 to 4294967295/],
    [`${label}: above 2^32`, (w) => free(w, 2 ** 40), InvalidArgumentError, /expected an integer from 0 to 4294967295/],
    [`${label}: NaN`, (w) => free(w, Number.NaN), InvalidArgumentError, /expected an integer/],
    [`${label}: a string`, (w) => free(w, "16" as unknown as number), InvalidArgumentError, /expected an integer, got the string "16"/],
    [`${label}: a BigInt`, (w) => free(w, 16n as unknown as number), InvalidArgumentError, /expected an integer, got the BigInt 16n/],
    [`${label}: a Symbol`, (w) => free(w, Symbol() as unknown as number), InvalidArgumentError, /expected an integer, got a symbol/],
    [
      `${label}: an object with a valueOf (never called)`,
      (w) =>
        free(w, {
          valueOf: () => {
            throw new Error("valueOf was called");
          },
        } as unknown as number),
      InvalidArgumentError,
      /expected an integer, got an object/,
    ],
    [`${label}: below the arena`, (w) => free(w, 1024), InvalidPointerError, /1024 is not inside the heap's arena/],
    [`${label}: past the arena`, (w) => free(w, 0x7ffffff8), InvalidPointerError, /is not inside the heap's arena/],
    [`${label}: inside an object`, (w) => free(w, w.held + 8), InvalidPointerError, /is not an allocated object of pool "p"/],
    [
      `${label}: an object of another size`,
      (w) => free(w, w.foreign),
      InvalidPointerError,
      /not an allocated object of pool "p" \(64-byte objects\)/,
    ],
    [`${label}: already free`, (w) => free(w, w.freed), DoubleFreeError, /already free in pool "p"/],
  ];
}

const HANDLE_ROWS: Row[] = [
  ["attach: undefined", () => Heap.attach(undefined as never), InvalidHandleError, /expected a value made by heap.handle\(\)/],
  ["attach: a string", () => Heap.attach("handle" as never), InvalidHandleError, /expected a value made by heap.handle\(\)/],
  ["attach: another kind", (w) => Heap.attach({ ...w.heap.handle(), kind: "other" } as never), InvalidHandleError, /heap.handle\(\)/],
  ["attach: another ABI", (w) => Heap.attach({ ...w.heap.handle(), abi: 999 } as never), IncompatibleHeapError, /ABI 999/],
  [
    "attach: memory not shared",
    (w) => Heap.attach({ ...w.heap.handle(), memory: new WebAssembly.Memory({ initial: 3 }) }),
    InvalidHandleError,
    /not a shared WebAssembly.Memory/,
  ],
  [
    "attach: module not a module",
    (w) => Heap.attach({ ...w.heap.handle(), module: {} as WebAssembly.Module }),
    InvalidHandleError,
    /handle.module/,
  ],
  ["attach: unknown build", (w) => Heap.attach({ ...w.heap.handle(), build: "fast" as never }), InvalidHandleError, /handle.build/],
  [
    "attach: another heap's memory",
    (w) => Heap.attach({ ...w.heap.handle(), memory: w.other.memory }),
    InvalidHandleError,
    /heapId does not match/,
  ],
  [
    "attach: a tampered heapId",
    (w) => Heap.attach({ ...w.heap.handle(), heapId: w.heap.handle().heapId ^ 1 }),
    InvalidHandleError,
    /heapId does not match/,
  ],
  [
    "attach: options not an object",
    (w) => Heap.attach(w.heap.handle(), 3 as never),
    InvalidArgumentError,
    /options: expected an options object/,
  ],
  [
    "attach: canBlock not a boolean",
    (w) => Heap.attach(w.heap.handle(), { canBlock: 1 as never }),
    InvalidArgumentError,
    /options.canBlock: expected a boolean/,
  ],
];

const CREATE_ROWS: Row[] = [
  ["create: options an array", () => Heap.create([] as never), InvalidArgumentError, /options: expected an options object/],
  ["create: options null", () => Heap.create(null as never), InvalidArgumentError, /options: expected an options object, got null/],
  ...badNumbers("options.maxBytes", (_w, v) => Heap.create({ maxBytes: v }), 65536, 2 ** 32),
  ...badNumbers("options.cacheBytes", (_w, v) => Heap.create({ cacheBytes: v }), -1, 2 ** 31),
  [
    "create: initialBytes above maxBytes",
    () => Heap.create({ initialBytes: 2 << 20, maxBytes: 1 << 20 }),
    InvalidArgumentError,
    /options.initialBytes/,
  ],
  [
    "create: build unknown",
    () => Heap.create({ build: "fast" as never }),
    InvalidArgumentError,
    /options.build: expected "release" or "debug"/,
  ],
  ["create: module a number", () => Heap.create({ module: 3 as never }), InvalidArgumentError, /options.module/],
  [
    "create: switches not an object",
    () => Heap.create({ unsafeTestSwitches: "on" as never }),
    InvalidArgumentError,
    /options.unsafeTestSwitches/,
  ],
];

const POOL_ROWS: Row[] = [
  ["createPool: name not a string", (w) => w.heap.createPool(7 as never, 8), InvalidArgumentError, /name: expected a string, got number/],
  ["createPool: empty name", (w) => w.heap.createPool("", 8), InvalidArgumentError, /name: expected 1 to 31 bytes of UTF-8, got 0/],
  ["createPool: name too long", (w) => w.heap.createPool("x".repeat(32), 8), InvalidArgumentError, /got 32/],
  ["createPool: name too long in UTF-8", (w) => w.heap.createPool("é".repeat(16), 8), InvalidArgumentError, /got 32/],
  ["createPool: name taken", (w) => w.heap.createPool("p", 64), PoolExistsError, /"p" exists already/],
  ...badNumbers("size", (w, v) => w.heap.createPool("q", v), 0, 2 ** 30 + 1),
  [
    "createPool: options a string",
    (w) => w.heap.createPool("q", 8, "shared" as never),
    InvalidArgumentError,
    /options: expected an options object/,
  ],
  [
    "createPool: shared not a boolean",
    (w) => w.heap.createPool("q", 8, { shared: "yes" as never }),
    InvalidArgumentError,
    /options.shared/,
  ],
  ...badNumbers("options.minAvail", (w, v) => w.heap.createPool("q", 8, { minAvail: v }), -1, 2 ** 32),
  ...badNumbers("options.limit", (w, v) => w.heap.createPool("q", 8, { limit: v }), -1, 2 ** 32),
  ["pool: unknown name", (w) => w.heap.pool("nope"), PoolNotFoundError, /no live pool is named "nope"/],
  ["pool: free id", (w) => w.heap.pool(200), PoolNotFoundError, /no live pool has id 200/],
  ["pool: a boolean", (w) => w.heap.pool(true as never), InvalidArgumentError, /nameOrId: expected a pool name or id/],
  ...badNumbers("nameOrId", (w, v) => w.heap.pool(v), -1, 256).filter(
    ([what]) => !what.includes("string") && !what.includes("undefined") && !what.includes("bigint"),
  ),
  ...badNumbers("threadId", (w, v) => w.heap.reclaimThread(v), 0, 2 ** 32),
  ["reclaimThread: own id", (w) => w.heap.reclaimThread(w.heap.threadId), InvalidArgumentError, /own id/],
  ["reclaimThread: unknown id", (w) => w.heap.reclaimThread(4000), InvalidArgumentError, /no attached thread has id 4000/],
  ...badNumbers("ptr", (w, v) => w.heap.bytes(v, 8), -1, 2 ** 32),
  ...badNumbers("length", (w, v) => w.heap.bytes(w.held, v), -1, 2 ** 32),
  ["bytes: outside the arena", (w) => w.heap.bytes(8, 8), InvalidPointerError, /is not inside the heap's arena/],
  ...badPointers("free", (w, p) => w.pool.free(p)),
  ...badPointers("freeMany", (w, p) => w.pool.freeMany(Uint32Array.of(p >>> 0 === p ? p : 1))).filter(
    ([what]) => !/negative|2\^32|NaN|string|BigInt|Symbol|valueOf/.test(what),
  ),
  ["allocMany: out not a Uint32Array", (w) => w.pool.allocMany(1, [0] as never), InvalidArgumentError, /out: expected a Uint32Array/],
  ...badNumbers("count", (w, v) => w.pool.allocMany(v, new Uint32Array(4)), -1, 5),
  ["freeMany: ptrs an array", (w) => w.pool.freeMany([w.held] as never), InvalidArgumentError, /ptrs: expected a Uint32Array/],
  [
    "allocMany: out a Proxy of a Uint32Array that says it is longer",
    (w) => w.pool.allocMany(300, new Proxy(new Uint32Array(4), { get: (t, k) => (k === "length" ? 300 : Reflect.get(t, k)) })),
    InvalidArgumentError,
    /out: expected a Uint32Array, got an object/,
  ],
  [
    "freeMany: ptrs a Proxy of a Uint32Array",
    (w) => w.pool.freeMany(new Proxy(Uint32Array.of(w.held), {})),
    InvalidArgumentError,
    /ptrs: expected a Uint32Array, got an object/,
  ],
  ...badNumbers("count", (w, v) => w.pool.freeMany(new Uint32Array(4), v), -1, 5).filter(([what]) => !what.includes("undefined")),
];

const STALE_ROWS: Row[] = [
  ["alloc on a destroyed pool", (w) => w.destroyed.alloc(), PoolDestroyedError, /pool "gone" was destroyed/],
  ["tryAlloc on a destroyed pool", (w) => w.destroyed.tryAlloc(), PoolDestroyedError, /was destroyed/],
  ["free on a destroyed pool", (w) => w.destroyed.free(w.held), PoolDestroyedError, /was destroyed/],
  ["flush on a destroyed pool", (w) => w.destroyed.flush(), PoolDestroyedError, /was destroyed/],
  ["stats on a destroyed pool", (w) => w.destroyed.stats(), PoolDestroyedError, /was destroyed/],
  ["destroy twice", (w) => w.destroyed.destroy(), PoolDestroyedError, /was destroyed/],
  ["allocMany on a destroyed pool", (w) => w.destroyed.allocMany(1, new Uint32Array(1)), PoolDestroyedError, /was destroyed/],
  ["createPool on a closed heap", (w) => w.closed.createPool("x", 8), HeapClosedError, /closed on this thread/],
  ["gc on a closed heap", (w) => w.closed.gc(), HeapClosedError, /closed on this thread/],
  ["stats on a closed heap", (w) => w.closed.stats(), HeapClosedError, /closed on this thread/],
  ["handle of a closed heap", (w) => w.closed.handle(), HeapClosedError, /closed on this thread/],
  ["check on a closed heap", (w) => w.closed.check(), HeapClosedError, /closed on this thread/],
  ["alloc through a closed heap's pool", (w) => w.closedPool.alloc(), HeapClosedError, /closed on this thread/],
  ["free through a closed heap's pool", (w) => w.closedPool.free(w.held), HeapClosedError, /closed on this thread/],
];

const ROWS = [...HANDLE_ROWS, ...CREATE_ROWS, ...POOL_ROWS, ...STALE_ROWS];

describe("bad input, exhaustively", () => {
  it(`has a row for every class of bad argument (${ROWS.length} rows)`, () => {
    expect(ROWS.length).toBeGreaterThan(150);
  });

  for (const [what, call, error, message] of ROWS) {
    it(`${what}: ${error.name}`, async () => {
      const heap = await Heap.create();
      const pool = heap.createPool("p", 64);
      const other = await Heap.create();
      const foreign = heap.createPool("foreign", 24).alloc();
      const held = pool.alloc();
      const freed = pool.alloc();
      pool.free(freed);
      const destroyed = heap.createPool("gone", 16);
      destroyed.destroy();
      const closed = await Heap.create();
      const closedPool = closed.createPool("c", 8);
      closed.close();
      const world: World = { heap, pool, held, freed, foreign, other, destroyed, closed, closedPool };

      const before = pool.stats();
      let thrown: unknown;
      try {
        await call(world);
      } catch (caught) {
        thrown = caught;
      }
      expect(thrown, "the call must throw").toBeInstanceOf(error);
      expect(thrown).toBeInstanceOf(WasmPoolsError);
      expect((thrown as Error).message).toMatch(message);
      // Nothing changed, nothing broke.
      expect(pool.stats()).toEqual(before);
      expectConsistent(heap);
      pool.free(held);
      expectConsistent(heap);
      heap.close();
      other.close();
    });
  }
});
