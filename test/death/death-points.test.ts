// Death points. With the deathPoints test switch every thread counts the
// points where an engine may stop a terminated thread (loop heads and calls
// inside operations on shared state) and stops dead at the one its slot
// names, holding whatever it holds, as worker.terminate() would stop it
// there. A "thread" of the heap is one instance of the core: the victim here
// is a second Heap attached in this same JS thread, so a run costs no
// worker start. `npm run test:all` runs every k of every operation; `npm
// test` the first, the last and a sample drawn from the run's seed
// (test/support/sampling.ts).
//
// For each operation and each k it reaches: the victim dies at point k; the
// survivor reclaims it, checks the heap, allocates, frees, flushes and gcs
// in every pool, frees every object the victim held (those it had been
// given, and the at most `inFlight` ones the dying call had taken), and
// destroys every pool: the backing allocator must then hold exactly what a
// fresh heap holds. So nothing is lost but what the victim held, and that
// can be given back.

import { describe, expect, it } from "vitest";
import { type AttachOptions, Heap, HeapCorruptError, type HeapOptions, type Pool } from "wasm-pools";
import {
  ARENA_START,
  C_SIZE,
  CHUNK_HEADER,
  CHUNK_ON_FREE_LIST,
  CHUNK_RELEASED,
  CHUNK_USED,
  E_COUNT,
  H_BACKING_TOP,
  H_QUARANTINE,
  LARGE_KEY,
  LARGE_MARK,
  LARGE_PREFIX,
  QUARANTINE_SLOTS,
  T_CACHE,
  T_DEATH_POINTS,
  T_DIE_AT,
  T_STATE,
  T_TRANSIT,
  T_TRANSIT_POOL,
  THREAD_FREE,
  THREAD_SLOT_SIZE,
  THREADS_START,
  UNDO_LOG_START,
} from "../../dist/layout.js";
import { EXHAUSTIVE, replayHint, sampleOf } from "../support/sampling.js";
import { slotOf, words } from "../support/thread-slots.js";

interface World {
  survivor: Heap;
  victim: Heap;
  /** The victim's handles of the pools, by name. */
  pools: Map<string, Pool>;
  /** Objects the victim was given and still holds. */
  held: Set<number>;
  /** A third thread, dead and not yet reclaimed, if the scenario made one. */
  ghost?: number;
  /**
   * A pool the scenario destroys with force while objects are out: the
   * survivor's handle of it (a handle of that incarnation takes its objects
   * back after the destroy) and the objects the survivor holds.
   */
  destroyed?: { pool: Pool; mine: Set<number> };
}

interface Scenario {
  name: string;
  victim?: AttachOptions;
  /** Pools the survivor creates first: name and object size. */
  pools: [string, number][];
  /** Brings the heap to the state the operation starts from (no death yet). */
  setup(world: World): void | Promise<void>;
  /** The victim's operation, where it dies. */
  run(world: World): void;
  /** Objects the dying call may have taken for the victim without returning them. */
  inFlight: number;
}

function allocSome(pool: Pool, count: number, into: Set<number>): void {
  for (let i = 0; i < count; i++) into.add(pool.alloc());
}

function freeAll(pool: Pool, from: Set<number>): void {
  for (const ptr of from) pool.free(ptr);
  from.clear();
}

const scenarios: Scenario[] = [
  {
    name: "refill from the backing allocator",
    pools: [["p", 64]],
    setup() {},
    run: (w) => allocSome(w.pools.get("p")!, 1, w.held),
    inFlight: 1,
  },
  {
    name: "refill from the shared list",
    pools: [["p", 48]],
    setup: (w) => {
      const p = w.survivor.pool("p");
      const mine = new Set<number>();
      allocSome(p, 100, mine);
      freeAll(p, mine);
      w.survivor.close(); // its cache goes to the shared list
    },
    run: (w) => allocSome(w.pools.get("p")!, 1, w.held),
    inFlight: 1,
  },
  {
    name: "alloc and free with the cache off",
    victim: { cacheBytes: 0 },
    pools: [["p", 24]],
    setup: (w) => allocSome(w.pools.get("p")!, 3, w.held),
    run: (w) => {
      const p = w.pools.get("p")!;
      const ptr = p.alloc();
      w.held.add(ptr);
      p.free(ptr);
      w.held.delete(ptr);
      const first = [...w.held][0]!;
      p.free(first);
      w.held.delete(first);
    },
    inFlight: 1,
  },
  {
    name: "frees that evict clusters",
    victim: { cacheBytes: 2048 },
    pools: [["p", 64]],
    setup: (w) => allocSome(w.pools.get("p")!, 120, w.held),
    run: (w) => {
      const p = w.pools.get("p")!;
      for (const ptr of [...w.held]) {
        p.free(ptr);
        w.held.delete(ptr);
      }
    },
    inFlight: 0,
  },
  {
    name: "flush",
    pools: [["p", 32]],
    setup: (w) => {
      const p = w.pools.get("p")!;
      allocSome(p, 150, w.held);
      const back = new Set([...w.held].slice(0, 140));
      for (const ptr of back) w.held.delete(ptr);
      freeAll(p, back);
    },
    run: (w) => w.pools.get("p")!.flush(),
    inFlight: 0,
  },
  {
    name: "gc of every pool, with objects in other threads' caches",
    pools: [
      ["a", 16],
      ["b", 256],
    ],
    setup: (w) => {
      for (const name of ["a", "b"]) {
        const mine = new Set<number>();
        allocSome(w.survivor.pool(name), 40, mine);
        freeAll(w.survivor.pool(name), mine);
        allocSome(w.pools.get(name)!, 30, w.held);
      }
      const a = w.pools.get("a")!;
      const back = new Set([...w.held].filter((ptr) => ptr % 3 === 0));
      for (const ptr of back) {
        w.held.delete(ptr);
        try {
          a.free(ptr);
        } catch {
          w.pools.get("b")!.free(ptr);
        }
      }
    },
    run: (w) => w.victim.gc(),
    inFlight: 0,
  },
  {
    name: "an alloc that drains a stale entry (another thread ran gc)",
    pools: [["p", 40]],
    setup: (w) => {
      const p = w.pools.get("p")!;
      allocSome(p, 60, w.held);
      const back = new Set([...w.held].slice(0, 50));
      for (const ptr of back) w.held.delete(ptr);
      freeAll(p, back);
      w.survivor.gc();
    },
    run: (w) => allocSome(w.pools.get("p")!, 1, w.held),
    inFlight: 1,
  },
  {
    name: "pool create",
    pools: [["p", 8]],
    setup() {},
    run: (w) => {
      w.victim.createPool("made-by-victim", 72);
    },
    inFlight: 0,
  },
  {
    name: "pool destroy",
    pools: [["doomed", 56]],
    setup: (w) => {
      const p = w.pools.get("doomed")!;
      const mine = new Set<number>();
      allocSome(p, 70, mine);
      freeAll(p, mine);
      const s = w.survivor.pool("doomed");
      allocSome(s, 10, mine);
      freeAll(s, mine);
      w.survivor.close();
    },
    run: (w) => w.pools.get("doomed")!.destroy(),
    inFlight: 0,
  },
  {
    name: "pool destroy with force while objects are out",
    pools: [["doomed", 200]],
    setup: async (w) => {
      // Some on the shared list (a third thread's cache, given back when it closes).
      const third = await Heap.attach(w.survivor.handle());
      const listed = new Set<number>();
      allocSome(third.pool("doomed"), 6, listed);
      freeAll(third.pool("doomed"), listed);
      third.close();
      // The victim holds 3 and caches 3; the survivor holds 3 and caches 2.
      const p = w.pools.get("doomed")!;
      allocSome(p, 6, w.held);
      const cached = new Set([...w.held].slice(0, 3));
      for (const ptr of cached) w.held.delete(ptr);
      freeAll(p, cached);
      const s = w.survivor.pool("doomed");
      const mine = new Set<number>();
      allocSome(s, 5, mine);
      const back = new Set([...mine].slice(0, 2));
      for (const ptr of back) mine.delete(ptr);
      freeAll(s, back);
      w.destroyed = { pool: s, mine };
    },
    run: (w) => w.pools.get("doomed")!.destroy({ force: true }),
    inFlight: 0,
  },
  {
    name: "frees into a pool destroyed with force that waits for its objects",
    pools: [["doomed", 200]],
    setup: (w) => {
      // Handles of the incarnation from heap.pool(): they outlive the destroy and take its objects back.
      const old = w.victim.pool("doomed");
      w.destroyed = { pool: w.survivor.pool("doomed"), mine: new Set() };
      allocSome(old, 5, w.held);
      w.pools.get("doomed")!.destroy({ force: true });
      w.pools.set("doomed", old);
    },
    run: (w) => {
      const p = w.pools.get("doomed")!;
      const all = [...w.held];
      for (const ptr of all.slice(0, 2)) {
        p.free(ptr);
        w.held.delete(ptr);
      }
      // The last of these frees the pool's slot.
      const rest = Uint32Array.from(all.slice(2));
      p.freeMany(rest);
      for (const ptr of rest) w.held.delete(ptr);
    },
    inFlight: 0,
  },
  {
    name: "close",
    pools: [
      ["p", 64],
      ["q", 128],
    ],
    setup: (w) => {
      for (const name of ["p", "q"]) {
        const mine = new Set<number>();
        allocSome(w.pools.get(name)!, 50, mine);
        freeAll(w.pools.get(name)!, mine);
      }
    },
    run: (w) => w.victim.close(),
    inFlight: 0,
  },
  {
    name: "memory growth",
    pools: [["big", 60_000]],
    setup() {},
    run: (w) => allocSome(w.pools.get("big")!, 40, w.held),
    inFlight: 1,
  },
  {
    name: "allocMany and freeMany",
    pools: [["p", 64]],
    setup: (w) => allocSome(w.pools.get("p")!, 10, w.held),
    run: (w) => {
      const p = w.pools.get("p")!;
      const out = new Uint32Array(300);
      const got = p.allocMany(300, out);
      for (const ptr of out.subarray(0, got)) w.held.add(ptr);
      p.freeMany(out, got);
      for (const ptr of out.subarray(0, got)) w.held.delete(ptr);
    },
    inFlight: 300,
  },
  {
    name: "large blocks of malloc",
    pools: [],
    setup: (w) => {
      for (let i = 0; i < 3; i++) w.held.add(w.victim.malloc(20_000 + i * 8));
    },
    run: (w) => {
      w.held.add(w.victim.malloc(30_000));
      for (const ptr of [...w.held]) {
        w.victim.free(ptr);
        w.held.delete(ptr);
      }
    },
    inFlight: 1,
  },
];

scenarios.push({
  name: "reclaim of another dead thread",
  pools: [
    ["p", 64],
    ["q", 16],
  ],
  setup: async (w) => {
    const ghost = await Heap.attach(w.survivor.handle());
    for (const name of ["p", "q"]) {
      const mine = new Set<number>();
      allocSome(ghost.pool(name), 30, mine);
      freeAll(ghost.pool(name), mine);
    }
    // Stopped dead at the first death point of a flush, its cache full: the thread the victim reclaims.
    const slot = slotOf(w.survivor, ghost.threadId);
    const mem = words(w.survivor);
    mem[(slot + T_DIE_AT) >>> 2] = mem[(slot + T_DEATH_POINTS) >>> 2]! + 1;
    expect(() => ghost.pool("p").flush()).toThrow(/stopped dead/);
    w.ghost = ghost.threadId;
  },
  run: (w) => w.victim.reclaimThread(w.ghost!),
  inFlight: 0,
});

const configs: { name: string; options: HeapOptions }[] = [
  { name: "release core", options: {} },
  { name: "debug core, poison and tag", options: { build: "debug", debug: { poison: 0xa5, tag: true } } },
  { name: "debug core, uaf", options: { build: "debug", debug: { uaf: true } } },
];

/** Every object of `size` handed out (a used chunk, not marked free nor released to the debug quarantine) in the heap. */
/** The large blocks of malloc handed out, found by their marks (assembly/layout.ts). */
function largeBlocksOut(heap: Heap): number[] {
  const w = words(heap);
  const found: number[] = [];
  const top = w[H_BACKING_TOP >>> 2]!;
  for (let chunk = ARENA_START; chunk < top; chunk += w[(chunk + C_SIZE) >>> 2]! & ~7) {
    const payload = chunk + CHUNK_HEADER;
    const used = (w[(chunk + C_SIZE) >>> 2]! & CHUNK_USED) !== 0;
    if (used && w[payload >>> 2] === LARGE_MARK && w[(payload + 4) >>> 2] === (payload ^ LARGE_KEY) >>> 0)
      found.push(payload + LARGE_PREFIX);
  }
  return found;
}

function handedOut(heap: Heap, size: number, tagged: boolean): number[] {
  const w = words(heap);
  const found: number[] = [];
  const top = w[H_BACKING_TOP >>> 2]!;
  const wanted = size + (tagged ? 8 : 0);
  for (let chunk = ARENA_START; chunk < top; ) {
    const header = w[(chunk + C_SIZE) >>> 2]!;
    const chunkSize = header & ~7;
    const payload = chunkSize - CHUNK_HEADER;
    const free = (header & (CHUNK_ON_FREE_LIST | CHUNK_RELEASED)) !== 0;
    if ((header & CHUNK_USED) !== 0 && !free && payload >= wanted && payload < wanted + 16) {
      found.push(chunk + CHUNK_HEADER);
    }
    chunk += chunkSize;
  }
  return found;
}

async function world(config: HeapOptions, scenario: Scenario): Promise<World & { baseline: number }> {
  // A small maximum: a run makes thousands of heaps, and each shared memory reserves its maximum until collected.
  const survivor = await Heap.create({
    maxBytes: 16 << 20,
    ...config,
    unsafeTestSwitches: { ...config.unsafeTestSwitches, deathPoints: true },
  });
  const baseline = survivor.stats().backingUsedBytes;
  for (const [name, size] of scenario.pools) survivor.createPool(name, size);
  const victim = await Heap.attach(survivor.handle(), scenario.victim);
  // Adopted: the victim may destroy them (the survivor's registrations).
  const pools = new Map(scenario.pools.map(([name]) => [name, victim.adoptPool(name)]));
  const w: World = { survivor, victim, pools, held: new Set() };
  await scenario.setup(w);
  // The setup may have closed the survivor to push its cache out: attach it again.
  if (w.survivor.closed) w.survivor = await Heap.attach(victim.handle());
  return { ...w, baseline };
}

interface Run {
  w: World & { baseline: number };
  /** The victim's thread slot. */
  slot: number;
  /** Death points the run passed. */
  passed: number;
  died: boolean;
}

/** Runs the scenario with death point `k` armed (0: none), and leaves the victim as it ended: dead (not yet reclaimed) or still attached. */
async function dieAt(config: HeapOptions, scenario: Scenario, k: number): Promise<Run> {
  const w = await world(config, scenario);
  const slot = slotOf(w.survivor, w.victim.threadId);
  const mem = words(w.survivor);
  const before = mem[(slot + T_DEATH_POINTS) >>> 2]!;
  mem[(slot + T_DIE_AT) >>> 2] = k === 0 ? 0 : before + k;
  let died = false;
  try {
    scenario.run(w);
  } catch (error) {
    expect((error as Error).message).toMatch(/stopped dead at death point/);
    died = true;
  }
  return { w, slot, passed: mem[(slot + T_DEATH_POINTS) >>> 2]! - before, died };
}

/** What a Node thread does by itself when the worker's exit event comes: the survivor reclaims a dead victim; a live one closes. */
function endVictim({ w, died }: Run): void {
  if (died || !w.victim.closed) {
    if (w.victim.closed) w.survivor.reclaimThread(w.victim.threadId);
    else w.victim.close();
  }
}

/** Runs the scenario with death point `k` armed (0: none), recovers and checks; returns the death points the run passed and whether it died. */
async function runOnce(config: HeapOptions, scenario: Scenario, k: number): Promise<{ passed: number; died: boolean }> {
  const run = await dieAt(config, scenario, k);
  endVictim(run);
  recoverAndCheck(run.w, config, scenario, k);
  return { passed: run.passed, died: run.died };
}

function recoverAndCheck(w: World & { baseline: number }, config: HeapOptions, scenario: Scenario, k: number): void {
  const where = `${scenario.name}, death point ${k}`;
  const heap = w.survivor;
  heap.check();
  // The survivor's work goes on in every pool.
  for (const pool of heap.pools()) {
    const mine = new Set<number>();
    allocSome(pool, 40, mine);
    freeAll(pool, mine);
    pool.flush();
  }
  heap.gc();
  heap.check();
  const tagged = config.debug?.tag === true;
  if (w.destroyed !== undefined) {
    // The survivor gives back its objects of the pool destroyed with force (or not yet destroyed), then the victim's.
    const { pool, mine } = w.destroyed;
    for (const ptr of mine) pool.free(ptr);
    mine.clear();
    if (!heap.pools().some((p) => p.id === pool.id)) {
      const out = handedOut(heap, pool.size, tagged);
      expect(
        out.filter((ptr) => !w.held.has(ptr)).length,
        `${where}: objects of the destroyed pool beyond what the victim knew`,
      ).toBeLessThanOrEqual(scenario.inFlight);
      // Its slot waits while any is out, and is free once the last is back.
      expect(heap.stats().retiredPools, `${where}: the destroyed pool waits for its objects`).toBe(out.length > 0 ? 1 : 0);
      for (const ptr of out) pool.free(ptr);
      expect(heap.stats().retiredPools, `${where}: the destroyed pool's slot is free once its objects are back`).toBe(0);
    }
  }
  // Give back what the victim held: the objects it had, and those the dying call took.
  for (const pool of heap.pools()) {
    const out = handedOut(heap, pool.size, tagged);
    const sizeHeld = out.filter((ptr) => !w.held.has(ptr));
    const known = out.filter((ptr) => w.held.has(ptr));
    expect(sizeHeld.length, `${where}: objects held beyond what the victim knew`).toBeLessThanOrEqual(scenario.inFlight);
    for (const ptr of [...known, ...sizeHeld]) pool.free(ptr);
  }
  const large = largeBlocksOut(heap);
  expect(large.filter((ptr) => !w.held.has(ptr)).length, `${where}: large blocks beyond what the victim knew`).toBeLessThanOrEqual(
    scenario.inFlight,
  );
  for (const ptr of large) heap.free(ptr);
  expect(heap.stats().largeBlocks, `${where}: large blocks left`).toBe(0);
  for (const pool of heap.pools()) {
    expect(pool.stats().used, `${where}: ${pool.name} still has objects out`).toBe(0);
    // The registration is the first survivor's or the victim's, both gone by now.
    heap.adoptPool(pool.id).destroy();
  }
  expect(heap.stats().retiredPools, `${where}: destroyed pools still waiting for objects`).toBe(0);
  heap.check();
  // Every thread but the survivor is gone: slots of the victim (and of a thread it was reclaiming) are free again.
  const mem = words(heap);
  const attached = Array.from({ length: 256 }, (_, i) => mem[(THREADS_START + i * THREAD_SLOT_SIZE + T_STATE) >>> 2]).filter(
    (v) => v !== THREAD_FREE,
  );
  expect(attached, `${where}: thread slots still taken`).toHaveLength(1);
  // Nothing is left but what a fresh heap holds, and (debug uaf) the chunks the quarantine holds, to the byte.
  expect(heap.stats().backingUsedBytes, `${where}: bytes left in the backing allocator`).toBe(w.baseline + quarantinedBytes(heap));
}

/**
 * Bytes of the chunks the debug quarantine (uaf) holds: each ring entry a
 * distinct used chunk marked released, and every chunk marked released in
 * the arena one of them. 0 without uaf.
 */
function quarantinedBytes(heap: Heap): number {
  const w = words(heap);
  const ring = w[H_QUARANTINE >>> 2]!;
  if (ring === 0) return 0;
  const held = new Set<number>();
  let bytes = 0;
  for (let i = 0; i < QUARANTINE_SLOTS; i++) {
    const chunk = w[(ring + 4 + 4 * i) >>> 2]!;
    if (chunk === 0) continue;
    const header = w[(chunk + C_SIZE) >>> 2]!;
    expect(held.has(chunk), `the quarantine holds ${chunk} twice`).toBe(false);
    expect(header & (CHUNK_USED | CHUNK_RELEASED | CHUNK_ON_FREE_LIST), `quarantined chunk ${chunk}`).toBe(CHUNK_USED | CHUNK_RELEASED);
    held.add(chunk);
    bytes += header & ~7;
  }
  const top = w[H_BACKING_TOP >>> 2]!;
  for (let chunk = ARENA_START; chunk < top; chunk += w[(chunk + C_SIZE) >>> 2]! & ~7) {
    if ((w[(chunk + C_SIZE) >>> 2]! & CHUNK_RELEASED) !== 0)
      expect(held.has(chunk), `released chunk ${chunk} is not in the quarantine`).toBe(true);
  }
  return bytes;
}

/**
 * The death points a sweep of `passed` runs: all of them in test:all; in
 * npm test, the first, the last and a sample drawn from the run's seed
 * (about one in 25, at least 6).
 */
function deathPointsToRun(passed: number, label: string): number[] {
  if (EXHAUSTIVE) return sampleOf(passed, passed, label);
  return sampleOf(passed, 6 + Math.ceil(passed / 25), `death points, ${label}`, [1, passed]);
}

describe("a thread that stops dead at any death point (a sample of them in npm test)", () => {
  for (const config of configs) {
    describe(config.name, () => {
      for (const scenario of scenarios) {
        it(`${scenario.name}: every death point is recovered, nothing is lost`, async () => {
          const { passed, died } = await runOnce(config.options, scenario, 0);
          expect(died).toBe(false);
          expect(passed).toBeGreaterThan(0);
          const points = deathPointsToRun(passed, `${config.name}, ${scenario.name}`);
          for (const k of points) {
            const run = await runOnce(config.options, scenario, k);
            expect(run.died, `${scenario.name}: death point ${k} of ${passed} reached`).toBe(true);
          }
          console.log(`death points, ${config.name}, ${scenario.name}: ${points.length} of ${passed} covered (${replayHint()})`);
        }, 120_000);
      }
    });
  }
});

describe("without the undo log (test switch noUndo)", () => {
  it("a death inside a backing-allocator section leaves bins or counters heap.check() refuses; every other death point is recovered", async () => {
    const config: HeapOptions = { unsafeTestSwitches: { noUndo: true } };
    for (const name of ["refill from the backing allocator", "flush"]) {
      const scenario = scenarios.find((s) => s.name === name)!;
      const { passed } = await runOnce({}, scenario, 0);
      let inSection = 0;
      let broken = 0;
      const kinds = new Set<string>();
      for (let k = 1; k <= passed; k++) {
        const run = await dieAt(config, scenario, k);
        expect(run.died).toBe(true);
        // Stores of a section the victim left half-done (the log is the backing lock holder's; the survivor is quiet).
        const logged = words(run.w.survivor)[UNDO_LOG_START >>> 2]!;
        if (logged > 0) inSection++;
        endVictim(run);
        let problems: string[] | undefined;
        try {
          run.w.survivor.check();
        } catch (error) {
          expect(error, `${name}, death point ${k}`).toBeInstanceOf(HeapCorruptError);
          problems = (error as HeapCorruptError).problems;
        }
        if (problems === undefined) {
          // Consistent: everything else the sweep checks holds too.
          recoverAndCheck(run.w, {}, scenario, k);
          continue;
        }
        expect(logged, `${name}, death point ${k}: broken though it died outside a section (${problems[0]})`).toBeGreaterThan(0);
        broken++;
        for (const problem of problems) kinds.add(problem.replace(/\d+/g, "N"));
      }
      console.log(
        `no undo, ${name}: ${broken} of ${passed} death points broken (${inSection} inside a section with logged stores): ${[...kinds].join("; ")}`,
      );
      expect(broken).toBeGreaterThan(0);
    }
  }, 60_000);
});

describe("without the transit put-back (test switch noTransitRecovery)", () => {
  it("a death with a chain in transit loses exactly that chain's objects, and nothing else breaks", async () => {
    const config: HeapOptions = { unsafeTestSwitches: { noTransitRecovery: true } };
    for (const name of ["frees that evict clusters", "alloc and free with the cache off"]) {
      const scenario = scenarios.find((s) => s.name === name)!;
      const { passed } = await runOnce({}, scenario, 0);
      let broken = 0;
      let lostObjects = 0;
      for (let k = 1; k <= passed; k++) {
        const run = await dieAt(config, scenario, k);
        expect(run.died).toBe(true);
        const mem = words(run.w.survivor);
        const atDeath = mem[(run.slot + T_TRANSIT + E_COUNT) >>> 2]!;
        endVictim(run);
        // The reclaim rolled back a half-done section (the undo log is on): what the transit holds now is the chain it left.
        const chain = mem[(run.slot + T_TRANSIT + E_COUNT) >>> 2]!;
        const chainPool = mem[(run.slot + T_TRANSIT_POOL) >>> 2]!;
        const heap = run.w.survivor;
        // Bins and counters agree (the checker still finds the chain in the freed slot's transit record).
        heap.check();
        for (const pool of heap.pools()) {
          // allocated - (used + cached) - free list: objects no holder has.
          const lost = pool.stats().free - pool.freeListLength();
          expect(lost, `${name}, death point ${k}: objects of ${pool.name} lost`).toBe(pool.id === chainPool ? chain : 0);
        }
        if (chain === 0) {
          recoverAndCheck(run.w, {}, scenario, k);
          continue;
        }
        expect(atDeath, `${name}, death point ${k}: a chain lost though none was in transit`).toBeGreaterThan(0);
        broken++;
        lostObjects += chain;
      }
      console.log(`no transit put-back, ${name}: ${broken} of ${passed} death points lose their chain in transit (${lostObjects} objects)`);
      expect(broken).toBeGreaterThan(0);
    }
  }, 60_000);
});

describe("the byte-exact leak check in debug uaf", () => {
  it("counts the quarantine's chunks and catches one chunk more (a reclaim that forgot the dead thread's cache block)", async () => {
    const config = configs.find((c) => c.name === "debug core, uaf")!.options;
    // The survivor's flush after it sends the shared list's objects to the quarantine.
    const scenario = scenarios.find((s) => s.name === "refill from the shared list")!;
    const run = await dieAt(config, scenario, 1);
    expect(run.died).toBe(true);
    const mem = words(run.w.survivor);
    const block = mem[(run.slot + T_CACHE) >>> 2]!;
    const leaked = mem[(block - CHUNK_HEADER + C_SIZE) >>> 2]! & ~7;
    mem[(run.slot + T_CACHE) >>> 2] = 0;
    endVictim(run);
    expect(() => recoverAndCheck(run.w, config, scenario, 1)).toThrow(/bytes left in the backing allocator/);
    const heap = run.w.survivor;
    // The quarantine holds chunks (the survivor's flushes) and they are accounted: what is over is the one chunk.
    expect(quarantinedBytes(heap)).toBeGreaterThan(0);
    expect(heap.stats().backingUsedBytes - run.w.baseline - quarantinedBytes(heap)).toBe(leaked);
  });
});

describe("a thread that stops dead while attaching", () => {
  it("is reclaimed by its Node threadId (as the worker's exit event does) at every death point", async () => {
    const { threadId } = await import("node:worker_threads");
    let k = 1;
    for (; ; k++) {
      const survivor = await Heap.create({ maxBytes: 16 << 20, unsafeTestSwitches: { deathPoints: true } });
      const baseline = survivor.stats().backingUsedBytes;
      const mem = words(survivor);
      const next = Array.from({ length: 256 }, (_, i) => THREADS_START + i * THREAD_SLOT_SIZE).find(
        (slot) => mem[(slot + T_STATE) >>> 2] === THREAD_FREE,
      )!;
      mem[(next + T_DIE_AT) >>> 2] = k;
      let died = false;
      try {
        await Heap.attach(survivor.handle());
      } catch {
        died = true;
      }
      mem[(next + T_DIE_AT) >>> 2] = 0;
      if (!died) break;
      survivor.reclaimThread({ threadId });
      survivor.check();
      expect(survivor.stats().backingUsedBytes).toBe(baseline);
      const other = await Heap.attach(survivor.handle());
      other.close();
    }
    expect(k).toBeGreaterThan(1);
    console.log(`death points, attach: ${k - 1} covered`);
  });
});
