// A worker that attaches, fills its cache with free objects and keeps a few
// objects, says so, and then waits to be terminated.

import { Heap, type HeapHandle } from "../../../dist/index.js";
import { MAX_THREADS, T_ID, T_LIFE_LOCK, THREAD_SLOT_SIZE, THREADS_START } from "../../../dist/layout.js";

interface WorkerScope {
  onmessage: ((event: MessageEvent<{ handle: HeapHandle }>) => void) | null;
  postMessage(message: unknown): void;
}

const scope = self as unknown as WorkerScope;

/** The id of this thread's life lock, as its thread slot records it (0: none found). */
function lifeLockId(heap: Heap): number {
  const words = new Uint32Array(heap.memory.buffer);
  for (let slot = 0; slot < MAX_THREADS; slot++) {
    const at = THREADS_START + slot * THREAD_SLOT_SIZE;
    if (Atomics.load(words, (at + T_ID) >>> 2) === heap.threadId) return Atomics.load(words, (at + T_LIFE_LOCK) >>> 2);
  }
  return 0;
}

scope.onmessage = async ({ data }) => {
  const heap = await Heap.attach(data.handle);
  const pool = heap.pool("p");
  const ptrs = Array.from({ length: 100 }, () => pool.alloc());
  for (const ptr of ptrs.slice(3)) pool.free(ptr);
  // Its slot names its life lock, which is held: its end can be seen.
  const name = `wasm-pools:${data.handle.heapId}:${lifeLockId(heap)}`;
  await navigator.locks.request(name, { ifAvailable: true }, async (lock) => {
    if (lock !== null) throw new Error("the life lock is not held");
  });
  scope.postMessage({ threadId: heap.threadId, held: 3, lockName: name });
};
