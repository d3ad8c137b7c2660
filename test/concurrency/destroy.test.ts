// Pools destroyed and created again while other threads use them. A
// destroyed pool is retired: no thread can find it or allocate from it, its
// objects still out come back to it, and its slot is reused only once they
// all have (docs/internals.md §7). Real workers on real shared memory.

import { Worker } from "node:worker_threads";
import { describe, expect, it } from "vitest";
import { Heap, type Pool, PoolDestroyedError, PoolInUseError, PoolNotOwnedError } from "wasm-pools";
import { BATCH_MAX, C_SIZE, CACHE_SCRATCH, CHUNK_HEADER } from "../../dist/layout.js";
import { EXHAUSTIVE } from "../support/sampling.js";
import {
  DESTROY_SIGNALS,
  type DrainRound,
  type DrainTask,
  GO,
  type LoadReport,
  type LoadTask,
  ROUND,
  STOP,
} from "../workers/destroy-protocol.js";

const WORKER_SCRIPT = new URL("../../build/test/workers/destroy-worker.js", import.meta.url);
/** What one thread's cache block takes from the backing allocator. */
const CACHE_BLOCK_CHUNK = (CACHE_SCRATCH + BATCH_MAX * 4 + CHUNK_HEADER + 7) & ~7;

/** Messages from one worker, taken in order. */
class Inbox {
  readonly #queue: unknown[] = [];
  readonly #waiting: Array<(message: unknown) => void> = [];
  readonly exited: Promise<number>;

  constructor(readonly worker: Worker) {
    worker.on("message", (message: unknown) => {
      const resolve = this.#waiting.shift();
      if (resolve) resolve(message);
      else this.#queue.push(message);
    });
    this.exited = new Promise((resolve, reject) => {
      worker.once("error", reject);
      worker.once("exit", resolve);
    });
  }

  next<T>(): Promise<T> {
    if (this.#queue.length > 0) return Promise.resolve(this.#queue.shift() as T);
    const message = new Promise<T>((resolve) => this.#waiting.push(resolve as (m: unknown) => void));
    // A worker that fails must fail the test, not hang it.
    return Promise.race([message, this.exited.then((code) => Promise.reject(new Error(`worker exited (${code}) early`)))]);
  }
}

function signal(signals: Int32Array, slot: number, value: number): void {
  Atomics.store(signals, slot, value);
  Atomics.notify(signals, slot);
}

/** The payload size of the chunk that holds `ptr`. */
function payloadOf(heap: Heap, ptr: number): number {
  const header = new Uint32Array(heap.memory.buffer)[(ptr - CHUNK_HEADER + C_SIZE) >>> 2]!;
  return (header & ~7) - CHUNK_HEADER;
}

/** Destroys `pool` as soon as it may be: PoolInUseError means another thread still has objects out. */
function destroyWhenAllowed(pool: Pool): number {
  for (let refused = 0; refused < 10_000_000; refused++) {
    try {
      pool.destroy();
      return refused;
    } catch (error) {
      if (!(error instanceof PoolInUseError)) throw error;
    }
  }
  throw new Error("destroy was refused ten million times");
}

/**
 * A worker fills its cache with `fill` objects of an 8-byte pool "small" and
 * drains it while this thread destroys "small" as soon as it may and
 * creates "big" (4096-byte objects). Returns what went wrong, round by round.
 */
async function drainRace(
  mode: DrainTask["mode"],
  fill: number,
  rounds: number,
  cacheBytes?: number,
): Promise<{ problems: string[]; raced: number; reused: number }> {
  const heap = await Heap.create({ maxBytes: 512 << 20 });
  const signals = new Int32Array(new SharedArrayBuffer(DESTROY_SIGNALS * 4));
  const task: DrainTask = { kind: "drain", handle: heap.handle(), signals, mode, rounds, fill, cacheBytes, chunkHeader: CHUNK_HEADER };
  const inbox = new Inbox(new Worker(WORKER_SCRIPT, { workerData: task }));
  const mainOnly = heap.stats().backingUsedBytes;
  const problems: string[] = [];
  let sameSlot = 0;
  let raced = 0;
  // Rounds whose "small" took the slot of the last round's "small", destroyed while the worker drained it.
  let nextSmall = 0;
  let lastSmall = -1;
  for (let round = 1; round <= rounds; round++) {
    const small = heap.createPool("small", 8);
    if (small.id === lastSmall) nextSmall++;
    lastSmall = small.id;
    signal(signals, ROUND, round);
    const { got } = await inbox.next<{ got: number }>();
    if (got !== fill) problems.push(`round ${round}: the worker got ${got} of ${fill} objects`);
    if (mode === "gcThenAlloc") heap.gc();
    signal(signals, GO, round);
    destroyWhenAllowed(small);
    // The destroy overtook the drain: objects of "small" were still in the worker's cache, and the pool waits for them.
    if ((heap.stats().retiredPools ?? 0) > 0) raced++;
    const big = heap.createPool("big", 4096);
    if (big.id === small.id) sameSlot++;
    const ptrs = [big.alloc(), big.alloc(), big.alloc()];
    const { result } = await inbox.next<{ result: DrainRound }>();
    const where = `round ${round} (${mode}, ${fill} objects)`;
    for (const ptr of ptrs) {
      const payload = payloadOf(heap, ptr);
      if (payload < 4096 || payload >= 4096 + 16) problems.push(`${where}: big.alloc() gave a ${payload}-byte chunk`);
      big.free(ptr);
    }
    if (result.alloc === "other pool's object") problems.push(`${where}: the worker's alloc on "small" got another pool's object`);
    if (result.freeFailed !== undefined) problems.push(`${where}: the worker could not free its object: ${result.freeFailed}`);
    try {
      heap.check();
    } catch (error) {
      problems.push(`${where}: ${String(error)}`);
    }
    const s = big.stats();
    if (s.allocated !== s.used + s.cached + big.freeListLength() || s.used !== 0 || s.allocated > 1000) {
      problems.push(`${where}: big counts allocated ${s.allocated}, used ${s.used}, cached ${s.cached}, free ${s.free}`);
    }
    try {
      big.destroy();
    } catch (error) {
      problems.push(`${where}: big.destroy(): ${String(error)}`);
    }
    const stats = heap.stats();
    // Once the worker is done, every object of "small" is back: its slot is free, and no byte is left.
    if ((stats.retiredPools ?? 0) !== 0) problems.push(`${where}: ${stats.retiredPools} destroyed pools still wait for objects`);
    const expected = mainOnly + (mode === "close" ? 0 : CACHE_BLOCK_CHUNK);
    if (stats.backingUsedBytes !== expected) {
      problems.push(`${where}: ${stats.backingUsedBytes - expected} bytes left in the backing allocator`);
    }
  }
  signal(signals, STOP, 1);
  await inbox.exited;
  console.log(
    `drain vs destroy, ${mode}, ${fill} objects: ${rounds} rounds, the destroy overtook the drain in ${raced}; ` +
      `"big" took the slot of "small" in ${sameSlot}, the next "small" in ${nextSmall}`,
  );
  return { problems, raced, reused: sameSlot + nextSmall };
}

/** Rounds of the race with a million cached objects (each takes about 70 ms): a sample in npm test, 50 in test:all. */
const BIG_ROUNDS = EXHAUSTIVE ? 50 : 15;

describe("a drain racing a destroy", () => {
  for (const mode of ["close", "gcThenAlloc"] as const) {
    it(`${mode}, 1,000,000 cached objects: ${BIG_ROUNDS} rounds, never a write into the next pool of the slot`, async () => {
      const { problems, raced, reused } = await drainRace(mode, 1_000_000, BIG_ROUNDS, 64 << 20);
      expect(problems).toEqual([]);
      // The race was run: destroys overtook drains, and the slot of the destroyed pool went to a next one.
      expect({ raced: raced > 0, reused: reused > 0 }).toEqual({ raced: true, reused: true });
    }, 300_000);
    it(`${mode}, the default cache: 50 rounds, never a write into the next pool of the slot`, async () => {
      const { problems, raced, reused } = await drainRace(mode, 40_000, 50);
      expect(problems).toEqual([]);
      expect({ raced: raced > 0, reused: reused > 0 }).toEqual({ raced: true, reused: true });
    }, 120_000);
  }
});

/**
 * `workers` workers alloc and free bursts from the pool named "load" while
 * this thread destroys it whenever it may and creates it again with another
 * size, for `millis` ms per phase.
 */
async function loadPhase(heap: Heap, workers: number, millis: number, cacheBytes: number | undefined, sizes: number[]) {
  const signals = new Int32Array(new SharedArrayBuffer(DESTROY_SIGNALS * 4));
  const inboxes = Array.from({ length: workers }, (_, workerNumber) => {
    const task: LoadTask = { kind: "load", handle: heap.handle(), signals, workerNumber, cacheBytes };
    return new Inbox(new Worker(WORKER_SCRIPT, { workerData: task }));
  });
  await Promise.all(inboxes.map((inbox) => inbox.next()));
  let pool = heap.createPool("load", sizes[0]!);
  let destroyed = 0;
  let refused = 0;
  const end = performance.now() + millis;
  while (performance.now() < end) {
    // Every few milliseconds, as soon as the pool may be destroyed.
    const until = performance.now() + 3;
    let done = false;
    while (!done && performance.now() < until) {
      try {
        pool.destroy();
        done = true;
      } catch (error) {
        if (!(error instanceof PoolInUseError)) throw error;
        refused++;
      }
    }
    if (!done) continue;
    destroyed++;
    pool = heap.createPool("load", sizes[destroyed % sizes.length]!);
    // Let the workers run between destroys (pacing, not synchronisation).
    await new Promise((resolve) => setImmediate(resolve));
  }
  signal(signals, STOP, 1);
  const reports = await Promise.all(inboxes.map((inbox) => inbox.next<{ report: LoadReport }>().then((m) => m.report)));
  await Promise.all(inboxes.map((inbox) => inbox.exited));
  return { pool, destroyed, refused, reports };
}

describe("destroy and create again under load", () => {
  it("3 workers alloc and free by name while the pool is destroyed and made again with other sizes: exact, nothing lost", async () => {
    const heap = await Heap.create({ maxBytes: 256 << 20 });
    const mainOnly = heap.stats().backingUsedBytes;
    const sizes = [8, 24, 64, 200, 1024, 40];
    let totalDestroyed = 0;
    for (const [phase, cacheBytes] of [
      [1, undefined],
      [2, 0],
      [3, 4096],
    ] as const) {
      const { pool, destroyed, refused, reports } = await loadPhase(heap, 3, EXHAUSTIVE ? 1500 : 500, cacheBytes, sizes);
      const allocs = reports.reduce((n, r) => n + r.allocs, 0);
      const frees = reports.reduce((n, r) => n + r.frees, 0);
      const destroyedAllocs = reports.reduce((n, r) => n + r.destroyedAllocs, 0);
      console.log(
        `destroy under load, phase ${phase} (cacheBytes ${cacheBytes ?? "default"}): ${destroyed} destroys, ${refused} refused, ` +
          `${allocs} allocs, ${frees} frees, ${destroyedAllocs} allocs found the pool destroyed`,
      );
      expect(reports.flatMap((r) => r.freeErrors)).toEqual([]);
      expect(reports.reduce((n, r) => n + r.doubles, 0)).toBe(0);
      expect(frees).toBe(allocs);
      // The workers are gone and gave everything back: exact accounting, no retired slot left.
      heap.check();
      const s = pool.stats();
      expect(s).toMatchObject({ used: 0, cached: 0, allocated: pool.freeListLength() });
      expect(heap.stats()).toMatchObject({ retiredPools: 0, retiredObjects: 0 });
      pool.destroy();
      expect(heap.stats().backingUsedBytes).toBe(mainOnly);
      totalDestroyed += destroyed;
    }
    // The test is void unless destroys did succeed while the workers ran.
    expect(totalDestroyed).toBeGreaterThan(30);
  }, 120_000);
});

describe("retired pools", () => {
  it("a destroy with objects in another thread's cache retires the pool; the slot comes back once that thread gives them back", async () => {
    const heap = await Heap.create();
    const mainOnly = heap.stats().backingUsedBytes;
    const other = await Heap.attach(heap.handle());
    const pool = heap.createPool("p", 32);
    const theirs = other.pool("p");
    const ptrs = Array.from({ length: 10 }, () => theirs.alloc());
    expect(() => pool.destroy()).toThrow(PoolInUseError);
    for (const ptr of ptrs) theirs.free(ptr);
    const { allocated } = pool.stats();
    // Cached in the other thread, not handed out: the destroy goes through.
    pool.destroy();
    expect(() => heap.pool("p")).toThrow();
    expect(heap.stats()).toMatchObject({ retiredPools: 1, retiredObjects: allocated });
    heap.check();
    // A new pool does not take the retired slot, and the old handle never reaches it.
    const next = heap.createPool("p", 64);
    expect(next.id).not.toBe(pool.id);
    expect(heap.stats().retiredPools).toBe(1);
    // The other thread's next miss gives the retired pool's objects back: its slot is free again.
    expect(() => theirs.alloc()).toThrow(PoolDestroyedError);
    expect(heap.stats()).toMatchObject({ retiredPools: 0, retiredObjects: 0 });
    expect(() => theirs.free(ptrs[0]!)).toThrow(PoolDestroyedError);
    const q = other.pool("p").alloc();
    other.pool("p").free(q);
    other.close();
    next.destroy();
    heap.check();
    expect(heap.stats().backingUsedBytes).toBe(mainOnly);
  });
});

describe("registrations", () => {
  it("belong to the handles createPool returned: lookups cannot destroy, each registration is dropped once", async () => {
    const heap = await Heap.create();
    const a = heap.createPool("shared", 64, { shared: true });
    const b = heap.createPool("joins", 64, { shared: true });
    expect(a.stats().users).toBe(2);
    expect(() => heap.pool("shared").destroy()).toThrow(PoolNotOwnedError);
    expect(() => heap.pool("shared").destroy()).toThrow(/holds no registration/);
    expect(() => heap.pools()[0]!.destroy()).toThrow(PoolNotOwnedError);
    expect(a.stats().users).toBe(2);
    a.destroy();
    expect(() => a.destroy()).toThrow(PoolDestroyedError);
    expect(b.stats().users).toBe(1);
    expect(heap.pool("shared").alloc()).toBeGreaterThan(0);
    heap.gc();
    expect(() => b.destroy()).toThrow(PoolInUseError);
  });

  it("adoptPool takes over the registration of a thread that is gone", async () => {
    const heap = await Heap.create();
    const creator = await Heap.attach(heap.handle());
    creator.createPool("orphan", 16);
    creator.close();
    expect(() => heap.pool("orphan").destroy()).toThrow(PoolNotOwnedError);
    heap.adoptPool("orphan").destroy();
    expect(heap.pools()).toEqual([]);
  });
});
