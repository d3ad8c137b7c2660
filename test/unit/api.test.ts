// Every public call, single-threaded, with its errors.

import { readFile } from "node:fs/promises";
import { Worker } from "node:worker_threads";
import { describe, expect, it } from "vitest";
import {
  DoubleFreeError,
  Heap,
  HeapClosedError,
  IncompatibleHeapError,
  InvalidArgumentError,
  InvalidHandleError,
  InvalidPointerError,
  NotIsolatedError,
  OutOfMemoryError,
  PoolDestroyedError,
  PoolExistsError,
  PoolInUseError,
  PoolNotFoundError,
  TooManyPoolsError,
  WasmPoolsError,
} from "wasm-pools";
import {
  ARENA_START,
  BATCH_MAX,
  H_BACKING_TOP,
  H_BACKING_USED_BYTES,
  H_NEXT_THREAD_ID,
  MIN_PAGES,
  THREAD_SLOT_SIZE,
  THREADS_START,
  UNDO_LOG_START,
} from "../../dist/layout.js";
import { expectConsistent } from "../support/consistency.js";

describe("Heap.create", () => {
  it("makes a heap with the default sizes", async () => {
    const heap = await Heap.create();
    const stats = heap.stats();
    expect(stats.memoryBytes).toBe(1 << 20);
    expect(stats.maxBytes).toBe(1 << 30);
    expect(stats.pools).toEqual([]);
    expect(heap.threadId).toBe(1);
    expect(heap.memory.buffer).toBeInstanceOf(SharedArrayBuffer);
  });

  it("rounds initialBytes up to pages and keeps the minimum the header needs", async () => {
    expect((await Heap.create({ initialBytes: 300_000 })).stats().memoryBytes).toBe(5 * 65536);
    expect((await Heap.create({ initialBytes: 0 })).stats().memoryBytes).toBe(MIN_PAGES * 65536);
  });

  it("runs the debug build of the core the same way", async () => {
    const heap = await Heap.create({ build: "debug" });
    const pool = heap.createPool("debug", 24);
    const ptrs = Array.from({ length: 100 }, () => pool.alloc());
    expect(new Set(ptrs).size).toBe(100);
    ptrs.forEach((p) => pool.free(p));
    expect(heap.handle().build).toBe("debug");
    expectConsistent(heap);
  });

  it.each([
    ["options", 5],
    ["options", "big"],
    ["options.initialBytes", { initialBytes: 1.5 }],
    ["options.initialBytes", { initialBytes: -1 }],
    ["options.initialBytes", { initialBytes: Number.NaN }],
    ["options.initialBytes", { initialBytes: "1024" }],
    ["options.initialBytes", { initialBytes: 4 << 20, maxBytes: 1 << 20 }],
    ["options.maxBytes", { maxBytes: 1024 }],
    ["options.maxBytes", { maxBytes: 2 ** 32 }],
    ["options.maxBytes", { maxBytes: Number.POSITIVE_INFINITY }],
    ["options.build", { build: "fast" }],
    ["options.canBlock", { canBlock: "yes" }],
    ["options.unsafeTestSwitches", { unsafeTestSwitches: true }],
    ["options.unsafeTestSwitches.noSequence", { unsafeTestSwitches: { noSequence: 1 } }],
  ])("rejects a bad %s", async (argument, options) => {
    const attempt = Heap.create(options as never);
    await expect(attempt).rejects.toBeInstanceOf(InvalidArgumentError);
    await expect(attempt).rejects.toMatchObject({ argument });
  });
});

describe("heap.createPool", () => {
  it("rounds the size up to a multiple of 8, at least 8", async () => {
    const heap = await Heap.create();
    expect(heap.createPool("one", 1).size).toBe(8);
    expect(heap.createPool("thirteen", 13).size).toBe(16);
    expect(heap.createPool("sixty-four", 64).size).toBe(64);
    expect(heap.createPool("mib", 1 << 20).size).toBe(1 << 20);
  });

  it("accepts names up to 31 bytes of UTF-8", async () => {
    const heap = await Heap.create();
    expect(heap.createPool("x".repeat(31), 8).name).toBe("x".repeat(31));
    expect(heap.createPool("€".repeat(10), 8).name).toBe("€".repeat(10));
  });

  it.each([
    ["name", 42, 64, undefined],
    ["name", "", 64, undefined],
    ["name", "x".repeat(32), 64, undefined],
    ["name", "€".repeat(11), 64, undefined],
    ["size", "p", 0, undefined],
    ["size", "p", -8, undefined],
    ["size", "p", 1.5, undefined],
    ["size", "p", Number.NaN, undefined],
    ["size", "p", Number.POSITIVE_INFINITY, undefined],
    ["size", "p", "64", undefined],
    ["size", "p", 2 ** 30 + 1, undefined],
    ["options", "p", 64, 3],
    ["options.shared", "p", 64, { shared: "yes" }],
    ["options.minAvail", "p", 64, { minAvail: -1 }],
    ["options.limit", "p", 64, { limit: 1.5 }],
    ["options.limit", "p", 64, { limit: 2 ** 32 }],
  ])("rejects a bad %s and leaves the heap as it was", async (argument, name, size, options) => {
    const heap = await Heap.create();
    heap.createPool("existing", 32).alloc();
    expect(() => heap.createPool(name as never, size as never, options as never)).toThrow(
      expect.objectContaining({ argument, constructor: InvalidArgumentError }),
    );
    expect(heap.pools().map((p) => p.name)).toEqual(["existing"]);
    expectConsistent(heap);
  });

  it("refuses a second pool with a live pool's name", async () => {
    const heap = await Heap.create();
    heap.createPool("session", 64);
    expect(() => heap.createPool("session", 32)).toThrow(PoolExistsError);
    expect(() => heap.createPool("session", 64, { shared: true })).toThrow(PoolExistsError);
    expect(heap.pools()).toHaveLength(1);
  });

  it("shares a pool of the same rounded size and counts its users", async () => {
    const heap = await Heap.create();
    const a = heap.createPool("a", 60, { shared: true });
    const b = heap.createPool("b", 64, { shared: true });
    const c = heap.createPool("c", 64);
    const d = heap.createPool("d", 72, { shared: true });
    expect(b.id).toBe(a.id);
    expect(b.name).toBe("a");
    expect(a.stats().users).toBe(2);
    expect(a.stats().shared).toBe(true);
    expect(c.id).not.toBe(a.id);
    expect(d.id).not.toBe(a.id);
    const p = a.alloc();
    b.free(p);
    expect(a.stats()).toMatchObject({ allocated: a.stats().allocated, used: 0 });
  });

  it(`throws TooManyPoolsError past 256 pools and keeps the others`, async () => {
    const heap = await Heap.create();
    const created = Array.from({ length: 256 }, (_, i) => heap.createPool(`p${i}`, 8 + (i % 4) * 8));
    expect(() => heap.createPool("one-more", 8)).toThrow(TooManyPoolsError);
    expect(heap.pools()).toHaveLength(256);
    created[7]!.destroy();
    expect(heap.createPool("one-more", 8).id).toBe(7);
    expectConsistent(heap);
  });
});

describe("heap.pool and heap.pools", () => {
  it("find live pools by name and by id", async () => {
    const heap = await Heap.create();
    const a = heap.createPool("a", 8);
    const b = heap.createPool("b", 16);
    expect(heap.pool("b").id).toBe(b.id);
    expect(heap.pool(a.id).name).toBe("a");
    expect(heap.pools().map((p) => [p.id, p.name, p.size])).toEqual([
      [a.id, "a", 8],
      [b.id, "b", 16],
    ]);
  });

  it("throw PoolNotFoundError for unknown pools and InvalidArgumentError for bad keys", async () => {
    const heap = await Heap.create();
    heap.createPool("a", 8);
    expect(() => heap.pool("nope")).toThrow(PoolNotFoundError);
    expect(() => heap.pool(200)).toThrow(PoolNotFoundError);
    for (const bad of [null, 1.5, -1, 256, Number.NaN, {}]) {
      expect(() => heap.pool(bad as never)).toThrow(InvalidArgumentError);
    }
  });
});

describe("pool.alloc, tryAlloc and free", () => {
  it("hands out distinct 8-aligned objects inside the arena, reused after free", async () => {
    const heap = await Heap.create();
    const pool = heap.createPool("p", 40);
    const ptrs = Array.from({ length: 1000 }, () => pool.alloc());
    expect(new Set(ptrs).size).toBe(1000);
    for (const p of ptrs) {
      expect(p % 8).toBe(0);
      expect(p).toBeGreaterThanOrEqual(ARENA_START);
    }
    // No two objects overlap.
    const sorted = [...ptrs].sort((x, y) => x - y);
    for (let i = 1; i < sorted.length; i++) expect(sorted[i]! - sorted[i - 1]!).toBeGreaterThanOrEqual(40);
    expect(pool.stats()).toMatchObject({ used: 1000, failed: 0 });
    ptrs.forEach((p) => pool.free(p));
    expect(pool.stats().used).toBe(0);
    const again = pool.tryAlloc();
    expect(ptrs).toContain(again);
  });

  it("respects the pool's limit: OutOfMemoryError, tryAlloc 0, failures counted, then recovers", async () => {
    const heap = await Heap.create();
    const pool = heap.createPool("limited", 64, { limit: 3 });
    const ptrs = [pool.alloc(), pool.alloc(), pool.alloc()];
    expect(() => pool.alloc()).toThrow(OutOfMemoryError);
    expect(pool.tryAlloc()).toBe(0);
    expect(pool.stats()).toMatchObject({ allocated: 3, used: 3, failed: 2, limit: 3 });
    pool.free(ptrs.pop()!);
    expect(pool.alloc()).toBeGreaterThan(0);
    expectConsistent(heap);
  });

  it.each([
    [InvalidArgumentError, "8"],
    [InvalidArgumentError, 1.5],
    [InvalidArgumentError, -8],
    [InvalidArgumentError, Number.NaN],
    [InvalidArgumentError, 2 ** 32],
    [InvalidArgumentError, undefined],
    [InvalidPointerError, 0],
    [InvalidPointerError, 12],
    [InvalidPointerError, 65536],
    [InvalidPointerError, 2 ** 32 - 8],
  ])("free rejects %o %s and changes nothing", async (errorClass, bad) => {
    const heap = await Heap.create();
    const pool = heap.createPool("p", 64);
    const kept = pool.alloc();
    expect(() => pool.free(bad as never)).toThrow(errorClass);
    expect(pool.stats().used).toBe(1);
    pool.free(kept);
    expectConsistent(heap);
  });

  it("free rejects an object of a pool of another size, and a pointer into an object's middle", async () => {
    const heap = await Heap.create();
    const small = heap.createPool("small", 16);
    const big = heap.createPool("big", 256);
    const s = small.alloc();
    const b = big.alloc();
    expect(() => big.free(s)).toThrow(InvalidPointerError);
    expect(() => big.free(b + 64)).toThrow(InvalidPointerError);
    expect(big.stats().used).toBe(1);
    small.free(s);
    big.free(b);
    expectConsistent(heap);
  });

  it("free throws DoubleFreeError for an object that is already free, while others are in use", async () => {
    const heap = await Heap.create();
    const pool = heap.createPool("p", 32);
    const [a, b, c] = [pool.alloc(), pool.alloc(), pool.alloc()];
    pool.free(a);
    expect(() => pool.free(a)).toThrow(DoubleFreeError);
    expect(() => pool.free(a)).toThrow(/already free/);
    expect(pool.stats().used).toBe(2);
    // The list holds `a` once: it is handed out once, then the next free object.
    const again = [pool.alloc(), pool.alloc()];
    expect(again[0]).toBe(a);
    expect(again[1]).not.toBe(a);
    [b, c, ...again].forEach((p) => pool.free(p));
    expectConsistent(heap);
  });

  it("free throws DoubleFreeError when the pool has nothing allocated", async () => {
    const heap = await Heap.create();
    const pool = heap.createPool("p", 32);
    const p = pool.alloc();
    pool.free(p);
    expect(() => pool.free(p)).toThrow(DoubleFreeError);
    expect(pool.stats().used).toBe(0);
    expectConsistent(heap);
  });
});

describe("pool.flush, heap.gc, minAvail", () => {
  it("flush gives every free object back; gc keeps minAvail", async () => {
    const heap = await Heap.create();
    const keep = heap.createPool("keep", 64, { minAvail: 5 });
    const drop = heap.createPool("drop", 64);
    const k = Array.from({ length: 50 }, () => keep.alloc());
    const d = Array.from({ length: 50 }, () => drop.alloc());
    const held = d.pop()!;
    k.forEach((p) => keep.free(p));
    d.forEach((p) => drop.free(p));
    drop.flush();
    expect(drop.stats()).toMatchObject({ allocated: 1, used: 1 });
    heap.gc();
    expect(keep.stats()).toMatchObject({ allocated: 5, used: 0 });
    expect(keep.freeListLength()).toBe(5);
    drop.free(held);
    heap.gc();
    expect(heap.stats()).toMatchObject({ allocatedBytes: 5 * 64, usedBytes: 0 });
    expectConsistent(heap);
  });
});

describe("pool.destroy", () => {
  it("refuses while objects are allocated, then frees the slot; stale handles are refused", async () => {
    const heap = await Heap.create();
    const threadBlock = heap.stats().backingUsedBytes;
    const pool = heap.createPool("p", 64);
    const lookedUp = heap.pool("p");
    const p = pool.alloc();
    expect(() => pool.destroy()).toThrow(PoolInUseError);
    expect(pool.stats()).toMatchObject({ users: 1, used: 1 });
    pool.free(p);
    pool.destroy();
    expect(() => pool.alloc()).toThrow(PoolDestroyedError);
    expect(() => pool.destroy()).toThrow(PoolDestroyedError);
    expect(() => lookedUp.alloc()).toThrow(PoolDestroyedError);
    expect(() => lookedUp.free(p)).toThrow(PoolDestroyedError);
    expect(() => lookedUp.stats()).toThrow(PoolDestroyedError);
    expect(() => heap.pool("p")).toThrow(PoolNotFoundError);
    expect(heap.stats().backingUsedBytes).toBe(threadBlock);
    // The slot is reused, and the old handle still does not reach the new pool.
    const next = heap.createPool("q", 64);
    expect(next.id).toBe(lookedUp.id);
    expect(() => lookedUp.tryAlloc()).toThrow(PoolDestroyedError);
    expect(next.stats().allocated).toBe(0);
  });

  it("drops one user of a shared pool; the pool lives on for the others", async () => {
    const heap = await Heap.create();
    const a = heap.createPool("a", 64, { shared: true });
    const b = heap.createPool("b", 64, { shared: true });
    b.destroy();
    expect(() => b.alloc()).toThrow(PoolDestroyedError);
    expect(a.stats().users).toBe(1);
    a.free(a.alloc());
    a.destroy();
    expect(heap.pools()).toEqual([]);
  });
});

describe("heap.stats and heap.dump", () => {
  it("report every pool's counters and the byte totals", async () => {
    const heap = await Heap.create();
    const a = heap.createPool("alpha", 64, { minAvail: 2, limit: 100 });
    const b = heap.createPool("beta", 24, { shared: true });
    const ptrs = Array.from({ length: 10 }, () => a.alloc());
    b.alloc();
    a.free(ptrs[0]!);
    const stats = heap.stats();
    expect(stats.pools.map((p) => p.name)).toEqual(["alpha", "beta"]);
    expect(stats.pools[0]).toMatchObject({ name: "alpha", size: 64, used: 9, failed: 0, users: 1, minAvail: 2, limit: 100, shared: false });
    // free is allocated less those off the list (used and cached): it must be what a walk of the shared list finds.
    expect(stats.pools[0]!.free).toBe(a.freeListLength());
    expect(stats.pools[0]!.cached).toBeGreaterThan(0);
    expect(stats.usedBytes).toBe(9 * 64 + 24);
    expect(stats.allocatedBytes).toBe(stats.pools[0]!.allocated * 64 + stats.pools[1]!.allocated * 24);
    const dump = heap.dump();
    expect(dump).toMatch(/^Dumping pools usage: 2 pools/);
    // used 9, then the objects cached in this thread, then the shared list.
    const alpha = stats.pools[0]!;
    expect(dump).toMatch(new RegExp(`alpha\\s+64\\s+${alpha.allocated}\\s+[\\d.]+ \\w*B\\s+9\\s+${alpha.cached}\\s+${alpha.free}\\s`));
    expect(dump).toMatch(/in thread caches/);
    expect(dump).toMatch(/beta\s+24\s+.*\s+yes$/m);
  });
});

describe("heap.bytes", () => {
  it("gives a view of an object that reads and writes the shared memory", async () => {
    const heap = await Heap.create();
    const pool = heap.createPool("p", 64);
    const p = pool.alloc();
    heap.bytes(p, 64).fill(7);
    expect(new Uint8Array(heap.memory.buffer, p, 64).every((x) => x === 7)).toBe(true);
    expect(heap.bytes(p, 0)).toHaveLength(0);
  });

  it.each([
    [InvalidArgumentError, 1.5, 8],
    [InvalidArgumentError, -8, 8],
    [InvalidArgumentError, "8", 8],
    [InvalidArgumentError, ARENA_START + 8, -1],
    [InvalidPointerError, 0, 8],
    [InvalidPointerError, 65536, 8],
    [InvalidPointerError, ARENA_START + 8, 1 << 30],
  ])("rejects %o for (%s, %s)", async (errorClass, ptr, length) => {
    const heap = await Heap.create();
    heap.createPool("p", 64).alloc();
    expect(() => heap.bytes(ptr as never, length)).toThrow(errorClass);
  });
});

describe("heap.handle and Heap.attach", () => {
  it("work where the SharedArrayBuffer global is hidden (WebKitGTK hides it on isolated pages), detecting shared memory by the buffer itself", async () => {
    const heap = await Heap.create();
    const handle = heap.handle();
    const global = globalThis as { SharedArrayBuffer?: unknown };
    const saved = global.SharedArrayBuffer;
    delete global.SharedArrayBuffer;
    try {
      const other = await Heap.attach(handle, {});
      const pool = heap.createPool("seen", 16);
      other.pool("seen").free(pool.alloc());
      expect(pool.stats().used).toBe(0);
      other.close();
    } finally {
      global.SharedArrayBuffer = saved;
    }
  });

  it("a second Heap on the same memory sees the same pools and objects", async () => {
    const heap = await Heap.create();
    const pool = heap.createPool("p", 64);
    const p = pool.alloc();
    heap.bytes(p, 4).set([1, 2, 3, 4]);
    const other = await Heap.attach(heap.handle());
    expect(other.threadId).toBe(2);
    const mirror = other.pool("p");
    expect([...other.bytes(p, 4)]).toEqual([1, 2, 3, 4]);
    mirror.free(p);
    expect(pool.stats().used).toBe(0);
    expectConsistent(heap);
  });

  it("attaching writes only its thread slot, the thread counter, the backing allocator's undo log and its new cache block", async () => {
    const heap = await Heap.create();
    const pool = heap.createPool("p", 64);
    const held = Array.from({ length: 100 }, () => pool.alloc());
    held.slice(0, 50).forEach((p) => pool.free(p));
    const words = new Uint32Array(heap.memory.buffer);
    const topBefore = words[H_BACKING_TOP / 4]!;
    const before = new Uint8Array(heap.memory.buffer).slice();
    const other = await Heap.attach(heap.handle());
    const after = new Uint8Array(heap.memory.buffer);
    const topAfter = words[H_BACKING_TOP / 4]!;
    const secondSlot = THREADS_START + THREAD_SLOT_SIZE;
    const expected = (i: number): boolean =>
      (i >= H_NEXT_THREAD_ID && i < H_NEXT_THREAD_ID + 4) ||
      (i >= secondSlot && i < secondSlot + THREAD_SLOT_SIZE) ||
      (i >= H_BACKING_TOP && i < H_BACKING_TOP + 4) ||
      (i >= H_BACKING_USED_BYTES && i < H_BACKING_USED_BYTES + 4) ||
      (i >= UNDO_LOG_START && i < ARENA_START) ||
      // The block was carved from the top: its chunk header, entries, and the next prev-size word.
      (i >= topBefore && i < topAfter + 8);
    const unexpected: number[] = [];
    for (let i = 0; i < before.length; i++) if (before[i] !== after[i] && !expected(i)) unexpected.push(i);
    expect(unexpected).toEqual([]);
    expect(topAfter - topBefore).toBeGreaterThanOrEqual(BATCH_MAX * 4);
    expect(other.threadId).toBe(2);
    // The pool's objects, free list and counters were not touched.
    expect(pool.stats()).toMatchObject({ used: 50 });
  });

  it.each([
    ["null", () => null],
    ["an empty object", () => ({})],
    ["another kind", (h: Record<string, unknown>) => ({ ...h, kind: "something" })],
    ["a memory that is not shared", (h: Record<string, unknown>) => ({ ...h, memory: new WebAssembly.Memory({ initial: 3 }) })],
    ["a module that is not a module", (h: Record<string, unknown>) => ({ ...h, module: {} })],
    [
      "a wasm module that is not the core",
      (h: Record<string, unknown>) => ({ ...h, module: new WebAssembly.Module(new Uint8Array([0, 97, 115, 109, 1, 0, 0, 0])) }),
    ],
    ["an unknown build", (h: Record<string, unknown>) => ({ ...h, build: "fast" })],
    ["a tampered heap id", (h: Record<string, unknown>) => ({ ...h, heapId: (h.heapId as number) ^ 1 })],
    ["another heap's memory", async (h: Record<string, unknown>) => ({ ...h, memory: (await Heap.create()).memory })],
  ])("Heap.attach rejects %s with InvalidHandleError", async (_, tamper) => {
    const heap = await Heap.create();
    const handle = await tamper(heap.handle() as never);
    await expect(Heap.attach(handle as never)).rejects.toBeInstanceOf(InvalidHandleError);
  });

  it("heap.handle throws NotIsolatedError on a page that is not cross-origin isolated", async () => {
    const heap = await Heap.create();
    const pool = heap.createPool("p", 64);
    // What a browser page without COOP/COEP shows; Node has no such global.
    Object.defineProperty(globalThis, "crossOriginIsolated", { value: false, configurable: true });
    try {
      expect(() => heap.handle()).toThrow(NotIsolatedError);
      expect(() => heap.handle()).toThrow(/Cross-Origin-Opener-Policy: same-origin/);
      // Single-thread use goes on.
      pool.free(pool.alloc());
    } finally {
      delete (globalThis as { crossOriginIsolated?: boolean }).crossOriginIsolated;
    }
    expect(heap.handle().kind).toBe("wasm-pools/heap");
  });

  it("Heap.attach refuses a handle of another ABI version", async () => {
    const heap = await Heap.create();
    await expect(Heap.attach({ ...heap.handle(), abi: 99 })).rejects.toBeInstanceOf(IncompatibleHeapError);
  });
});

describe("what cannot be sent to another thread", () => {
  for (const [what, make, advice] of [
    ["a Pool", async () => (await Heap.create()).createPool("p", 8), /Pool cannot be sent to another thread: send pool.id or pool.name/],
    ["a Heap", () => Heap.create(), /Heap cannot be sent to another thread: send heap.handle\(\), and call Heap.attach/],
  ] as const) {
    it(`postMessage of ${what} throws the engine's DataCloneError, saying what to send instead`, async () => {
      const value = await make();
      const { port1, port2 } = new MessageChannel();
      try {
        for (const send of [() => port1.postMessage(value), () => structuredClone(value)]) {
          let thrown: unknown;
          try {
            send();
          } catch (error) {
            thrown = error;
          }
          expect(thrown).toBeInstanceOf(DOMException);
          expect(thrown).toMatchObject({ name: "DataCloneError", message: expect.stringMatching(advice) });
        }
      } finally {
        port1.close();
        port2.close();
      }
    });
  }

  it("sends what the README says instead: the handle, and a pool's id or name", async () => {
    const heap = await Heap.create();
    const pool = heap.createPool("p", 8);
    const { handle, id, name } = structuredClone({ handle: heap.handle(), id: pool.id, name: pool.name });
    const there = await Heap.attach(handle);
    expect(there.pool(id).name).toBe("p");
    expect(there.pool(name).id).toBe(pool.id);
    there.close();
    heap.close();
  });
});

describe("heap.reclaimThread", () => {
  it("reads a Node Worker's threadId through the platform's own getter", async () => {
    const heap = await Heap.create();
    const worker = new Worker("setInterval(() => {}, 1000)", { eval: true });
    try {
      // Read through the getter: an attached thread with that id would be reclaimed; none is, so false.
      expect(heap.reclaimThread(worker)).toBe(false);
    } finally {
      await worker.terminate();
      heap.close();
    }
  });
});

describe("heap.close", () => {
  it("makes this Heap and its Pools refuse every call; other Heaps go on", async () => {
    const heap = await Heap.create();
    const pool = heap.createPool("p", 64);
    const other = await Heap.attach(heap.handle());
    const p = pool.alloc();
    heap.close();
    heap.close();
    expect(heap.closed).toBe(true);
    const calls: Array<() => unknown> = [
      () => heap.createPool("q", 8),
      () => heap.pool("p"),
      () => heap.pools(),
      () => heap.gc(),
      () => heap.stats(),
      () => heap.dump(),
      () => heap.bytes(p, 8),
      () => heap.handle(),
      () => pool.alloc(),
      () => pool.tryAlloc(),
      () => pool.free(p),
      () => pool.flush(),
      () => pool.destroy(),
      () => pool.freeListLength(),
    ];
    for (const call of calls) expect(call).toThrow(HeapClosedError);
    other.pool("p").free(p);
    expectConsistent(other);
  });
});

it("every exported error class extends WasmPoolsError and carries its own name, spelled out (it survives minification)", async () => {
  const api: Record<string, unknown> = await import("wasm-pools");
  const classes = Object.entries(api).filter(
    (entry): entry is [string, new (...args: string[]) => Error] =>
      typeof entry[1] === "function" &&
      (entry[1] === WasmPoolsError || (entry[1] as { prototype: unknown }).prototype instanceof WasmPoolsError),
  );
  expect(classes.length).toBeGreaterThanOrEqual(19);
  for (const [exported, ErrorClass] of classes) {
    const error = exported === "HeapCorruptError" ? new ErrorClass(["x"] as never) : new ErrorClass("argument", "message");
    expect(error).toBeInstanceOf(WasmPoolsError);
    expect(error.name).toBe(exported);
    expect(Object.hasOwn(error, "name"), `${exported} sets its name itself`).toBe(true);
  }
});

describe("Heap.create({ module })", () => {
  const wasmUrl = new URL("../../dist/wasm-pools.wasm", import.meta.url);

  it("runs a core given as a compiled module, as bytes, or as a URL", async () => {
    const bytes = await readFile(wasmUrl);
    for (const module of [
      await WebAssembly.compile(bytes),
      bytes,
      bytes.buffer.slice(bytes.byteOffset, bytes.byteOffset + bytes.length),
      wasmUrl,
      wasmUrl.href,
    ]) {
      const heap = await Heap.create({ module });
      const pool = heap.createPool("p", 16);
      pool.free(pool.alloc());
      // The handle carries the same module to workers.
      expect(WebAssembly.Module.exports(heap.handle().module).map((e) => e.name)).toContain("heap_create");
      heap.close();
    }
  });

  it("refuses what is not a wasm-pools core with an argument error", async () => {
    const notCore = new Uint8Array([0, 0x61, 0x73, 0x6d, 1, 0, 0, 0]); // an empty wasm module
    await expect(Heap.create({ module: notCore })).rejects.toThrow(/options\.module.*not a wasm-pools core/);
    await expect(Heap.create({ module: new Uint8Array([1, 2, 3]) })).rejects.toThrow(InvalidArgumentError);
    await expect(Heap.create({ module: 42 as unknown as Uint8Array })).rejects.toThrow(/options\.module/);
    await expect(Heap.create({ module: new URL("../../dist/missing.wasm", import.meta.url) })).rejects.toThrow(InvalidArgumentError);
  });
});
