// What a call threw, as the conformance reports give it: the error's name,
// marked "(untyped)" unless it is a WasmPoolsError, or "no error".

import { wasmPools } from "./library.js";

/** The name of what `run` threw. */
export function errorName(run: () => unknown): string {
  try {
    run();
    return "no error";
  } catch (error) {
    const e = error instanceof Error ? error : new Error(String(error));
    return e instanceof wasmPools.WasmPoolsError ? e.name : `${e.name} (untyped)`;
  }
}
