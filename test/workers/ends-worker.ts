// A worker for test/death/thread-ends.test.ts: attaches to every heap it is sent
// (the first one `attachTwice` times), fills its caches, starts a worker of
// its own when `depth` > 0, tells the test it is ready, and then churns its
// pools until it is terminated (or, with `cycle`, spins after writing into a
// freed object so that its cached chain links back into itself).

import { parentPort, Worker, workerData } from "node:worker_threads";
import { Heap, type HeapHandle, LockTimeoutError, PoolDestroyedError, PoolNotFoundError } from "wasm-pools";

export interface EndsTask {
  handles: HeapHandle[];
  /** Attaches to handles[0] this many times (default 1). */
  attachTwice?: boolean;
  /** Workers to nest below this one. */
  depth: number;
  /** [0]: workers ready so far. */
  signals: Int32Array;
  /** Runs heap.gc() every this many rounds (0: never), so that deaths land inside flush_lock and backing sections. */
  gcEvery: number;
  /** Writes into a freed, cached object so that its cache's chain loops, then spins without calling the heap. */
  cycle?: boolean;
  /** Keeps its heaps open and its event loop free (no churn) until terminated. */
  idle?: boolean;
  /**
   * Instead of churning objects: allocs and frees bursts from the pool named
   * "load", found by name each round (the test destroys and makes it again),
   * with heap.gc() every gcEvery rounds, until signals[2] is set, counting in
   * signals[1] the LockTimeoutErrors it gets, then ends.
   */
  byName?: boolean;
}

const task = workerData as EndsTask;
const heaps: Heap[] = [];
for (const [index, handle] of task.handles.entries()) {
  heaps.push(await Heap.attach(handle));
  if (index === 0 && task.attachTwice) heaps.push(await Heap.attach(handle));
}
const pools = heaps.map((heap) => heap.pool("p"));

// Some objects in every cache, and one held by each heap.
for (const pool of pools) {
  const objects = Array.from({ length: 16 }, () => pool.alloc());
  for (const object of objects.slice(1)) pool.free(object);
}

if (task.depth > 0) new Worker(new URL(import.meta.url), { workerData: { ...task, depth: task.depth - 1 } });

if (task.cycle) {
  const pool = pools[0]!;
  const a = pool.alloc();
  const b = pool.alloc();
  // As a batch, so that they go on the cache's chain (single frees stack on the entry's front, outside the objects).
  pool.freeMany(Uint32Array.of(a, b));
  // The cache's chain is now b -> a -> ...; a's link now points back at b.
  new Uint32Array(heaps[0]!.memory.buffer)[a >>> 2] = b;
}

Atomics.add(task.signals, 0, 1);
Atomics.notify(task.signals, 0);
parentPort?.postMessage("ready");

if (task.cycle) {
  while (true) Atomics.load(task.signals, 0);
}
if (task.idle) {
  parentPort?.on("message", () => {});
} else if (task.byName) {
  let round = 0;
  untilStopped(() => {
    round++;
    if (task.gcEvery !== 0 && round % task.gcEvery === 0) heaps[0]!.gc();
    const pool = heaps[0]!.pool("load");
    const burst: number[] = [];
    try {
      while (burst.length < 32) burst.push(pool.alloc());
    } finally {
      // Through the same handle, also once the pool was destroyed: its slot waits for them.
      for (const object of burst) pool.free(object);
    }
  });
} else {
  churn();
}

/** Runs `step` until signals[2] is set, counting LockTimeoutErrors in signals[1]; the pool being destroyed meanwhile is no error. */
function untilStopped(step: () => void): void {
  while (Atomics.load(task.signals, 2) === 0) {
    try {
      step();
    } catch (error) {
      if (error instanceof LockTimeoutError) Atomics.add(task.signals, 1, 1);
      else if (!(error instanceof PoolNotFoundError || error instanceof PoolDestroyedError)) throw error;
    }
  }
  for (const heap of heaps) heap.close();
}

function churn(): never {
  let round = 0;
  while (true) {
    round++;
    for (const pool of pools) {
      const held = [pool.alloc(), pool.alloc(), pool.alloc()];
      for (const object of held) pool.free(object);
    }
    if (task.gcEvery !== 0 && round % task.gcEvery === 0) heaps[round % heaps.length]!.gc();
  }
}
