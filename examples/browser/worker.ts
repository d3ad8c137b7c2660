// A demo worker: attaches to the page's heap and, while the page lets it
// run, serves fake requests: a session object and a few buffers each, some
// kept a while, freed in random order. It counts its operations in the
// shared counts; the page reads them for its rate.

import { Heap } from "../../dist/index.js";
import { BUFFER_POOL, type DemoWorkerStart, RUNNING, SESSION_POOL } from "./protocol.js";

interface WorkerScope {
  onmessage: ((event: MessageEvent<DemoWorkerStart>) => void) | null;
}

const BATCH = 5000;
const scope = self as unknown as WorkerScope;

scope.onmessage = async ({ data }) => {
  const heap = await Heap.attach(data.handle);
  const sessions = heap.pool(SESSION_POOL);
  const buffers = heap.pool(BUFFER_POOL);
  const control = new Int32Array(data.control);
  const counts = new BigInt64Array(data.counts);
  const held: number[] = [];
  for (;;) {
    while (Atomics.load(control, RUNNING) === 0) Atomics.wait(control, RUNNING, 0);
    for (let i = 0; i < BATCH; i++) {
      const session = sessions.alloc();
      if (held.length < 256 && Math.random() < 0.5) held.push(buffers.alloc());
      else if (held.length > 0) buffers.free(held.splice(Math.floor(Math.random() * held.length), 1)[0]!);
      sessions.free(session);
    }
    // Each step is one session alloc and free plus one buffer alloc or free: 3 operations.
    Atomics.add(counts, data.number, BigInt(3 * BATCH));
  }
};
