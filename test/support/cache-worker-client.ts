// Starting a cache-worker and sending it commands, one reply per command.

import { Worker } from "node:worker_threads";
import type { Heap } from "wasm-pools";
import type { CacheCommand, CacheReply, CacheWorkerData } from "../workers/cache-worker.js";

const SCRIPT = new URL("../../build/test/workers/cache-worker.js", import.meta.url);

export class CacheWorker {
  readonly worker: Worker;
  readonly exited: Promise<number>;
  threadId = 0;
  private readonly replies: CacheReply[] = [];
  private waiting: ((reply: CacheReply) => void) | undefined;

  private constructor(worker: Worker) {
    this.worker = worker;
    this.exited = new Promise((resolve) => worker.once("exit", resolve));
    worker.on("message", (reply: CacheReply) => {
      if (this.waiting) {
        const resolve = this.waiting;
        this.waiting = undefined;
        resolve(reply);
      } else this.replies.push(reply);
    });
    worker.on("error", (error) => this.waiting?.({ ok: false, error: String(error) }));
  }

  static async start(heap: Heap, cacheBytes: number): Promise<CacheWorker> {
    const data: CacheWorkerData = { handle: heap.handle(), cacheBytes };
    const started = new CacheWorker(new Worker(SCRIPT, { workerData: data }));
    const ready = await started.next();
    if (!ready.ok) throw new Error(ready.error);
    started.threadId = ready.threadId;
    return started;
  }

  private next(): Promise<CacheReply> {
    const queued = this.replies.shift();
    return queued ? Promise.resolve(queued) : new Promise((resolve) => (this.waiting = resolve));
  }

  /** Sends a command and returns its reply; throws what the worker threw. */
  async send(command: CacheCommand): Promise<Extract<CacheReply, { ok: true }>> {
    this.worker.postMessage(command);
    const reply = await this.next();
    if (!reply.ok) throw new Error(`worker: ${reply.error}`);
    return reply;
  }
}
