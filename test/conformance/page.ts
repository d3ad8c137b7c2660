// The conformance suite in a browser page, with Web Workers. The report goes
// to globalThis.result (and the page) for the driver to read.

import { runConformance } from "./conformance-suite.js";
import { startWebWorker } from "./engine-threads.js";

const publish = (result: unknown): void => {
  (globalThis as { result?: unknown }).result = result;
  document.getElementById("log")!.textContent = JSON.stringify(result, null, 2);
};

runConformance({ engine: navigator.userAgent, startThread: startWebWorker }).then(publish, (error: unknown) =>
  publish({ error: error instanceof Error && error.stack ? error.stack : String(error) }),
);
