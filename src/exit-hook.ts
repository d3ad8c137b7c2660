// A heap's part in its thread's life, where the platform tells (Node, and
// Deno and Bun through node:worker_threads; Bun's Web Workers too):
//   - heaps still open when the thread exits normally are closed, so their
//     caches go back to the pools for the threads that go on;
//   - when a worker this thread started exits, by itself or by terminate(),
//     every heap open here reclaims it: its cache goes back, locks it held
//     are recovered, its thread slot is free again. Node emits the worker's
//     `exit` event only once the thread has stopped, so that is safe.
// One listener of each kind serves every heap of the thread. Browsers have
// no such events, nor have Deno's Web Workers: a Web Worker should call
// heap.close() before it ends, and the thread that started it calls
// heap.reclaimGone() once it has ended (life-lock.ts).

import { nodeBuiltin } from "./node-builtin.js";

export interface ThreadOwner {
  close(): void;
  /** Reclaims the thread whose Node threadId is `nodeThreadId` if it was attached (else does nothing). */
  reclaimExited(nodeThreadId: number): void;
}

/** A worker as `process.on("worker")` announces it: a Node Worker, or in Bun a Web Worker (no `once`, a "close" event). */
interface ExitingWorker {
  readonly threadId: number;
  once?(event: "exit", listener: () => void): unknown;
  addEventListener?(event: "close", listener: () => void): unknown;
}

interface NodeProcess {
  once(event: "exit", listener: () => void): unknown;
  on(event: "worker", listener: (worker: ExitingWorker) => void): unknown;
}

const open = new Set<ThreadOwner>();

function isDenoWebWorker(): boolean {
  const scope = globalThis as { Deno?: unknown; WorkerGlobalScope?: abstract new () => unknown };
  return scope.Deno !== undefined && typeof scope.WorkerGlobalScope === "function" && globalThis instanceof scope.WorkerGlobalScope;
}
let listening = false;

function nodeProcess(): NodeProcess | undefined {
  const candidate = (globalThis as { process?: Partial<NodeProcess> }).process;
  return typeof candidate?.once === "function" && typeof candidate.on === "function" ? (candidate as NodeProcess) : undefined;
}

/**
 * This thread's Node threadId + 1 (as the core stores it), or 0 where there
 * is no node:worker_threads, and in a Deno Web Worker: Deno gives those its
 * main thread's threadId and never tells of their end, so they are watched
 * as browsers' workers are (life-lock.ts).
 */
export async function nodeThreadNumber(): Promise<number> {
  if (!nodeProcess() || isDenoWebWorker()) return 0;
  try {
    const { threadId } = await nodeBuiltin<typeof import("node:worker_threads")>("node:worker_threads");
    return threadId + 1;
  } catch {
    return 0;
  }
}

export function watchThread(heap: ThreadOwner): void {
  open.add(heap);
  if (listening) return;
  const process = nodeProcess();
  if (!process) return;
  listening = true;
  process.once("exit", () => {
    for (const each of [...open]) {
      try {
        each.close();
      } catch {
        // The thread is ending either way; nothing here may turn that exit into a crash.
      }
    }
  });
  process.on("worker", (worker) => {
    // Read now: a worker's threadId reads -1 once it has exited.
    const nodeThreadId = worker.threadId;
    const reclaim = () => {
      for (const each of [...open]) {
        try {
          each.reclaimExited(nodeThreadId);
        } catch {
          // A heap that cannot reclaim now (a lock wait gave up) leaves it to reclaimThread.
        }
      }
    };
    if (typeof worker.once === "function") worker.once("exit", reclaim);
    else worker.addEventListener?.("close", reclaim);
  });
}

export function forgetThread(heap: ThreadOwner): void {
  open.delete(heap);
}
