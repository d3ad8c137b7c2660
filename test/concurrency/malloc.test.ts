// heap.malloc and friends: the size classes as the README states them,
// every call, reuse of memory across classes, the debug modes and fault
// injection, and a model test of 2 workers mixing malloc, realloc and free
// of random sizes and freeing each other's blocks (workers/malloc-worker.ts).

import { execFile } from "node:child_process";
import { promisify } from "node:util";
import { Worker } from "node:worker_threads";
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import {
  DoubleFreeError,
  Heap,
  HeapCorruptError,
  InvalidArgumentError,
  InvalidPointerError,
  OutOfMemoryError,
  PoolMismatchError,
  PoolNotOwnedError,
} from "wasm-pools";
import { expectConsistent } from "../support/consistency.js";
import { expectedUsable, type MallocReport, type MallocStep, type MallocTask, RINGS_BYTES } from "../workers/malloc-protocol.js";

const WORKER = new URL("../../build/test/workers/malloc-worker.js", import.meta.url);

/** Every class pool's `used` and the large blocks: what malloc has out. */
function blocksOut(heap: Heap): number {
  const stats = heap.stats();
  return stats.pools.filter((p) => p.name.startsWith("malloc:")).reduce((sum, p) => sum + p.used, 0) + stats.largeBlocks;
}

describe("size classes", () => {
  it("give every request from 0 to 9000 bytes the class the README states, wasting at most 12.5 % past 128 bytes", async () => {
    const heap = await Heap.create();
    for (let size = 0; size <= 9000; size++) {
      const ptr = heap.malloc(size);
      const usable = heap.usableSize(ptr);
      expect(usable, `malloc(${size})`).toBe(expectedUsable(size));
      if (size > 128) expect(usable - size, `malloc(${size})`).toBeLessThanOrEqual(usable / 8);
      else expect(usable - Math.max(size, 1)).toBeLessThan(8);
      heap.free(ptr);
    }
    // 8-byte steps to 128 bytes (16), then 8 per power of two to 8 KiB (48).
    expect(heap.pools().filter((p) => p.name.startsWith("malloc:"))).toHaveLength(64);
    expectConsistent(heap);
    expect(blocksOut(heap)).toBe(0);
  });

  it("are pools named malloc:<size> that createPool and adoptPool refuse to touch", async () => {
    const heap = await Heap.create();
    heap.free(heap.malloc(24));
    expect(heap.pool("malloc:24").size).toBe(24);
    expect(() => heap.createPool("malloc:24", 24)).toThrow(InvalidArgumentError);
    expect(() => heap.createPool("malloc:mine", 8)).toThrow(/heap.malloc's size classes/);
    expect(() => heap.adoptPool("malloc:24")).toThrow(PoolNotOwnedError);
    expect(heap.dump()).toMatch(/malloc:24/);
    const large = heap.malloc(100_000);
    expect(heap.dump()).toMatch(/Large blocks of malloc: 1 \(97\.\d KiB\)/);
    heap.free(large);
    expect(heap.dump()).not.toMatch(/Large blocks/);
  });
});

describe("malloc, free, realloc", () => {
  it("hand out distinct 8-aligned blocks of every size, small and large, that any order of frees gives back", async () => {
    const heap = await Heap.create();
    const sizes = [0, 1, 7, 8, 9, 127, 128, 129, 1000, 1024, 1025, 8191, 8192, 8193, 65536, 1 << 20];
    const blocks = sizes.map((size) => heap.malloc(size));
    const ranges = blocks.map((ptr, i) => [ptr, ptr + heap.usableSize(ptr), sizes[i]!] as const).sort((a, b) => a[0] - b[0]);
    for (let i = 1; i < ranges.length; i++) expect(ranges[i]![0]).toBeGreaterThanOrEqual(ranges[i - 1]![1]);
    for (const ptr of blocks) expect(ptr % 8).toBe(0);
    expect(heap.stats().largeBlocks).toBe(3);
    for (const ptr of blocks.reverse()) heap.free(ptr);
    expect(heap.stats()).toMatchObject({ largeBlocks: 0, largeBytes: 0 });
    expect(blocksOut(heap)).toBe(0);
    expectConsistent(heap);
  });

  it("free(0) does nothing; a second free is a DoubleFreeError (class) or an InvalidPointerError (large block)", async () => {
    const heap = await Heap.create();
    heap.free(0);
    const small = heap.malloc(40);
    const large = heap.malloc(100_000);
    heap.free(small);
    heap.free(large);
    expect(() => heap.free(small)).toThrow(DoubleFreeError);
    expect(() => heap.free(large)).toThrow(InvalidPointerError);
    expect(() => heap.usableSize(small)).toThrow(InvalidPointerError);
    expect(() => heap.usableSize(large)).toThrow(InvalidPointerError);
    expect(() => heap.realloc(small, 8)).toThrow(InvalidPointerError);
    expectConsistent(heap);
  });

  it("refuse pointers that are no block: inside a block, a pool object of no class's size, past the arena", async () => {
    const heap = await Heap.create();
    const block = heap.mallocZeroed(256);
    const large = heap.mallocZeroed(20_000);
    const odd = heap.createPool("odd", 1000).alloc();
    for (const ptr of [block + 8, block + 128, large + 8, large + 16, odd, 2 ** 31]) {
      expect(() => heap.free(ptr), `free(${ptr})`).toThrow(InvalidPointerError);
      expect(() => heap.usableSize(ptr), `usableSize(${ptr})`).toThrow(InvalidPointerError);
    }
    expect(() => heap.free(block + 4)).toThrow(InvalidPointerError);
    expect(() => heap.free("8" as never)).toThrow(InvalidArgumentError);
    expect(() => heap.free(8n as never)).toThrow(InvalidArgumentError);
    heap.free(heap.malloc(8)); // the class of 8 open: 8.5 must not slip through its hit path as 8
    for (const bad of [-1, 1.5, 8.5, Number.NaN, 2 ** 30, "8", undefined]) {
      expect(() => heap.malloc(bad as never), `malloc(${String(bad)})`).toThrow(InvalidArgumentError);
      expect(() => heap.tryMalloc(bad as never)).toThrow(InvalidArgumentError);
      expect(() => heap.realloc(block, bad as never)).toThrow(InvalidArgumentError);
    }
    heap.free(block);
    heap.free(large);
    expectConsistent(heap);
    expect(blocksOut(heap)).toBe(0);
  });

  it("realloc keeps the block while its class fits, else moves the bytes that fit", async () => {
    const heap = await Heap.create();
    const p = heap.malloc(100);
    heap.bytes(p, 100).fill(7);
    expect(heap.realloc(p, 97)).toBe(p);
    expect(heap.realloc(p, 104)).toBe(p);
    const grown = heap.realloc(p, 5000);
    expect(grown).not.toBe(p);
    expect([...heap.bytes(grown, 100)].every((b) => b === 7)).toBe(true);
    expect(() => heap.usableSize(p)).toThrow(InvalidPointerError);
    const large = heap.realloc(grown, 50_000);
    expect([...heap.bytes(large, 100)].every((b) => b === 7)).toBe(true);
    expect(heap.realloc(large, 30_000)).toBe(large);
    const shrunk = heap.realloc(large, 10);
    expect(heap.usableSize(shrunk)).toBe(16);
    expect([...heap.bytes(shrunk, 10)].every((b) => b === 7)).toBe(true);
    const fresh = heap.realloc(0, 24);
    expect(heap.usableSize(fresh)).toBe(24);
    heap.free(fresh);
    heap.free(shrunk);
    expect(blocksOut(heap)).toBe(0);
    expectConsistent(heap);
  });

  it("throws OutOfMemoryError (tryMalloc: 0) past maxBytes, for classes and large blocks, and leaves realloc's block whole", async () => {
    const heap = await Heap.create({ maxBytes: 4 << 20 });
    const p = heap.malloc(64);
    heap.bytes(p, 64).fill(3);
    expect(heap.tryMalloc(8 << 20)).toBe(0);
    expect(() => heap.malloc(8 << 20)).toThrow(OutOfMemoryError);
    expect(() => heap.realloc(p, 8 << 20)).toThrow(OutOfMemoryError);
    expect([...heap.bytes(p, 64)].every((b) => b === 3)).toBe(true);
    const held: number[] = [];
    for (let ptr = heap.tryMalloc(4096); ptr !== 0; ptr = heap.tryMalloc(4096)) held.push(ptr);
    expect(held.length).toBeGreaterThan(500);
    expect(() => heap.malloc(4096)).toThrow(OutOfMemoryError);
    for (const ptr of held) heap.free(ptr);
    heap.free(p);
    expectConsistent(heap);
  });

  it("fault injection fails class refills and large blocks alike", async () => {
    const heap = await Heap.create({ failRate: 100 });
    expect(heap.tryMalloc(64)).toBe(0);
    expect(heap.tryMalloc(100_000)).toBe(0);
    expect(() => heap.malloc(64)).toThrow(/fault injection/);
    expect(() => heap.malloc(100_000)).toThrow(/fault injection/);
    heap.check();
    expect(heap.stats().failures).toBeGreaterThan(0);
  });

  it("after freeing everything and gc(), memory that small classes gave back serves a large block without growing", async () => {
    const heap = await Heap.create({ initialBytes: 8 << 20 });
    const small: number[] = [];
    for (let i = 0; i < 40_000; i++) small.push(heap.malloc(16 + (i % 16) * 8));
    for (const ptr of small) heap.free(ptr);
    const before = heap.stats();
    heap.gc();
    const large = heap.malloc(before.backingUsedBytes / 2);
    expect(heap.stats().memoryBytes).toBe(before.memoryBytes);
    heap.free(large);
    expectConsistent(heap);
  });
});

describe("typed access", () => {
  it("mallocString, readString, array and dataView see the same bytes, and views stay valid after the memory grows", async () => {
    const heap = await Heap.create({ initialBytes: 1 << 20 });
    const { ptr, length } = heap.mallocString("Zoë 🦀 wasm");
    expect(length).toBe(new TextEncoder().encode("Zoë 🦀 wasm").length);
    expect(heap.readString(ptr, length)).toBe("Zoë 🦀 wasm");
    const empty = heap.mallocString("");
    expect(empty.length).toBe(0);
    heap.free(empty.ptr);
    const p = heap.malloc(64);
    const f64 = heap.array(Float64Array, p, 8);
    const words = heap.array(Uint32Array, p, 16);
    const view = heap.dataView(p, 64);
    const before = heap.stats().memoryBytes;
    const big = heap.malloc(8 << 20); // grows the memory
    expect(heap.stats().memoryBytes).toBeGreaterThan(before);
    f64[1] = 1.5;
    expect(view.getFloat64(8, true)).toBe(1.5);
    words[0] = 0xdeadbeef;
    expect(heap.array(Uint32Array, p, 1)[0]).toBe(0xdeadbeef);
    heap.array(BigUint64Array, big, 1)[0] = 2n ** 63n;
    expect(heap.dataView(big, 8).getBigUint64(0, true)).toBe(2n ** 63n);
    expect(() => heap.array(Float64Array, p + 4, 1)).toThrow(InvalidPointerError);
    expect(() => heap.array(Array as never, p, 1)).toThrow(InvalidArgumentError);
    expect(() => heap.array(class extends Uint8Array {} as never, p, 1)).toThrow(InvalidArgumentError);
    expect(() => heap.array(Uint8Array, p, 2 ** 31)).toThrow(InvalidPointerError);
    expect(() => heap.dataView(8, 8)).toThrow(InvalidPointerError);
    expect(() => heap.mallocString(3 as never)).toThrow(InvalidArgumentError);
    for (const q of [ptr, p, big]) heap.free(q);
    expectConsistent(heap);
  });
});

describe("with the debug modes", () => {
  it("debug.tag: classes work through the core, and a same-size pool object freed with heap.free is caught", async () => {
    const heap = await Heap.create({ debug: { tag: true, poison: 0xa5 } });
    const blocks = [0, 8, 100, 5000, 8192, 9000].map((size) => heap.malloc(size));
    expect(blocks.map((p) => heap.usableSize(p))).toEqual([8, 8, 104, 5120, 8192, 9000]);
    const grown = heap.realloc(blocks[2]!, 300);
    expect(heap.usableSize(grown)).toBe(320);
    blocks[2] = grown;
    const stranger = heap.createPool("stranger", 64).alloc();
    heap.free(heap.malloc(64));
    expect(() => heap.free(stranger)).toThrow(PoolMismatchError);
    for (const p of blocks) heap.free(p);
    expect(() => heap.free(blocks[0]!)).toThrow(DoubleFreeError);
    expectConsistent(heap);
  });

  it("debug.uaf: blocks freed and given back by gc are refused", async () => {
    const heap = await Heap.create({ debug: { uaf: true } });
    const p = heap.malloc(48);
    heap.free(p);
    heap.gc();
    expect(() => heap.free(p)).toThrow(InvalidPointerError);
    expectConsistent(heap);
  });
});

describe("exact chunks", () => {
  /** Free 56-byte chunks between used ones, then 40-byte blocks (48-byte chunks) that only those fit. */
  async function squeeze(heap: Heap): Promise<number[]> {
    const spacer = heap.createPool("spacer", 48);
    const spacers = Array.from({ length: 32 }, () => spacer.alloc());
    spacers.forEach((ptr, i) => {
      if (i % 2 === 0) spacer.free(ptr);
    });
    spacer.flush();
    return Array.from({ length: 16 }, () => heap.malloc(40));
  }

  it("keep every block in its class where only a chunk 8 bytes too large fits", async () => {
    const heap = await Heap.create();
    const blocks = await squeeze(heap);
    expect(blocks.map((p) => heap.usableSize(p))).toEqual(blocks.map(() => 40));
    for (const ptr of blocks) heap.free(ptr);
    expect(heap.pool("malloc:40").stats().used).toBe(0);
    expectConsistent(heap);
  });

  it("without them (test switch inexactChunks), a chunk 8 bytes too large is no object of its class: the class's pool refuses it as corrupt", async () => {
    const heap = await Heap.create({ unsafeTestSwitches: { inexactChunks: true } });
    // The chunk rule: an object belongs to a pool only if its chunk is exactly the pool's size.
    await expect(squeeze(heap)).rejects.toThrow(HeapCorruptError);
    expect(() => heap.check()).toThrow(/pool \d+ is marked corrupt/);
  });
});

describe("heap.check() and the large blocks", () => {
  it("finds a large-block counter that does not match the blocks", async () => {
    const heap = await Heap.create();
    const p = heap.malloc(50_000);
    heap.check();
    const counter = new Uint32Array(heap.memory.buffer);
    const LARGE_BLOCKS = (65536 + 128 + 16) / 4;
    counter[LARGE_BLOCKS]!++;
    expect(() => heap.check()).toThrow(HeapCorruptError);
    counter[LARGE_BLOCKS]!--;
    heap.free(p);
    heap.check();
  });
});

/** One random step of a worker's program; sizes mostly small, some up to 8 KiB, a few large. */
const step: fc.Arbitrary<MallocStep> = fc.oneof(
  {
    weight: 4,
    arbitrary: fc
      .oneof(
        { weight: 6, arbitrary: fc.integer({ min: 0, max: 256 }) },
        { weight: 3, arbitrary: fc.integer({ min: 257, max: 8192 }) },
        { weight: 1, arbitrary: fc.integer({ min: 8193, max: 70_000 }) },
      )
      .map((size) => ({ kind: "malloc" as const, size })),
  },
  { weight: 2, arbitrary: fc.record({ kind: fc.constant("realloc" as const), pick: fc.nat(), size: fc.integer({ min: 0, max: 12_000 }) }) },
  { weight: 3, arbitrary: fc.record({ kind: fc.constant("free" as const), pick: fc.nat() }) },
  { weight: 1, arbitrary: fc.record({ kind: fc.constant("give" as const), pick: fc.nat() }) },
  { weight: 1, arbitrary: fc.constant({ kind: "take" as const }) },
);

function runWorker(task: MallocTask): Promise<MallocReport> {
  const worker = new Worker(WORKER, { workerData: task });
  return new Promise((resolve, reject) => {
    worker.once("message", resolve);
    worker.once("error", reject);
    worker.once("exit", (code) => reject(new Error(`malloc worker ${task.workerNumber} exited with code ${code} before reporting`)));
  });
}

describe("2 workers against a model", () => {
  it("mix malloc, realloc and free of random sizes and free each other's blocks: no overlap, no lost byte, nothing left", async () => {
    await fc.assert(
      fc.asyncProperty(fc.array(step, { minLength: 1, maxLength: 400 }), fc.array(step, { minLength: 1, maxLength: 400 }), async (a, b) => {
        // A heap per run: a failed run's leftovers must not fail the shrunk ones.
        const heap = await Heap.create();
        const rings = new SharedArrayBuffer(RINGS_BYTES);
        const handle = heap.handle();
        const reports = await Promise.all([
          runWorker({ handle, workerNumber: 0, steps: a, rings }),
          runWorker({ handle, workerNumber: 1, steps: b, rings }),
        ]);
        for (const report of reports) expect(report.error).toBe("");
        expect(blocksOut(heap)).toBe(0);
        expectConsistent(heap);
      }),
      { numRuns: 12 },
    );
  }, 120_000);
});

describe("examples/messages", () => {
  it("runs: workers' variable-length records read and freed by the main thread, none left out", async () => {
    const main = new URL("../../build/examples/messages/main.js", import.meta.url);
    const { stdout } = await promisify(execFile)("node", [main.pathname]);
    expect(stdout).toMatch(/^100000 records from 2 workers, \d+ characters of text, by level: 25000 \/ 25000 \/ 25000 \/ 25000$/m);
    expect(stdout).toMatch(/blocks still out: 0$/m);
  }, 60_000);
});
