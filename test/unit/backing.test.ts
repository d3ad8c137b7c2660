// The backing allocator seen through the pools: reuse across sizes,
// coalescing, growth up to maxBytes and recovery after it.

import { describe, expect, it } from "vitest";
import { Heap, OutOfMemoryError } from "wasm-pools";
import { expectConsistent } from "../support/consistency.js";

describe("backing allocator", () => {
  it("memory one pool gives back serves another size without growing", async () => {
    const heap = await Heap.create({ initialBytes: 1 << 20 });
    const small = heap.createPool("small", 64);
    const ptrs = Array.from({ length: 100_000 }, () => small.alloc());
    ptrs.forEach((p) => small.free(p));
    heap.gc();
    expect(small.stats().allocated).toBe(0);
    const grown = heap.stats().memoryBytes;
    expect(grown).toBeGreaterThan(100_000 * 64);
    const page = heap.createPool("page", 4096);
    // 1,500 × 4 KiB = 6 MiB of the 7 MiB the small pool gave back.
    const pages = Array.from({ length: 1500 }, () => page.alloc());
    expect(new Set(pages).size).toBe(1500);
    expect(heap.stats().memoryBytes).toBe(grown);
    pages.forEach((p) => page.free(p));
    expectConsistent(heap);
  });

  it("coalesces everything back when every pool is flushed", async () => {
    const heap = await Heap.create();
    const threadBlock = heap.stats().backingUsedBytes;
    const sizes = [8, 24, 64, 200, 1000, 4096, 40_000];
    const pools = sizes.map((size) => heap.createPool(`s${size}`, size));
    // A reproducible shuffle of allocations and frees across sizes.
    let seed = 42;
    const random = (n: number) => {
      seed = (Math.imul(seed, 1103515245) + 12345) >>> 0;
      return (seed >>> 8) % n;
    };
    const live: Array<[number, number]> = [];
    for (let step = 0; step < 20_000; step++) {
      if (live.length > 0 && random(3) === 0) {
        const [poolIndex, ptr] = live.splice(random(live.length), 1)[0]!;
        pools[poolIndex]!.free(ptr);
      } else {
        const poolIndex = random(pools.length);
        live.push([poolIndex, pools[poolIndex]!.alloc()]);
      }
      if (step % 5000 === 4999) pools[random(pools.length)]!.flush();
    }
    expectConsistent(heap);
    for (const [poolIndex, ptr] of live) pools[poolIndex]!.free(ptr);
    pools.forEach((pool) => pool.flush());
    const stats = heap.stats();
    // Only this thread's cache block, carved first, is left.
    expect(stats.backingUsedBytes).toBe(threadBlock);
    // Every free chunk merged with its neighbours and then with the uncarved top.
    expect(stats.backingFreeBytes).toBe(0);
  });

  it("serves objects of 1 MiB and more", async () => {
    const heap = await Heap.create({ maxBytes: 64 << 20 });
    const pool = heap.createPool("mib", 1 << 20);
    const ptrs = [pool.alloc(), pool.alloc(), pool.alloc()];
    heap.bytes(ptrs[2]!, 1 << 20).fill(9);
    expect(heap.bytes(ptrs[2]!, 1 << 20).every((x) => x === 9)).toBe(true);
    expect(heap.createPool("16mib", 16 << 20).alloc()).toBeGreaterThan(0);
  });
});

describe("pointers above 2 GiB", () => {
  it("arrive in JS as positive numbers and work like any other", async () => {
    const heap = await Heap.create({ maxBytes: 4 * 1024 ** 3 - 65536 });
    const giant = heap.createPool("giant", 1 << 30);
    giant.alloc();
    giant.alloc();
    const small = heap.createPool("small", 64);
    const high = small.alloc();
    expect(high).toBeGreaterThan(2 ** 31);
    heap.bytes(high, 64).fill(3);
    expect(new Uint8Array(heap.memory.buffer, high, 64).every((x) => x === 3)).toBe(true);
    small.free(high);
    expect(small.alloc()).toBe(high);
    // The fourth gigabyte does not fit below 4 GiB - 64 KiB with the rest.
    expect(giant.alloc()).toBeGreaterThan(2 ** 31);
    expect(giant.tryAlloc()).toBe(0);
  });
});

describe("maxBytes", () => {
  it("allocation at the limit fails cleanly, and succeeds again after frees and gc", async () => {
    const maxBytes = 2 << 20;
    const heap = await Heap.create({ initialBytes: 256 << 10, maxBytes });
    const pool = heap.createPool("kib", 1024);
    const ptrs: number[] = [];
    for (;;) {
      const ptr = pool.tryAlloc();
      if (ptr === 0) break;
      ptrs.push(ptr);
    }
    expect(heap.stats().memoryBytes).toBe(maxBytes);
    expect(ptrs.length).toBeGreaterThan(1500);
    expect(() => pool.alloc()).toThrow(OutOfMemoryError);
    expect(pool.stats().failed).toBe(2);
    // Smaller objects still fit in the last scraps, then fail too.
    const other = heap.createPool("other", 64);
    let scraps = 0;
    while (other.tryAlloc() !== 0) scraps++;
    expect(scraps).toBeLessThan(1024 / 64);
    expect(other.stats()).toMatchObject({ used: scraps, failed: 1 });
    expectConsistent(heap);
    // Give half back; gc returns it to the backing allocator for any size.
    ptrs.splice(0, ptrs.length / 2).forEach((p) => pool.free(p));
    heap.gc();
    expect(other.alloc()).toBeGreaterThan(0);
    expect(pool.alloc()).toBeGreaterThan(0);
    expect(heap.stats().memoryBytes).toBe(maxBytes);
    expectConsistent(heap);
  });

  it("an allocation that fails runs gc itself and retries once", async () => {
    const heap = await Heap.create({ initialBytes: 256 << 10, maxBytes: 1 << 20 });
    const filler = heap.createPool("filler", 512);
    const ptrs: number[] = [];
    for (let p = filler.tryAlloc(); p !== 0; p = filler.tryAlloc()) ptrs.push(p);
    ptrs.forEach((p) => filler.free(p));
    // No explicit gc: the other pool's alloc fails, gc runs, the retry succeeds.
    const other = heap.createPool("other", 2048);
    expect(other.alloc()).toBeGreaterThan(0);
    expect(other.stats().failed).toBe(0);
    expect(filler.stats().allocated).toBe(0);
  });
});
