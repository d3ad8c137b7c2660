// The page without COOP/COEP: one thread may use a heap, and sharing it
// must fail with NotIsolatedError. The outcome goes to globalThis.result.

import { Heap } from "../../../dist/index.js";

interface SingleResult {
  crossOriginIsolated: boolean;
  allocatedAndFreed: number;
  used: number;
  handleError: string;
  handleMessage: string;
}

async function main(): Promise<SingleResult> {
  const heap = await Heap.create();
  const pool = heap.createPool("single", 32);
  const ptrs = Array.from({ length: 1000 }, () => pool.alloc());
  ptrs.forEach((ptr, n) => heap.bytes(ptr, 32).fill(n & 0xff));
  ptrs.forEach((ptr) => pool.free(ptr));
  let handleError = "none";
  let handleMessage = "";
  try {
    heap.handle();
  } catch (error) {
    handleError = (error as Error).name;
    handleMessage = (error as Error).message;
  }
  return { crossOriginIsolated, allocatedAndFreed: ptrs.length, used: pool.stats().used, handleError, handleMessage };
}

main().then(
  (result) => ((globalThis as { result?: unknown }).result = result),
  (error: unknown) => ((globalThis as { result?: unknown }).result = { error: String(error) }),
);
