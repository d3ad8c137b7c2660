// Makes one heap with the core found beside the package's JS, and prints the
// outcome after REPORT_PREFIX: how a runtime without the right to read that
// file (Deno without --allow-read for it) fails.

import { REPORT_PREFIX } from "./conformance-protocol.js";
import { wasmPools } from "./library.js";

let outcome: { created: boolean; error?: string; message?: string; typed?: boolean };
try {
  (await wasmPools.Heap.create({ maxBytes: 1 << 20 })).close();
  outcome = { created: true };
} catch (error) {
  const e = error as Error;
  outcome = { created: false, error: e.name, message: e.message, typed: e instanceof wasmPools.WasmPoolsError };
}
console.log(`${REPORT_PREFIX}${JSON.stringify(outcome)}`);
