// Terminated Web Workers come back through their life locks: the page
// starts workers that fill their caches, terminates them, and reclaims them
// with heap.reclaimGone(). The outcome goes to globalThis.result.

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
        new Promise<{ threadId: number; held: number }>((resolve, reject) => {
          worker.onmessage = ({ data }) => resolve(data);
          worker.onerror = (event) => reject(new Error(event.message));
          worker.postMessage({ handle: heap.handle() });
        }),
    ),
  );
  const before = pool.stats();
  const beforeNothingGone = await heap.reclaimGone();
  for (const worker of workers) worker.terminate();
  // The browser lets go of their locks shortly after: ask until all are seen gone.
  let reclaimed = 0;
  let asked = 0;
  while (reclaimed < WORKERS && asked < 1000) {
    reclaimed += await heap.reclaimGone();
    asked++;
    await new Promise((resolve) => setTimeout(resolve, 0));
  }
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
