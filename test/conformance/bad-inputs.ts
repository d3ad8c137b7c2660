// A sample of bad calls at the public API: each must throw a typed error
// (a WasmPoolsError), never a raw TypeError or RuntimeError.

import type { Heap } from "../../dist/index.js";
import type { BadInputOutcome } from "./conformance-protocol.js";
import { wasmPools } from "./library.js";

async function outcome(call: string, run: () => unknown): Promise<BadInputOutcome> {
  try {
    await run();
    return { call, error: "none", typed: false };
  } catch (error) {
    return { call, error: error instanceof Error ? error.name : typeof error, typed: error instanceof wasmPools.WasmPoolsError };
  }
}

/** Runs every bad call on `heap` (and on heaps of its own) and says what each threw. */
export async function tryBadInputs(heap: Heap): Promise<BadInputOutcome[]> {
  const pool = heap.createPool("bad-inputs", 16, { limit: 1 });
  const ptr = pool.alloc();
  const closed = await wasmPools.Heap.create({ maxBytes: 1 << 20 });
  closed.close();
  const results = [
    await outcome("Heap.create({ maxBytes: -1 })", () => wasmPools.Heap.create({ maxBytes: -1 })),
    await outcome("Heap.create({ module: bytes that are not wasm })", () => wasmPools.Heap.create({ module: new Uint8Array([1, 2, 3]) })),
    await outcome('Heap.attach({ kind: "nope" })', () => wasmPools.Heap.attach({ kind: "nope" } as never)),
    await outcome('heap.createPool("", 8)', () => heap.createPool("", 8)),
    await outcome('heap.createPool("x", 2 ** 31)', () => heap.createPool("x", 2 ** 31)),
    await outcome('heap.pool("no such pool")', () => heap.pool("no such pool")),
    await outcome("heap.bytes(0, 8)", () => heap.bytes(0, 8)),
    await outcome("pool.free(3)", () => pool.free(3)),
    await outcome("pool.alloc() past the pool's limit", () => pool.alloc()),
    await outcome("pool.free(ptr) twice", () => {
      pool.free(ptr);
      pool.free(ptr);
    }),
    await outcome("createPool on a closed heap", () => closed.createPool("late", 8)),
  ];
  pool.destroy();
  return results;
}
