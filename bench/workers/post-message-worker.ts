// The worker of the postMessage baselines of cases 14 to 17
// (bench/cases/channels.ts), which talk with the main thread through the
// worker's own port: on "produce" it posts 64-byte messages to the main
// thread (new Uint8Arrays copied, or new ArrayBuffers transferred); on
// "consume" it takes the next messages the main thread posts, checks them
// and says "done"; any other message it gets is a ping, which it checks
// and posts back as it came (copied, or transferred back). The main thread
// ends it with terminate().

import { parentPort } from "node:worker_threads";
import type { PostCommand, PostDone } from "./bench-worker-protocol.js";
import { MESSAGE_BYTES } from "./bench-worker-protocol.js";
import { echo, intact, writeMessage } from "./channel-loops.js";

const port = parentPort!;
let left = 0;
let wrong = 0;

function produce(messages: number, transfer: boolean): void {
  for (let seq = 0; seq < messages; seq++) {
    if (transfer) {
      const buffer = new ArrayBuffer(MESSAGE_BYTES);
      writeMessage(new Uint8Array(buffer), 0, seq);
      port.postMessage(buffer, [buffer]);
    } else {
      const message = new Uint8Array(MESSAGE_BYTES);
      writeMessage(message, 0, seq);
      port.postMessage(message);
    }
  }
}

port.on("message", (message: PostCommand | Uint8Array | ArrayBuffer) => {
  if (message instanceof Uint8Array || message instanceof ArrayBuffer) {
    if (!intact(message instanceof ArrayBuffer ? new Uint8Array(message) : message, 0)) wrong++;
    if (left === 0) echo(port, message);
    else if (--left === 0) port.postMessage({ type: "done", wrong } satisfies PostDone);
  } else if (message.type === "consume") {
    left = message.messages;
    wrong = 0;
  } else produce(message.messages, message.transfer);
});
