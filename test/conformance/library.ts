// The package as built (dist/), loaded by URL so that the same compiled file
// finds it from build/test/conformance/ on disk (three folders up is the
// package root) and from /test/conformance/ on the test server (where a URL
// stops at the root).

export type WasmPools = typeof import("../../dist/index.js");

export const wasmPools: WasmPools = await import(new URL("../../../dist/index.js", import.meta.url).href);

/** The layout's numbers (dist/layout.js), to read thread slots from a test. */
export const layout: typeof import("../../dist/layout.js") = await import(new URL("../../../dist/layout.js", import.meta.url).href);
