// The conformance suite's worker, the same file on every engine: it attaches
// to the heap it is sent and either churns the shared pool with an ownership
// claim on every object it holds (while holding big objects that make the
// memory grow), or fills its cache and, without closing its heap, ends or
// waits to be terminated.

import type { Heap, Pool } from "../../dist/index.js";
import { churnWithClaims } from "../workers/churn-with-claims.js";
import {
  BIG_POOL,
  BIG_SIZE,
  DOWN_CHANNEL,
  type LifeLocksSeen,
  SHARED_POOL,
  UP_CHANNEL,
  type WorkerReply,
  type WorkerTask,
} from "./conformance-protocol.js";
import { isNodeWorker, NODE_WORKER_MARK } from "./engine-threads.js";
import { layout, wasmPools } from "./library.js";

interface Parent {
  post(reply: WorkerReply): void;
  onTask(listener: (task: WorkerTask) => void): void;
  /** Ends this thread as a user's worker would end by itself: self.close(), or process.exit() in a Node or Bun worker. */
  end(): void;
  /** Starts a worker of this thread's own kind on this script; resolves with its first "filled" reply once it is sent `task`. */
  fillChild(task: WorkerTask): Promise<void>;
}

/** Posts `task` to a worker that speaks this protocol and resolves at its "filled" reply (rejects at an "error" one). */
function untilFilled(post: (task: WorkerTask) => void, onReply: (listener: (reply: WorkerReply) => void) => void, task: WorkerTask) {
  return new Promise<void>((resolve, reject) => {
    onReply((reply) => {
      if (reply.type === "started") post(task);
      else if (reply.type === "filled") resolve();
      else if (reply.type === "error") reject(new Error(reply.message));
    });
  });
}

/** A Web Worker's scope. */
function webParent(): Parent {
  const scope = self as unknown as {
    postMessage(reply: WorkerReply): void;
    onmessage: ((event: MessageEvent<WorkerTask>) => void) | null;
    close?(): void;
  };
  return {
    post: (reply) => scope.postMessage(reply),
    onTask: (listener) => (scope.onmessage = (event) => listener(event.data)),
    // Bun's Web Workers have no self.close(): there a worker ends itself with process.exit().
    end: () => (typeof scope.close === "function" ? scope.close() : process.exit(0)),
    fillChild(task) {
      const child = new Worker(import.meta.url, { type: "module" });
      return untilFilled(
        (t) => child.postMessage(t),
        (listener) => (child.onmessage = (event: MessageEvent<WorkerReply>) => listener(event.data)),
        task,
      );
    },
  };
}

/** A node:worker_threads worker's port. */
async function nodeParent(): Promise<Parent> {
  const { parentPort, Worker: NodeWorker } = await import("node:worker_threads");
  const port = parentPort!;
  return {
    post: (reply) => port.postMessage(reply),
    onTask: (listener) => port.on("message", listener),
    end: () => process.exit(0),
    fillChild(task) {
      const child = new NodeWorker(new URL(import.meta.url), { workerData: NODE_WORKER_MARK });
      return untilFilled(
        (t) => child.postMessage(t),
        (listener) => child.on("message", listener),
        task,
      );
    },
  };
}

function churn(heap: Heap, task: Extract<WorkerTask, { type: "churn" }>): WorkerReply {
  const result = churnWithClaims(heap, heap.pool(SHARED_POOL), heap.pool(BIG_POOL), {
    number: task.number,
    operations: task.operations,
    bigObjects: task.bigObjects,
    bigSize: BIG_SIZE,
    seed: 0x9e3779b9,
  });
  return { type: "report", ...result, memoryBytesSeen: heap.stats().memoryBytes };
}

/** The "watch" task: every LIVE slot must name its life lock from the moment it is LIVE, or none ever does (exit events). */
function watch(memory: WebAssembly.Memory, stop: Int32Array): LifeLocksSeen {
  const { MAX_THREADS, T_LIFE_LOCK, T_STATE, THREAD_LIVE, THREAD_SLOT_SIZE, THREADS_START } = layout;
  const seen = { passes: 0, liveWithLock: 0, liveWithoutLock: 0 };
  while (Atomics.load(stop, 0) === 0) {
    const words = new Uint32Array(memory.buffer);
    for (let slot = 0; slot < MAX_THREADS; slot++) {
      const at = (THREADS_START + slot * THREAD_SLOT_SIZE) >>> 2;
      // The lock first: it is written before the state says LIVE.
      const lock = Atomics.load(words, at + (T_LIFE_LOCK >>> 2));
      if (Atomics.load(words, at + (T_STATE >>> 2)) !== THREAD_LIVE) continue;
      if (lock !== 0) seen.liveWithLock++;
      else seen.liveWithoutLock++;
    }
    seen.passes++;
  }
  return seen;
}

function serve(port: Parent): void {
  let heap: Heap | undefined;
  let pending: Extract<WorkerTask, { type: "churn" }> | undefined;
  port.onTask(async (task) => {
    try {
      if (task.type === "churn") {
        heap = await wasmPools.Heap.attach(task.handle);
        pending = task;
        port.post({ type: "ready", threadId: heap.threadId });
      } else if (task.type === "go" && heap && pending) {
        const report = churn(heap, pending);
        heap.close();
        port.post(report);
      } else if (task.type === "relay") {
        const mine = await wasmPools.Heap.attach(task.handle);
        const pool = mine.pool(SHARED_POOL);
        const up = mine.channel(UP_CHANNEL);
        for (let n = 0; n < task.count; n++) {
          const ptr = pool.alloc();
          mine.array(Uint32Array, ptr, 1)[0] = n;
          up.send(ptr);
        }
        let received = 0;
        let outOfOrder = 0;
        for (const ptr of mine.channel(DOWN_CHANNEL)) {
          if (mine.array(Uint32Array, ptr, 1)[0] !== received) outOfOrder++;
          received++;
          pool.free(ptr);
        }
        mine.close();
        port.post({ type: "relayed", received, outOfOrder });
      } else if (task.type === "watch") {
        port.post({ type: "watched", ...watch(task.handle.memory, task.stop) });
      } else if (task.type === "leave") {
        let pool: Pool | undefined;
        for (let n = task.twiceAndNested ? 2 : 1; n > 0; n--) {
          pool = (await wasmPools.Heap.attach(task.handle)).pool(task.pool);
          const ptrs = Array.from({ length: 100 }, () => pool!.alloc());
          for (const ptr of ptrs) pool.free(ptr);
        }
        if (task.twiceAndNested) await port.fillChild({ ...task, ending: "terminated", twiceAndNested: false });
        port.post({ type: "filled", cached: pool!.stats().cached });
        if (task.ending === "itself") port.end();
      }
    } catch (error) {
      port.post({ type: "error", message: error instanceof Error && error.stack ? error.stack : String(error) });
    }
  });
  port.post({ type: "started" });
}

serve((await isNodeWorker()) ? await nodeParent() : webParent());
