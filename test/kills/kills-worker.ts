// The random-kill suite's worker, the same file on every runtime and kind of
// thread: it attaches (once or twice), maybe starts a worker of its own, and
// churns the pool with a claim on every object it holds, yielding every few
// milliseconds (Deno and Bun stop a terminated thread only where it yields).
// Some objects it gives up go to the others through a channel instead of
// back to the pool, and some it takes come from the channel: a kill inside
// a send or a receive must neither wedge the channel nor hand an object to
// two holders (the claims see that).
// Every double hand-out, error and lock give-up goes at once to the shared
// counters, so what a worker saw survives its death.

import type { Heap, Pool } from "../../dist/index.js";
import { isNodeWorker, NODE_WORKER_MARK } from "../conformance/engine-threads.js";
import { wasmPools } from "../conformance/library.js";
import { Claims, Holding } from "../workers/claims.js";
import {
  DOUBLES,
  ERRORS,
  KILLED,
  KILLS_CHANNEL,
  KILLS_POOL,
  type KillReply,
  type KillTask,
  LOCK_TIMEOUTS,
  MESSAGES,
  NESTED_NUMBER,
  STOP,
  TERMINATION_ERRORS,
} from "./kills-protocol.js";

interface Parent {
  post(reply: KillReply): void;
  onTask(listener: (task: KillTask) => void): void;
  /** Starts a worker of this thread's kind on this script and sends it `task`. */
  startChild(task: KillTask): void;
}

function webParent(): Parent {
  const scope = self as unknown as { postMessage(reply: KillReply): void; onmessage: ((event: MessageEvent<KillTask>) => void) | null };
  return {
    post: (reply) => scope.postMessage(reply),
    onTask: (listener) => (scope.onmessage = (event) => listener(event.data)),
    startChild(task) {
      const child = new Worker(import.meta.url, { type: "module" });
      child.onmessage = (event: MessageEvent<KillReply>) => {
        if (event.data.type === "started") child.postMessage(task);
      };
    },
  };
}

async function nodeParent(): Promise<Parent> {
  const { parentPort, Worker: NodeWorker } = await import("node:worker_threads");
  return {
    post: (reply) => parentPort!.postMessage(reply),
    onTask: (listener) => parentPort!.on("message", listener),
    startChild(task) {
      const child = new NodeWorker(new URL(import.meta.url), { workerData: NODE_WORKER_MARK });
      child.on("message", (reply: KillReply) => {
        if (reply.type === "started") child.postMessage(task);
      });
    },
  };
}

/** The counter an error goes to (kills-protocol.ts, TERMINATION_ERRORS). */
function errorCounter(task: KillTask, error: unknown): number {
  if (error instanceof wasmPools.LockTimeoutError) return LOCK_TIMEOUTS;
  if (!(error instanceof wasmPools.WasmPoolsError) && Atomics.load(task.counters, KILLED + task.number) !== 0) return TERMINATION_ERRORS;
  return ERRORS;
}

const SLICE_MS = 2;
const yieldToEvents = () => new Promise((resolve) => setTimeout(resolve, 0));

async function churn(heaps: Heap[], task: KillTask, parent: Parent): Promise<void> {
  const pools: Pool[] = heaps.map((heap) => heap.pool(KILLS_POOL));
  const channel = heaps[heaps.length - 1]!.channel(KILLS_CHANNEL);
  const claims = new Claims(heaps[0]!.memory, task.number);
  const held = new Holding(claims);
  let seen = 0;
  let step = 0;
  while (!task.survivor || Atomics.load(task.counters, STOP) === 0) {
    const until = Date.now() + SLICE_MS;
    while (Date.now() < until) {
      const pool = pools[step++ % pools.length]!;
      try {
        if (held.size < 16 && (held.size === 0 || (step & 3) !== 0)) {
          const message = (step & 7) === 1 ? channel.tryReceive() : undefined;
          if (typeof message === "number") {
            held.add(message);
            Atomics.add(task.counters, MESSAGES, 1);
          } else held.add(pool.alloc());
        } else {
          const ptr = held.take(step % held.size);
          if (ptr !== 0 && ((step & 4) === 0 || !channel.trySend(ptr))) pool.free(ptr);
        }
      } catch (error) {
        Atomics.add(task.counters, errorCounter(task, error), 1);
      }
      if (claims.doubles !== seen) {
        Atomics.add(task.counters, DOUBLES, claims.doubles - seen);
        seen = claims.doubles;
      }
    }
    await yieldToEvents();
  }
  while (held.size > 0) {
    const ptr = held.take(held.size - 1);
    if (ptr !== 0) pools[0]!.free(ptr);
  }
  for (const heap of heaps) heap.close();
  parent.post({ type: "stopped" });
}

function serve(parent: Parent): void {
  parent.onTask(async (task) => {
    try {
      const heaps = [await wasmPools.Heap.attach(task.handle)];
      if (task.twice) heaps.push(await wasmPools.Heap.attach(task.handle));
      if (task.nested) parent.startChild({ ...task, nested: false, twice: false, number: task.number + NESTED_NUMBER });
      parent.post({ type: "ready" });
      await churn(heaps, task, parent);
    } catch (error) {
      Atomics.add(task.counters, errorCounter(task, error), 1);
      parent.post({ type: "error", message: error instanceof Error && error.stack ? error.stack : String(error) });
    }
  });
  parent.post({ type: "started" });
}

serve((await isNodeWorker()) ? await nodeParent() : webParent());
