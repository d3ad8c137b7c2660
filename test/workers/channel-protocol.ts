// What test/concurrency/channels.test.ts and its worker (channel-worker.ts)
// share: the message layout and the worker's task.

import { type HeapHandle, struct, types } from "wasm-pools";

/** Each message: who sent it and its number among that sender's. */
export const Message = struct({ producer: types.u32, seq: types.u32 });

export interface ChannelTask {
  handle: HeapHandle;
  channel: string;
  role: "producer" | "consumer";
  /** Producers: its number, and how many messages it sends. */
  producer: number;
  count: number;
  /**
   * Consumers: one Int32Array word per message (producer * count + seq),
   * which each receipt adds 1 to, so that the test sees every message
   * received exactly once.
   */
  claims: SharedArrayBuffer;
}

/** What a worker reports when it is done. */
export interface ChannelReport {
  /** Producers: trySend calls refused because the channel was full (the backpressure path ran). */
  refused: number;
  /** Consumers: messages received, and messages of one producer seen out of order. */
  received: number;
  outOfOrder: number;
}
