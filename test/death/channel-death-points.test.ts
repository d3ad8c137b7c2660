// Death points of the channel operations (assembly/channels.ts). With the
// deathPoints test switch a thread stops dead at the death point its slot
// names, holding what it holds, as worker.terminate() would stop it there;
// the victim is a second Heap attached in this same JS thread. For every
// operation and every point it reaches (a sample in npm test, all in
// test:all): the survivor reclaims the victim and then finds
//   - no channel lock left held (every lock word 0),
//   - every message where it must be: the channel holds, in order, what was
//     sent before plus the victim's message if its send committed, minus the
//     first if its receive committed (the victim's step is whole or absent),
//   - the channel working: it sends, receives, closes and destroys,
//   - heap.check() passing, and once every object and channel is gone, the
//     backing allocator holding exactly what it held before (a ring left by
//     a create or destroy that stopped halfway is freed by the slot's next
//     create).

import { describe, expect, it } from "vitest";
import { type Channel, Heap, LockTimeoutError, type Pool } from "wasm-pools";
import {
  CH_LOCK,
  CH_RING,
  CHANNEL_SLOT_SIZE,
  CHANNELS_START,
  H_REGISTRY_LOCK,
  MAX_CHANNELS,
  T_DEATH_POINTS,
  T_DIE_AT,
} from "../../dist/layout.js";
import { slotOf, words } from "../support/thread-slots.js";

interface World {
  survivor: Heap;
  victim: Heap;
  pool: Pool;
  /** Objects the survivor allocated for messages. */
  objects: number[];
  /** The survivor's handle of channel "c" (if the scenario made one before the victim's step). */
  channel?: Channel;
}

interface Scenario {
  name: string;
  /** Messages in "c" before the victim's step (undefined: no channel yet). */
  queued?: number;
  capacity?: number;
  closed?: boolean;
  /** The victim's step, where it dies. */
  run(w: World): void;
  /** What "c" holds after the step, in order, given whether the step's commit happened (undefined: no such channel). */
  expected(w: World, committed: boolean): number[] | undefined;
}

const scenarios: Scenario[] = [
  {
    name: "send",
    queued: 2,
    run: (w) => {
      w.victim.channel("c").trySend(w.objects[2]!);
    },
    expected: (w, committed) => (committed ? w.objects.slice(0, 3) : w.objects.slice(0, 2)),
  },
  {
    name: "send to a full channel",
    queued: 2,
    capacity: 2,
    run: (w) => {
      expect(w.victim.channel("c").trySend(w.objects[2]!)).toBe(false);
    },
    expected: (w) => w.objects.slice(0, 2),
  },
  {
    name: "receive",
    queued: 3,
    run: (w) => {
      expect(w.victim.channel("c").tryReceive()).toBe(w.objects[0]);
    },
    expected: (w, committed) => (committed ? w.objects.slice(1, 3) : w.objects.slice(0, 3)),
  },
  {
    name: "receive from an empty channel",
    queued: 0,
    run: (w) => {
      expect(w.victim.channel("c").tryReceive()).toBeUndefined();
    },
    expected: () => [],
  },
  {
    name: "close",
    queued: 1,
    run: (w) => w.victim.channel("c").close(),
    expected: (w) => w.objects.slice(0, 1),
  },
  {
    name: "create",
    run: (w) => {
      w.victim.createChannel("c", { capacity: 100 });
    },
    expected: (_w, committed) => (committed ? [] : undefined),
  },
  {
    name: "destroy",
    queued: 0,
    closed: true,
    run: (w) => w.victim.channel("c").destroy(),
    expected: (_w, committed) => (committed ? undefined : []),
  },
];

async function world(scenario: Scenario, noChannelRelease = false): Promise<World & { baseline: number }> {
  const survivor = await Heap.create({
    maxBytes: 16 << 20,
    unsafeTestSwitches: { deathPoints: true, noChannelRelease, shortPatience: noChannelRelease },
  });
  const baseline = survivor.stats().backingUsedBytes;
  const pool = survivor.createPool("m", 16);
  const objects = Array.from({ length: 4 }, () => pool.alloc());
  const w: World = { survivor, victim: await Heap.attach(survivor.handle()), pool, objects };
  if (scenario.queued !== undefined) {
    w.channel = survivor.createChannel("c", { capacity: scenario.capacity ?? 8 });
    for (let i = 0; i < scenario.queued; i++) expect(w.channel.trySend(objects[i]!)).toBe(true);
    if (scenario.closed) w.channel.close();
  }
  return { ...w, baseline };
}

/** Runs the victim's step with death point `k` armed (0: none); returns the points it passed and whether it died. */
async function dieAt(
  scenario: Scenario,
  k: number,
  noChannelRelease = false,
): Promise<{ w: World & { baseline: number }; passed: number; died: boolean }> {
  const w = await world(scenario, noChannelRelease);
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
  return { w, passed: mem[(slot + T_DEATH_POINTS) >>> 2]! - before, died };
}

/** The channel slots whose lock is held, and -1 for the registry's lock. */
function channelLocksHeld(heap: Heap): number[] {
  const mem = words(heap);
  const held: number[] = mem[H_REGISTRY_LOCK >>> 2] !== 0 ? [-1] : [];
  for (let id = 0; id < MAX_CHANNELS; id++) if (mem[(CHANNELS_START + id * CHANNEL_SLOT_SIZE + CH_LOCK) >>> 2] !== 0) held.push(id);
  return held;
}

/** What the channel holds, taken out in order (it is put back as it was). */
function contents(channel: Channel): number[] {
  const out: number[] = [];
  for (let ptr = channel.tryReceive(); typeof ptr === "number"; ptr = channel.tryReceive()) out.push(ptr);
  for (const ptr of out) channel.trySend(ptr);
  return out;
}

async function runAndCheck(scenario: Scenario, k: number): Promise<{ passed: number; died: boolean; lockedAtDeath: boolean }> {
  const { w, passed, died } = await dieAt(scenario, k);
  const where = `${scenario.name}, death point ${k}`;
  const heap = w.survivor;
  // Inside a section the dead victim still owns the channel's lock: the reclaim must let it go.
  const lockedAtDeath = channelLocksHeld(heap).length > 0;
  if (died) heap.reclaimThread(w.victim.threadId);
  else w.victim.close();
  expect(channelLocksHeld(heap), `${where}: locks left held`).toEqual([]);
  const found = heap.channels().find((c) => c.name === "c");
  const closed = found?.closed ?? false;
  let held: number[] | undefined;
  if (found) {
    // Read without the survivor's receives moving anything the check depends on: a closed channel cannot take its messages back.
    held = closed ? drain(found) : contents(found);
  }
  const options = [scenario.expected(w, false), scenario.expected(w, true)];
  expect(options, `${where}: the channel holds ${JSON.stringify(held)}`).toContainEqual(held);
  if (!died) expect(held, `${where}: a step that ran to its end`).toEqual(scenario.expected(w, true));
  heap.check();
  if (found) {
    // Still works: a message through it, then away.
    if (!closed) {
      drain(found);
      expect(found.trySend(w.objects[3]!)).toBe(true);
      expect(found.tryReceive()).toBe(w.objects[3]);
      found.close();
    }
    found.destroy();
  }
  // A ring a halfway create or destroy left in a free slot goes with the slot's next create.
  heap.createChannel("again", { capacity: 1 }).destroy();
  const mem = words(heap);
  for (let id = 0; id < MAX_CHANNELS; id++) {
    expect(mem[(CHANNELS_START + id * CHANNEL_SLOT_SIZE + CH_RING) >>> 2], `${where}: ring of slot ${id}`).toBe(0);
  }
  for (const ptr of w.objects) w.pool.free(ptr);
  w.pool.destroy();
  heap.check();
  expect(heap.stats().backingUsedBytes, `${where}: bytes left in the backing allocator`).toBe(w.baseline);
  heap.close();
  return { passed, died, lockedAtDeath };
}

function drain(channel: Channel): number[] {
  const out: number[] = [];
  for (let ptr = channel.tryReceive(); typeof ptr === "number"; ptr = channel.tryReceive()) out.push(ptr);
  return out;
}

describe("a thread that stops dead inside a channel operation (every point: they are few)", () => {
  for (const scenario of scenarios) {
    it(`${scenario.name}: the step is whole or absent, no lock stays held, the channel works on, nothing leaks`, async () => {
      const { passed, died } = await runAndCheck(scenario, 0);
      expect(died).toBe(false);
      expect(passed).toBeGreaterThan(0);
      let locked = 0;
      for (let k = 1; k <= passed; k++) {
        const run = await runAndCheck(scenario, k);
        expect(run.died, `${scenario.name}: death point ${k} of ${passed} reached`).toBe(true);
        if (run.lockedAtDeath) locked++;
      }
      // Deaths inside a section left the channel's lock (or the registry's) held for the reclaim to let go.
      expect(locked, "deaths with a lock held").toBeGreaterThan(0);
      console.log(`channel death points, ${scenario.name}: all ${passed} covered, ${locked} with a lock held`);
    }, 120_000);
  }
});

describe("without the release of a dead thread's channel locks (test switch noChannelRelease)", () => {
  it("a death inside a send or a receive leaves the channel locked: the survivor's next call gives up with LockTimeoutError; every other death point is harmless", async () => {
    for (const name of ["send", "receive"]) {
      const scenario = scenarios.find((s) => s.name === name)!;
      const { passed } = await dieAt(scenario, 0);
      let wedged = 0;
      for (let k = 1; k <= passed; k++) {
        const { w, died } = await dieAt(scenario, k, true);
        expect(died).toBe(true);
        const lockedAtDeath = channelLocksHeld(w.survivor).length > 0;
        w.survivor.reclaimThread(w.victim.threadId);
        let gaveUp = false;
        try {
          w.survivor.channel("c").tryReceive();
        } catch (error) {
          expect(error, `${name}, death point ${k}`).toBeInstanceOf(LockTimeoutError);
          gaveUp = true;
        }
        // Wedged exactly when the victim died holding the channel's lock.
        expect(gaveUp, `${name}, death point ${k}`).toBe(lockedAtDeath);
        if (gaveUp) wedged++;
      }
      console.log(`no channel release, ${name}: ${wedged} of ${passed} death points leave the channel locked`);
      expect(wedged).toBeGreaterThan(0);
    }
  }, 60_000);
});
