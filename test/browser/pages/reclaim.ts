// Terminated Web Workers come back through their life locks: the page
// starts workers that fill their caches, terminates them, and once the
// browser has let go of their locks one heap.reclaimGone() leaves none of
// their thread slots in use. (The heap also looks for released life locks
// by itself every 250 ms, so that call may find some already reclaimed: the
// slots are counted, not the call's answer.) The outcome goes to
// globalThis.result.

import { Heap } from "../../../dist/index.js";
import { MAX_THREADS, T_STATE, THREAD_FREE, THREAD_SLOT_SIZE, THREADS_START } from "../../../dist/layout.js";

const WORKERS = 3;

/** Thread slots of the heap in use (any state but FREE). */
function slotsInUse(heap: Heap): number {
  const words = new Uint32Array(heap.memory.buffer);
  let used = 0;
  for (let slot = 0; slot < MAX_THREADS; slot++) {
    if (Atomics.load(words, (THREADS_START + slot * THREAD_SLOT_SIZE + T_STATE) >>> 2) !== THREAD_FREE) used++;
  }
  return used;
}

const publish = (result: unknown): void => {
  (globalThis as { result?: unknown }).result = result;
  document.getElementById("log")!.textContent = JSON.stringify(result, null, 2);
};

async function main(): Promise<void> {
  const heap = await Heap.create();
  const pool = heap.createPool("p", 64);
  const workers = Array.from({ length: WORKERS }, () => new Worker(new URL("./reclaim-worker.js", import.meta.url), { type: "module" }));
  const ready = await Promise.all(
    workers.map(
      (worker) =>
        new Promise<{ threadId: number; held: number; lockName: string }>((resolve, reject) => {
          worker.onmessage = ({ data }) => resolve(data);
          worker.onerror = (event) => reject(new Error(event.message));
          worker.postMessage({ handle: heap.handle() });
        }),
    ),
  );
  const before = pool.stats();
  const beforeNothingGone = await heap.reclaimGone();
  const slotsBefore = slotsInUse(heap);
  for (const worker of workers) worker.terminate();
  // The browser lets go of a terminated worker's life lock some time later:
  // wait until this page is granted each of them, then one call must find all.
  await Promise.all(ready.map(({ lockName }) => navigator.locks.request(lockName, async () => {})));
  const reclaimedByTheCall = await heap.reclaimGone();
  const after = pool.stats();
  heap.check();
  publish({
    workers: ready.length,
    reclaimedWhileAlive: beforeNothingGone,
    slotsBefore,
    slotsAfter: slotsInUse(heap),
    reclaimedByTheCall,
    cachedBefore: before.cached,
    usedBefore: before.used,
    cachedAfter: after.cached,
    usedAfter: after.used,
    heldByWorkers: ready.reduce((sum, r) => sum + r.held, 0),
    reclaimAgain: await heap.reclaimGone(),
  });
}

main().catch((error: unknown) => publish({ error: String(error) }));
