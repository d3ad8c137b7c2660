// npm run demo:browser: serves the browser demo and the worker pipeline
// (examples/pipeline/), cross-origin isolated, on 127.0.0.1 until
// interrupted.

import { startServer } from "./server.js";

const port = Number(process.env.PORT ?? 8080);
const server = await startServer({ port });
console.log(`wasm-pools browser demo: open ${server.url}examples/browser/ (Ctrl+C to stop)`);
console.log(`the worker pipeline on channels: ${server.url}examples/pipeline/`);
