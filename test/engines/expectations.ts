// What every target must show in its conformance report, judged the same
// way whatever the engine (test/engines/engines.test.ts runs it per target).

import { expect, it } from "vitest";
import type { CacheComeBack, ConformanceReport } from "../conformance/conformance-protocol.js";

/** The sharing scenario a target runs: workers on one heap, or a typed refusal of this name. */
export type Sharing = { shares: true } | { shares: false; refusal: string; names: RegExp[] };

/** Declares the tests on the report `report()` gives once the target has run (in a beforeAll). */
export function itConforms(report: () => ConformanceReport, sharing: Sharing): void {
  it("runs the suite to its end, and heap.check() passes", () => {
    expect(report().error).toBeUndefined();
    expect(report().check).toBe("passed");
  });

  it("one thread allocates, writes, reads back and frees 1,000 objects", () => {
    expect(report().singleThreadObjects).toBe(1000);
  });

  it("heap.malloc serves every size, realloc keeps the bytes, typed views and UTF-8 strings read back, nothing is left", () => {
    expect(report().mallocBlocks).toEqual({ intact: 7, views: true, string: true, largeBlocksLeft: 0 });
  });

  it("struct layouts: every field type reads back, accessors follow growth, errors are typed, checked mode catches a freed object, waitAsync settles", () => {
    expect(report().structs).toEqual({
      fields: true,
      growth: true,
      errors: ["InvalidPointerError", "InvalidPointerError", "InvalidArgumentError", "InvalidArgumentError"],
      checkedCatches: "UseAfterFreeError",
      waits: ["not-equal", "timed-out"],
    });
  });

  it("channels: one thread's FIFO, typed errors, and a blocking receive that times out, or refuses where the main thread may not block", () => {
    const channels = report().channels!;
    expect(channels).toMatchObject({
      fifo: true,
      errors: ["ChannelClosedError", "ChannelExistsError", "ChannelNotEmptyError", "InvalidPointerError", "ChannelDestroyedError"],
    });
    expect(channels.blockingReceive).toBe(channels.mainMayBlock ? "WaitTimeoutError" : "CannotBlockError");
  });

  it("bad input gets a typed error (a WasmPoolsError) of the right class", () => {
    const got = Object.fromEntries(report().badInputs.map((each) => [each.call, `${each.error}${each.typed ? "" : " (untyped)"}`]));
    expect(got).toEqual({
      "Heap.create({ maxBytes: -1 })": "InvalidArgumentError",
      "Heap.create({ module: bytes that are not wasm })": "InvalidArgumentError",
      'Heap.attach({ kind: "nope" })': "InvalidHandleError",
      'heap.createPool("", 8)': "InvalidArgumentError",
      'heap.createPool("x", 2 ** 31)': "InvalidArgumentError",
      'heap.pool("no such pool")': "PoolNotFoundError",
      "heap.bytes(0, 8)": "InvalidPointerError",
      "pool.free(3)": "InvalidPointerError",
      "pool.alloc() past the pool's limit": "OutOfMemoryError",
      "pool.free(ptr) twice": "DoubleFreeError",
      "createPool on a closed heap": "HeapClosedError",
    });
  });

  if (!sharing.shares) {
    it(`sharing the heap is refused with ${sharing.refusal}, which names the fix`, () => {
      expect(report().crossOriginIsolated).toBe(sharing.refusal !== "NotIsolatedError");
      expect(report().sharingRefused).toMatchObject({ name: sharing.refusal, typed: true });
      for (const name of sharing.names) expect(report().sharingRefused?.message).toMatch(name);
      expect(report().workers).toBeUndefined();
    });
    return;
  }

  it("shares the heap: 2 workers attach, each with its own thread id", () => {
    expect(report().crossOriginIsolated).toBe(true);
    expect(report().sharingRefused).toBeUndefined();
    const ids = report().workers!.threadIds;
    expect(new Set(ids).size).toBe(2);
    expect(ids).not.toContain(1); // 1 is the creating thread
  });

  it("a channel relay: a worker sends up (blocking), this thread relays each message down with promises, the worker receives them (blocking), in order", () => {
    expect(report().relay).toEqual({ count: 200, upInOrder: true, received: 200, outOfOrder: 0, used: 0 });
  });

  it("hands no object out twice while the main thread flushes and gcs, and the accounting ends exact", () => {
    const workers = report().workers!;
    expect(workers.doubles).toBe(0);
    expect(workers.operations).toBeGreaterThanOrEqual(2 * 200_000);
    expect(workers.flushes).toBeGreaterThan(0);
    expect(workers.gcs).toBeGreaterThan(0);
    // Every worker closed its heap: nothing used, nothing cached, the rest on the free list.
    expect(workers).toMatchObject({ used: 0, cached: 0 });
    expect(workers.allocated).toBe(workers.freeListLength);
  });

  it("grows the memory, and every worker sees the growth and intact objects", () => {
    const workers = report().workers!;
    // Each worker holds 256 objects of 4 KiB (1 MiB and their headers) beside what the heap's
    // first 1 MiB already holds: the memory grew by at least 1 MiB, whether or not the workers overlapped.
    const grown = workers.initialMemoryBytes + (1 << 20);
    expect(workers.finalMemoryBytes).toBeGreaterThanOrEqual(grown);
    for (const seen of workers.memoryBytesSeen) {
      expect(seen).toBeGreaterThanOrEqual(grown);
      expect(seen).toBeLessThanOrEqual(workers.finalMemoryBytes);
    }
    expect(workers.memoryBytesSeen).toHaveLength(2);
    expect(workers.badBigObjects).toBe(0);
  });

  it("a worker that ends without heap.close() gets its cache back by itself", () => {
    expectBack(report().leaver!);
  });

  it("a worker terminated with a full cache gets it back by itself", () => {
    expectBack(report().killed!);
  });

  it("a worker attached twice and terminated with its own worker: all three caches come back by themselves", () => {
    expectBack(report().killedWithChild!);
  });

  it("every thread slot names its life lock from the moment it is LIVE (browsers, Deno), or none does (exit events: Node, Bun)", () => {
    // Until ABI 14 a thread took its lock after its slot was LIVE: a worker
    // terminated before the grant left a slot that named no lock, for good.
    const seen = report().lifeLocks!;
    expect(seen.passes).toBeGreaterThan(0);
    expect(seen.liveWithLock + seen.liveWithoutLock).toBeGreaterThan(0);
    expect(seen.liveWithLock === 0 || seen.liveWithoutLock === 0 ? "all or none" : seen).toBe("all or none");
  });
}

function expectBack(back: CacheComeBack): void {
  expect(back.cachedBefore).toBeGreaterThan(0);
  expect(back.cachedAfter).toBe(0);
}
