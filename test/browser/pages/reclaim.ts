// Terminated Web Workers come back through their life locks: the page
// starts workers that fill their caches, terminates them, and reclaims them
// with one heap.reclaimGone() once the browser has let go of their locks. The outcome goes to globalThis.result.

import { Heap } from "../../../dist/index.js";

const WORKERS = 3;

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
  for (const worker of workers) worker.terminate();
  // The browser lets go of a terminated worker's life lock some time later:
  // wait until this page is granted each of them, then one call must find all.
  await Promise.all(ready.map(({ lockName }) => navigator.locks.request(lockName, async () => {})));
  const reclaimed = await heap.reclaimGone();
  const after = pool.stats();
  heap.check();
  publish({
    workers: ready.length,
    reclaimedWhileAlive: beforeNothingGone,
    reclaimed,
    cachedBefore: before.cached,
    usedBefore: before.used,
    cachedAfter: after.cached,
    usedAfter: after.used,
    heldByWorkers: ready.reduce((sum, r) => sum + r.held, 0),
    reclaimAgain: await heap.reclaimGone(),
  });
}

main().catch((error: unknown) => publish({ error: String(error) }));
