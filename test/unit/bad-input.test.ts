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
  OutOfMemoryError,
  type Pool,
  PoolDestroyedError,
  PoolExistsError,
  PoolNotFoundError,
  PoolNotOwnedError,
  WasmPoolsError,
} from "wasm-pools";
import { expectConsistent } from "../support/consistency.js";
import { changedWords, snapshotOf } from "../support/heap-snapshot.js";

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
  /** A 64-byte block of heap.malloc, and one freed. */
  block: number;
  freedBlock: number;
  /** An object of a pool of a size no class of heap.malloc has. */
  odd: number;
  /** A large block of heap.malloc (beyond the size classes), and one freed. */
  large: number;
  freedLarge: number;
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
  [
    "reclaimThread: an id never handed out",
    (w) => w.heap.reclaimThread(4000),
    InvalidArgumentError,
    /no thread of this heap ever had id 4000/,
  ],
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
    /out: expected a Uint32Array, got a Proxy/,
  ],
  [
    "freeMany: ptrs a Proxy of a Uint32Array",
    (w) => w.pool.freeMany(new Proxy(Uint32Array.of(w.held), {})),
    InvalidArgumentError,
    /ptrs: expected a Uint32Array, got a Proxy/,
  ],
  ...badNumbers("count", (w, v) => w.pool.freeMany(new Uint32Array(4), v), -1, 5).filter(([what]) => !what.includes("undefined")),
];

const MALLOC_ROWS: Row[] = [
  ...badNumbers("bytes", (w, v) => w.heap.malloc(v), -1, 2 ** 30 - 7),
  ...badNumbers("bytes", (w, v) => w.heap.tryMalloc(v), -1, 2 ** 30 - 7),
  ...badNumbers("bytes", (w, v) => w.heap.mallocZeroed(v), -1, 2 ** 30 - 7),
  ...badNumbers("bytes", (w, v) => w.heap.realloc(w.block, v), -1, 2 ** 30 - 7),
  ["malloc: more than maxBytes", (w) => w.heap.malloc(2 ** 30 - 8), OutOfMemoryError, /malloc\(1073741816\) cannot get a block/],
  ["free: a block freed", (w) => w.heap.free(w.freedBlock), DoubleFreeError, /already free in pool "malloc:64"/],
  ["free: a large block freed", (w) => w.heap.free(w.freedLarge), InvalidPointerError, /is not a block heap.malloc handed out/],
  ["free: inside a block", (w) => w.heap.free(w.block + 8), InvalidPointerError, /is not a block heap.malloc handed out/],
  ["free: inside a large block", (w) => w.heap.free(w.large + 64), InvalidPointerError, /is not a block heap.malloc handed out/],
  ["free: a pool object of no class's size", (w) => w.heap.free(w.odd), InvalidPointerError, /is not a block heap.malloc handed out/],
  ["free: unaligned", (w) => w.heap.free(w.block + 4), InvalidPointerError, /not a pointer the pools hand out/],
  ["free: past the arena", (w) => w.heap.free(0x7ffffff8), InvalidPointerError, /outside the heap's arena/],
  ["usableSize: a block freed", (w) => w.heap.usableSize(w.freedBlock), InvalidPointerError, /freed already/],
  ["usableSize: 0", (w) => w.heap.usableSize(0), InvalidPointerError, /0 is not a pointer/],
  ["realloc: a block freed", (w) => w.heap.realloc(w.freedBlock, 8), InvalidPointerError, /freed already/],
  ["realloc: a large block freed", (w) => w.heap.realloc(w.freedLarge, 8), InvalidPointerError, /is not a block heap.malloc handed out/],
  ["mallocString: a number", (w) => w.heap.mallocString(3 as never), InvalidArgumentError, /text: expected a string/],
  ["array: not a typed array type", (w) => w.heap.array(Array as never, w.block, 1), InvalidArgumentError, /type: expected a typed array/],
  ["array: unaligned", (w) => w.heap.array(Float64Array, w.block + 4, 1), InvalidPointerError, /not aligned/],
  ["array: past the arena", (w) => w.heap.array(Float64Array, w.block, 2 ** 28), InvalidPointerError, /not inside the heap's arena/],
  ...badNumbers("length", (w, v) => w.heap.array(Uint8Array, w.block, v), -1, 2 ** 32),
  ["dataView: below the arena", (w) => w.heap.dataView(8, 8), InvalidPointerError, /not inside the heap's arena/],
  ...badNumbers("byteLength", (w, v) => w.heap.dataView(w.block, v), -1, 2 ** 32),
  ["createPool: a size class's name", (w) => w.heap.createPool("malloc:64", 64), InvalidArgumentError, /heap.malloc's size classes/],
  ["adoptPool: a size class", (w) => w.heap.adoptPool("malloc:64"), PoolNotOwnedError, /size class of heap.malloc/],
  ["malloc on a closed heap", (w) => w.closed.malloc(8), HeapClosedError, /closed on this thread/],
  ["malloc of a large block on a closed heap", (w) => w.closed.malloc(100_000), HeapClosedError, /closed on this thread/],
  ["free on a closed heap", (w) => w.closed.free(w.block), HeapClosedError, /closed on this thread/],
  ["realloc on a closed heap", (w) => w.closed.realloc(w.block, 8), HeapClosedError, /closed on this thread/],
  ["usableSize on a closed heap", (w) => w.closed.usableSize(w.block), HeapClosedError, /closed on this thread/],
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

/** Counts every run of the hostile values' code (valueOf, toString, getters, Proxy traps): it must stay 0. */
let callerCodeRuns = 0;

/** A Proxy handler every trap of which counts a run, then does what the target would. */
const countingTraps = new Proxy({} as ProxyHandler<object>, {
  get: (_, trap) => {
    callerCodeRuns++;
    return Reflect[trap as keyof typeof Reflect];
  },
});

/** Hostile kinds of value, each made fresh from a valid value to stand for (for the Proxies). */
const HOSTILE: [kind: string, make: (valid: object) => unknown][] = [
  ["a BigInt", () => 8n],
  ["a Symbol", () => Symbol("8")],
  ["a string", () => "8"],
  ["an array", () => [8]],
  [
    "an object with a valueOf",
    () => ({
      valueOf: () => callerCodeRuns++,
      toString: () => String(callerCodeRuns++),
      [Symbol.toPrimitive]: () => callerCodeRuns++,
    }),
  ],
  ["a Proxy of a valid value", (valid) => new Proxy(valid, countingTraps)],
  [
    "a revoked Proxy",
    (valid) => {
      const { proxy, revoke } = Proxy.revocable(valid, countingTraps);
      revoke();
      return proxy;
    },
  ],
];

/** One argument (or option, or field of one) of a public call. */
interface Position {
  /** As errors name it: `size`, `options.debug.poison`, `handle.memory`. */
  argument: string;
  /** Makes the call with `value` there and valid values everywhere else. */
  call: (w: World, value: unknown) => unknown;
  /** For a field of an object: makes the call with that field a getter, which must not be called. */
  getter?: (w: World, get: () => unknown) => unknown;
  /** A valid value for the Proxies to stand for, where the argument is an object. */
  valid?: (w: World) => object;
  /** The error expected, by kind (default: InvalidArgumentError naming the argument). */
  errors?: Partial<Record<string, [ErrorClass, RegExp]>>;
  /** Kinds that are valid here. */
  accepts?: string[];
}

function escaped(text: string): string {
  return text.replace(/[.[\]()]/g, "\\$&");
}

/** The fields of an object argument, each as a position (`call` takes the whole object). */
function fields(
  path: string,
  names: string[],
  call: (w: World, object: unknown) => unknown,
  base: (w: World) => object = () => ({}),
): Position[] {
  return names.map((name) => ({
    argument: `${path}.${name}`,
    call: (w, value) => call(w, { ...base(w), [name]: value }),
    getter: (w, get) => call(w, Object.defineProperty({ ...base(w) }, name, { get, enumerable: true })),
  }));
}

const HANDLE_FIELD = [InvalidHandleError, /handle/] as [ErrorClass, RegExp];
const handleErrors = (error: [ErrorClass, RegExp]) =>
  Object.fromEntries(HOSTILE.map(([kind]) => [kind, error]).concat([["a getter", error]]));
const POOL_NOT_FOUND = { "a string": [PoolNotFoundError, /no live pool is named "8"/] as [ErrorClass, RegExp] };

const POSITIONS: Position[] = [
  { argument: "options", call: (_, o) => Heap.create(o as never), valid: () => ({}), accepts: ["an object with a valueOf"] },
  ...fields("options", ["initialBytes", "maxBytes", "build", "canBlock", "cacheBytes", "failRate", "seed"], (_, o) =>
    Heap.create(o as never),
  ),
  // Option bags inside the options: an object with a valueOf is one (with an unknown option).
  ...fields("options", ["debug", "unsafeTestSwitches"], (_, o) => Heap.create(o as never)).map((position) => ({
    ...position,
    valid: () => ({}),
    accepts: ["an object with a valueOf"],
  })),
  { ...fields("options", ["module"], (_, o) => Heap.create(o as never))[0]!, valid: (w) => w.heap.handle().module },
  ...fields("options.debug", ["uaf", "tag", "poison"], (_, debug) => Heap.create({ debug } as never)),
  ...fields(
    "options.unsafeTestSwitches",
    ["noSequence", "noFlushLock", "deathPoints", "noRecovery", "noUndo", "noTransitRecovery", "shortPatience", "noJsHitPath"],
    (_, switches) => Heap.create({ unsafeTestSwitches: switches } as never),
  ),
  { argument: "handle", call: (_, h) => Heap.attach(h as never), valid: (w) => w.heap.handle(), errors: handleErrors(HANDLE_FIELD) },
  ...fields(
    "handle",
    ["kind", "heapId", "build"],
    (_, h) => Heap.attach(h as never),
    (w) => w.heap.handle(),
  ).map((position) => ({
    ...position,
    errors: handleErrors(HANDLE_FIELD),
  })),
  ...fields(
    "handle",
    ["abi"],
    (_, h) => Heap.attach(h as never),
    (w) => w.heap.handle(),
  ).map((position) => ({
    ...position,
    errors: handleErrors([IncompatibleHeapError, /ABI/]),
  })),
  ...fields(
    "handle",
    ["memory"],
    (_, h) => Heap.attach(h as never),
    (w) => w.heap.handle(),
  ).map((position) => ({
    ...position,
    valid: (w: World) => w.heap.memory,
    errors: handleErrors(HANDLE_FIELD),
  })),
  ...fields(
    "handle",
    ["module"],
    (_, h) => Heap.attach(h as never),
    (w) => w.heap.handle(),
  ).map((position) => ({
    ...position,
    valid: (w: World) => w.heap.handle().module,
    errors: handleErrors(HANDLE_FIELD),
  })),
  {
    argument: "options",
    call: (w, o) => Heap.attach(w.heap.handle(), o as never),
    valid: () => ({}),
    accepts: ["an object with a valueOf"],
  },
  ...fields("options", ["canBlock", "cacheBytes"], (w, o) => Heap.attach(w.heap.handle(), o as never)),
  { argument: "name", call: (w, name) => w.heap.createPool(name as never, 8), accepts: ["a string"] },
  { argument: "size", call: (w, size) => w.heap.createPool("q", size as never) },
  { argument: "options", call: (w, o) => w.heap.createPool("q", 8, o as never), valid: () => ({}), accepts: ["an object with a valueOf"] },
  ...fields("options", ["shared", "minAvail", "limit"], (w, o) => w.heap.createPool("q", 8, o as never)),
  { argument: "nameOrId", call: (w, id) => w.heap.pool(id as never), errors: POOL_NOT_FOUND },
  { argument: "nameOrId", call: (w, id) => w.heap.adoptPool(id as never), errors: POOL_NOT_FOUND },
  { argument: "threadId", call: (w, id) => w.heap.reclaimThread(id as never), valid: () => ({ threadId: 4000 }) },
  ...fields("threadId", ["threadId"], (w, worker) => w.heap.reclaimThread(worker as never)),
  { argument: "ptr", call: (w, ptr) => w.heap.bytes(ptr as never, 8) },
  { argument: "length", call: (w, length) => w.heap.bytes(w.held, length as never) },
  { argument: "ptr", call: (w, ptr) => w.pool.free(ptr as never) },
  { argument: "count", call: (w, count) => w.pool.allocMany(count as never, new Uint32Array(4)) },
  { argument: "out", call: (w, out) => w.pool.allocMany(1, out as never), valid: () => new Uint32Array(4) },
  { argument: "ptrs", call: (w, ptrs) => w.pool.freeMany(ptrs as never), valid: (w) => Uint32Array.of(w.held) },
  { argument: "count", call: (w, count) => w.pool.freeMany(Uint32Array.of(w.held), count as never) },
  { argument: "bytes", call: (w, bytes) => w.heap.malloc(bytes as never) },
  { argument: "bytes", call: (w, bytes) => w.heap.tryMalloc(bytes as never) },
  { argument: "bytes", call: (w, bytes) => w.heap.realloc(w.block, bytes as never) },
  { argument: "ptr", call: (w, ptr) => w.heap.free(ptr as never) },
  { argument: "ptr", call: (w, ptr) => w.heap.usableSize(ptr as never) },
  { argument: "text", call: (w, text) => w.heap.mallocString(text as never), accepts: ["a string"] },
  { argument: "type", call: (w, type) => w.heap.array(type as never, w.block, 1) },
  { argument: "ptr", call: (w, ptr) => w.heap.dataView(ptr as never, 8) },
];

/** Every position of every public call with every hostile kind, and with a getter where it is a field. */
function hostileRows(): Row[] {
  const rows: Row[] = [];
  for (const position of POSITIONS) {
    const expected = (kind: string): [ErrorClass, RegExp] =>
      position.errors?.[kind] ?? [InvalidArgumentError, new RegExp(`^${escaped(position.argument)}[.:]`)];
    for (const [kind, make] of HOSTILE) {
      if (position.accepts?.includes(kind)) continue;
      const [error, message] = expected(kind);
      rows.push([`${position.argument} ${kind}`, (w) => position.call(w, make(position.valid?.(w) ?? {})), error, message]);
    }
    if (position.getter) {
      const [error, message] = expected("a getter");
      rows.push([`${position.argument} a getter`, (w) => position.getter!(w, () => callerCodeRuns++), error, message]);
    }
  }
  return rows;
}

const ROWS = [...HANDLE_ROWS, ...CREATE_ROWS, ...POOL_ROWS, ...MALLOC_ROWS, ...STALE_ROWS, ...hostileRows()];

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
      const block = heap.malloc(64);
      const freedBlock = heap.malloc(64);
      heap.free(freedBlock);
      const large = heap.malloc(100_000);
      const freedLarge = heap.malloc(100_000);
      heap.free(freedLarge);
      const odd = heap.createPool("odd", 1000).alloc();
      const world: World = {
        heap,
        pool,
        held,
        freed,
        foreign,
        other,
        destroyed,
        closed,
        closedPool,
        block,
        freedBlock,
        odd,
        large,
        freedLarge,
      };

      // Every byte of both heaps: the registry, every pool, thread slot, cache and chunk, and the memory's size.
      const before = [heap, other].map(snapshotOf);
      callerCodeRuns = 0;
      let thrown: unknown;
      try {
        await call(world);
      } catch (caught) {
        thrown = caught;
      }
      expect(thrown, "the call must throw").toBeInstanceOf(error);
      expect(thrown).toBeInstanceOf(WasmPoolsError);
      expect((thrown as Error).message).toMatch(message);
      expect(callerCodeRuns, "the call ran the caller's code (valueOf, toString, a getter or a Proxy trap)").toBe(0);
      // Nothing changed, nothing broke.
      expect(changedWords(before[0]!, heap), "words of the heap the refused call changed").toEqual([]);
      expect(changedWords(before[1]!, other), "words of the other heap the refused call changed").toEqual([]);
      expectConsistent(heap);
      pool.free(held);
      heap.free(block);
      heap.free(large);
      expect(heap.stats().largeBlocks).toBe(0);
      expectConsistent(heap);
      heap.close();
      other.close();
    });
  }
});
