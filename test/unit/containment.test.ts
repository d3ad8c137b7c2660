// Misuse never breaks the heap: a write into a freed object is caught before
// its broken link is followed (HeapCorruptError naming the pool, other pools
// go on), debug poison reports a write after free with its offset, the debug
// tag accepts every chunk the backing allocator hands out, a corrupt or
// abandoned pool can be destroyed with force, and a trap the core did not
// record still reaches the user as a typed error.

import { describe, expect, it } from "vitest";
import { Heap, HeapCorruptError, type Pool, UseAfterFreeError } from "wasm-pools";
import { B_LIST_TAIL, T_CACHE } from "../../dist/layout.js";
import { reportingCore } from "../../dist/traps.js";
import { MemoryViews } from "../../dist/views.js";
import type { CoreExports } from "../../dist/wasm.js";
import { slotOf } from "../support/thread-slots.js";

function writeWords(heap: Heap, ptr: number, ...values: number[]): void {
  const words = new Uint32Array(heap.memory.buffer);
  values.forEach((value, i) => {
    words[(ptr >>> 2) + i] = value;
  });
}

/** The pool allocs and frees as before and other pools are untouched. */
function stillWorks(pool: Pool): void {
  const ptrs = Array.from({ length: 100 }, () => pool.alloc());
  expect(new Set(ptrs).size).toBe(ptrs.length);
  for (const ptr of ptrs) pool.free(ptr);
}

describe("a write into a freed object", () => {
  it("on the front of a thread cache cannot reach the heap's structure: the front holds its pointers outside the objects", async () => {
    const heap = await Heap.create();
    const pool = heap.createPool("victim", 32);
    const x = pool.alloc();
    const y = pool.alloc();
    pool.free(y);
    pool.free(x);
    writeWords(heap, x, 0xffffffff, 0xffffffff);
    writeWords(heap, y, x, 0xffffffff);
    // Both come back, LIFO, and nothing else: the written bytes were the user's own, never a link.
    expect([pool.alloc(), pool.alloc()]).toEqual([x, y]);
    heap.check();
    stillWorks(pool);
  });

  for (const [where, cacheBytes] of [
    ["a thread cache", undefined],
    ["the shared list (cache off)", 0],
  ] as const) {
    for (const [what, link] of [
      ["0xFF bytes", () => 0xffffffff],
      ["a plausible pointer (another object, handed out)", (other: number) => other],
    ] as const) {
      it(`(${what}, in ${where}) is caught before the link is followed; other pools go on; force destroy recovers`, async () => {
        const heap = await Heap.create({ cacheBytes });
        const victim = heap.createPool("victim", 32);
        const bystander = heap.createPool("bystander", 32);
        const held = bystander.alloc();
        const x = victim.alloc();
        const y = victim.alloc();
        // As a batch: the objects go on the chain (single frees stack on the entry's front, outside the objects).
        victim.freeMany(Uint32Array.of(y, x));
        // x is the list's first object now; its first word is the link to y.
        writeWords(heap, x, link(held), 0xffffffff);
        let caught: unknown;
        const handedOut: number[] = [];
        for (let i = 0; i < 3 && caught === undefined; i++) {
          try {
            handedOut.push(victim.alloc());
          } catch (error) {
            caught = error;
          }
        }
        expect(caught).toBeInstanceOf(HeapCorruptError);
        expect(String(caught)).toMatch(/pool "victim" \(id 0\)/);
        // Nothing but objects of the pool was handed out.
        expect(handedOut.every((ptr) => ptr === x || ptr === y)).toBe(true);
        // The pool refuses from now on, with the same typed error; every other pool works.
        expect(() => victim.alloc()).toThrow(HeapCorruptError);
        expect(() => heap.check()).toThrow(/pool 0 is marked corrupt/);
        stillWorks(bystander);
        bystander.free(held);
        // Frees still work, and serve no allocation: they go straight back to the backing allocator.
        for (const ptr of handedOut) victim.free(ptr);
        expect(() => victim.alloc()).toThrow(HeapCorruptError);
        victim.destroy({ force: true });
        // What could be proven free went back; the broken rest waits in the retired slot.
        heap.check();
        const again = heap.createPool("victim", 32);
        stillWorks(again);
        again.destroy();
        bystander.destroy();
        heap.check();
      });
    }
  }

  it("in a batch: allocMany stops at the broken link with HeapCorruptError", async () => {
    const heap = await Heap.create();
    const pool = heap.createPool("p", 16);
    const ptrs = new Uint32Array(8);
    expect(pool.allocMany(8, ptrs)).toBe(8);
    pool.freeMany(ptrs);
    writeWords(heap, ptrs[7]!, 12345);
    expect(() => pool.allocMany(8, new Uint32Array(8))).toThrow(HeapCorruptError);
    expect(() => pool.allocMany(8, new Uint32Array(8))).toThrow(HeapCorruptError);
  });

  it("freeListLength() on a list with a cycle ends, counting up to the break", async () => {
    const heap = await Heap.create({ cacheBytes: 0 });
    const pool = heap.createPool("p", 16);
    const x = pool.alloc();
    pool.free(x);
    writeWords(heap, x, x);
    expect(pool.freeListLength()).toBeLessThanOrEqual(pool.stats().allocated + 1);
  });
});

describe("debug poison", () => {
  it("alloc reports a write after free with the pool, the object and the offset, once", async () => {
    const heap = await Heap.create({ debug: { poison: 0xa5 } });
    const pool = heap.createPool("session", 64);
    const x = pool.alloc();
    pool.free(x);
    heap.bytes(x + 12, 1)[0] = 0x42;
    expect(() => pool.alloc()).toThrow(UseAfterFreeError);
    pool.free(pool.alloc());
    let message = "";
    const y = pool.alloc();
    pool.free(y);
    heap.bytes(y + 40, 2).fill(0);
    try {
      pool.alloc();
    } catch (error) {
      message = String(error);
    }
    expect(message).toMatch(new RegExp(`pool "session" \\(id 0\\): object ${y} was written at offset 40 after it was freed`));
    // Reported once: the object was poisoned again and goes out with the next alloc.
    expect(pool.alloc()).toBe(y);
    heap.check();
  });

  it("without a write, every object handed out passes the check, including fresh ones", async () => {
    const heap = await Heap.create({ debug: { poison: 0xa5 } });
    const pool = heap.createPool("p", 24);
    const ptrs = Array.from({ length: 500 }, () => pool.alloc());
    for (const ptr of ptrs) pool.free(ptr);
    for (let i = 0; i < 500; i++) pool.alloc();
  });
});

describe("debug tag", () => {
  it("never gets a chunk 8 bytes larger than asked, even where only such free chunks fit (malloc reads sizes from chunks)", async () => {
    const heap = await Heap.create({ debug: { tag: true } });
    // 64-byte chunks, then every other one given back: free 64-byte chunks between used ones.
    const b = heap.createPool("b", 48);
    const bs = Array.from({ length: 16 }, () => b.alloc());
    bs.forEach((ptr, i) => {
      if (i % 2 === 0) b.free(ptr);
    });
    b.flush();
    // 40-byte objects with their tag want 56-byte chunks: the free 64-byte ones cannot be split (8 bytes is too
    // little for a free chunk), so they must be passed over, not handed out whole.
    const a = heap.createPool("a", 40);
    const as = Array.from({ length: 16 }, () => a.alloc());
    const chunkSizes = as.map((ptr) => new Uint32Array(heap.memory.buffer)[(ptr - 8) >>> 2]! & ~7);
    expect(new Set(chunkSizes)).toEqual(new Set([56]));
    for (const ptr of as) a.free(ptr);
    heap.check();
  });
});

describe("destroy({ force: true })", () => {
  it("destroys a pool while objects are handed out; they still free through a handle of it, then the slot is free", async () => {
    const heap = await Heap.create();
    const pool = heap.createPool("abandoned", 32);
    const lookup = heap.pool("abandoned");
    const out = [pool.alloc(), pool.alloc(), pool.alloc()];
    expect(() => pool.destroy()).toThrow(/destroy\(\{ force: true \}\)/);
    pool.destroy({ force: true });
    expect(() => heap.pool("abandoned")).toThrow();
    expect(heap.stats().retiredPools).toBe(1);
    heap.check();
    for (const ptr of out) lookup.free(ptr);
    expect(heap.stats()).toMatchObject({ retiredPools: 0, retiredObjects: 0 });
    expect(() => lookup.free(out[0]!)).toThrow();
    heap.check();
  });

  it("refuses an option of the wrong type", async () => {
    const heap = await Heap.create();
    const pool = heap.createPool("p", 8);
    expect(() => pool.destroy({ force: 1 as unknown as boolean })).toThrow(/options\.force/);
    pool.destroy();
  });
});

describe("a trap the core did not record", () => {
  for (const build of ["release", "debug"] as const) {
    it(`${build} core: a failed internal check (a cache list link out of range) becomes a HeapCorruptError, and the heap works on`, async () => {
      const heap = await Heap.create({ build, cacheBytes: 1024 });
      const pool = heap.createPool("p", 64);
      const other = heap.createPool("other", 64);
      other.free(other.alloc());
      const words = new Uint32Array(heap.memory.buffer);
      const block = words[(slotOf(heap, heap.threadId) + T_CACHE) >>> 2]!;
      const tail = words[(block + B_LIST_TAIL) >>> 2]!;
      words[(block + B_LIST_TAIL) >>> 2] = 999;
      // Frees past the bound evict, and eviction reads the list's tail (the debug core walks the list at every change: the first alloc).
      expect(() => {
        const ptrs = Array.from({ length: 32 }, () => pool.alloc());
        for (const ptr of ptrs) pool.free(ptr);
      }).toThrow(
        // The failed check is named: the debug core's walk of the list at every change sees it first.
        build === "debug"
          ? /failed internal check: the thread cache's list of entries does not walk the same both ways \(cache-block.ts, listConsistent\)/
          : /failed internal check: a link of the thread cache's list of entries is out of range \(cache-block.ts, listIndex\)/,
      );
      words[(block + B_LIST_TAIL) >>> 2] = tail;
      pool.free(pool.alloc());
      expect(() => heap.gc()).not.toThrow();
    });
  }

  it("becomes a HeapCorruptError, after the thread let go of every lock it held", async () => {
    const heap = await Heap.create();
    let released = 0;
    const core = {
      pool_alloc: (_id: number, _generation: number) => {
        throw new WebAssembly.RuntimeError("memory access out of bounds");
      },
      thread_release_holds: () => {
        released++;
      },
    } as unknown as CoreExports;
    const block = heap.stats().memoryBytes - 64;
    const wrapped = reportingCore(core, new MemoryViews(heap.memory), block, () => {});
    expect(() => wrapped.pool_alloc(1, 1)).toThrow(HeapCorruptError);
    expect(() => wrapped.pool_alloc(1, 1)).toThrow(/bad memory access \(memory access out of bounds\)/);
    expect(released).toBe(2);
  });
});
