// A worker that attaches, fills its cache with free objects and keeps a few
// objects, says so, and then waits to be terminated.

import { Heap, type HeapHandle } from "../../../dist/index.js";

interface WorkerScope {
  onmessage: ((event: MessageEvent<{ handle: HeapHandle }>) => void) | null;
  postMessage(message: unknown): void;
}

const scope = self as unknown as WorkerScope;

scope.onmessage = async ({ data }) => {
  const heap = await Heap.attach(data.handle);
  const pool = heap.pool("p");
  const ptrs = Array.from({ length: 100 }, () => pool.alloc());
  for (const ptr of ptrs.slice(3)) pool.free(ptr);
  // Ready once its life lock is held: only then can its end be seen.
  const name = `wasm-pools:${data.handle.heapId}:${heap.threadId}`;
  await navigator.locks.request(name, { ifAvailable: true }, async (lock) => {
    if (lock !== null) throw new Error("the life lock is not held");
  });
  scope.postMessage({ threadId: heap.threadId, held: 3, lockName: name });
};
