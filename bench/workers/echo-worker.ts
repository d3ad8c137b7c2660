// Case 8's baseline worker, the server-like loop as it is written without
// shared memory: each request arrives as new Uint8Arrays copied by
// postMessage; the worker copies the request's number into the response and
// posts the response back (copied again). The request and header are left to
// the garbage collector, as such code leaves them.

import { parentPort } from "node:worker_threads";
import type { PostedRequest } from "./posted-request.js";

const port = parentPort!;
port.on("message", ({ request, response }: PostedRequest) => {
  response.set(request.subarray(0, 4));
  port.postMessage(response);
});
