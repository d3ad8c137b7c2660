// The main thread's part in the stress runs of the browser page and the
// conformance suite: flush a pool and gc the heap, again and again, until
// every worker has reported; a few rounds per task, so that workers run
// into flushes and gcs while they churn (browsers clamp timers to 4 ms).

import type { Heap, Pool } from "../../dist/index.js";

export async function flushAndGcUntil<T>(
  reports: Promise<T>[],
  pool: Pool,
  heap: Heap,
): Promise<{ reports: T[]; flushes: number; gcs: number }> {
  let done = false;
  let rounds = 0;
  const all = Promise.all(reports).finally(() => (done = true));
  while (!done) {
    for (let round = 0; round < 20; round++) {
      pool.flush();
      heap.gc();
      rounds++;
    }
    await new Promise((resolve) => setTimeout(resolve, 0));
  }
  return { reports: await all, flushes: rounds, gcs: rounds };
}
