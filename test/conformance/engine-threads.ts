// The two kinds of thread the suite runs on: Web Workers (browsers, Deno,
// Bun) and node:worker_threads (Node).

import type { WorkerReply, WorkerTask } from "./conformance-protocol.js";

export interface TestThread {
  /** Posts a task; throws what the engine's postMessage throws (DataCloneError where shared memory cannot be posted). */
  post(task: WorkerTask): void;
  /** Every reply, and the thread's uncaught errors as error replies, go to the listener set last. */
  onReply(listener: (reply: WorkerReply) => void): void;
  /** Resolves once the thread is known to have ended (Node's exit event), or at once where the engine does not tell. */
  ended(): Promise<void>;
  terminate(): void;
}

/** The workerData of a node:worker_threads worker, which tells it apart from a Web Worker (Bun gives both a `self`). */
export const NODE_WORKER_MARK = "wasm-pools conformance: node:worker_threads";

/** Whether this is a node:worker_threads worker: the thread that started it said so in its workerData. */
export async function isNodeWorker(): Promise<boolean> {
  // Browsers have no process, and no node:worker_threads to import.
  if (typeof process === "undefined") return false;
  const { workerData } = await import("node:worker_threads");
  return workerData === NODE_WORKER_MARK;
}

/** What a JS runtime says it is: "Node 20.20.2", "Deno 2.9.6", "Bun 1.4.5". */
export function runtimeName(): string {
  const versions = (globalThis as { process?: { versions?: Record<string, string> } }).process?.versions ?? {};
  if (versions.bun) return `Bun ${versions.bun}`;
  if (versions.deno) return `Deno ${versions.deno}`;
  return `Node ${versions.node}`;
}

/** The starter that a runtime's command line asks for: --threads=web or --threads=node; by default Web Workers where the runtime has them. */
export function starterFromArguments(): ThreadStarter {
  const asked = process.argv.find((arg) => arg.startsWith("--threads="))?.slice("--threads=".length);
  const threads = asked ?? (typeof Worker === "function" ? "web" : "node");
  return threads === "web" ? startWebWorker : startNodeWorker;
}

/** Starts a thread on `script` and resolves once it listens (its "started" reply). */
export type ThreadStarter = (script: URL) => Promise<TestThread>;

function started(thread: TestThread): Promise<TestThread> {
  return new Promise((resolve, reject) =>
    thread.onReply((reply) => {
      if (reply.type === "started") resolve(thread);
      else if (reply.type === "error") reject(new Error(`worker did not start: ${reply.message}`));
    }),
  );
}

export function startWebWorker(script: URL): Promise<TestThread> {
  const worker = new Worker(script, { type: "module" });
  return started({
    post: (task) => worker.postMessage(task),
    onReply(listener) {
      worker.onmessage = (event: MessageEvent<WorkerReply>) => listener(event.data);
      worker.onerror = (event: ErrorEvent) => {
        event.preventDefault();
        listener({ type: "error", message: event.message || "uncaught error in a Web Worker" });
      };
    },
    ended: () => Promise.resolve(),
    terminate: () => worker.terminate(),
  });
}

export async function startNodeWorker(script: URL): Promise<TestThread> {
  const { Worker: NodeWorker } = await import("node:worker_threads");
  const worker = new NodeWorker(script, { workerData: NODE_WORKER_MARK });
  const exited = new Promise<void>((resolve) => worker.once("exit", () => resolve()));
  let listener: (reply: WorkerReply) => void = () => {};
  worker.on("message", (reply: WorkerReply) => listener(reply));
  worker.on("error", (error: Error) => listener({ type: "error", message: error.stack ?? String(error) }));
  return started({
    post: (task) => worker.postMessage(task),
    onReply(next) {
      listener = next;
    },
    ended: () => exited,
    terminate: () => void worker.terminate(),
  });
}
