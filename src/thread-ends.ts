// How the heaps of this thread learn that a thread has ended, whoever
// started it (docs/internals.md §5, "Who reclaims"). Set up once per thread,
// when this module is first loaded, so that workers started before any heap
// existed are watched too.
//
// Where node:worker_threads tells the truth about a thread's end (Node; Bun,
// both worker kinds):
//   - every thread notes its own Node threadId and those of the threads that
//     started it (its lineage: worker_threads environment data, which each
//     new worker copies from the thread that starts it), and a heap stores
//     them in the thread's slot when it attaches;
//   - a worker's `exit` event (`close` for Bun's Web Workers) comes only
//     once it has stopped, and the runtime stops a thread's own workers
//     before that: every slot of that thread and of the threads it started
//     is dead;
//   - the news goes to every heap open on this thread, and through a
//     BroadcastChannel to every other thread of the process, so that the
//     heaps open there hear it too (a heap the starting thread never had).
// Deno emits `exit` while the thread may still run: there, as in browsers,
// each attached thread holds a Web Lock that the runtime releases once the
// thread has ended (life-lock.ts), and heaps look for released locks.
//
// Heaps still open when this thread exits normally are closed, so their
// caches go back to the pools for the threads that go on.

/** What this module needs of a Heap. */
export interface ThreadOwner {
  close(): void;
  /** Reclaims every slot of the thread with Node threadId + 1 `nodeNumber` and of the threads it started. */
  reclaimEnded(nodeNumber: number): void;
  /** Reclaims the attached threads whose life lock was released. */
  reclaimGone(): Promise<number>;
}

/** A worker as `process.on("worker")` announces it: a Node Worker, or in Bun a Web Worker (no `once`, a "close" event). */
interface EndingWorker {
  readonly threadId: number;
  once?(event: "exit", listener: () => void): unknown;
  addEventListener?(event: "close", listener: () => void): unknown;
}

interface NodeProcess {
  once(event: "exit", listener: () => void): unknown;
  on(event: "worker", listener: (worker: EndingWorker) => void): unknown;
  getBuiltinModule?(id: string): unknown;
}

interface WorkerThreads {
  threadId: number;
  getEnvironmentData?(key: string): unknown;
  setEnvironmentData?(key: string, value: unknown): void;
}

interface Channel {
  onmessage: ((event: { data: unknown }) => void) | null;
  postMessage(message: unknown): void;
  unref?(): void;
}

/** How a runtime tells of a thread's end. */
export type EndSignal =
  /** Node and Bun: exit events, which come only once the thread has stopped. */
  | "exit-events"
  /** Deno and browsers: Web Locks that the runtime releases once the thread has ended. */
  | "life-locks";

/** This thread's Node identity: threadId + 1 of itself and of up to two threads that started it (0: none). */
export interface ThreadLineage {
  readonly signal: EndSignal;
  /**
   * With life locks: how long a thread's lock must have been seen released
   * before the thread is taken for gone. Deno releases a terminated
   * worker's locks up to about 30 ms before the thread stops running
   * (measured); browsers release them once it has.
   */
  readonly lifeLockGraceMs: number;
  readonly nodeNumber: number;
  /** Parent and grandparent. */
  readonly ancestors: readonly [number, number];
}

const LINEAGE_KEY = "wasm-pools:lineage";
/** About 35 times the longest a Deno thread was seen running after its lock was released. */
const DENO_LIFE_LOCK_GRACE_MS = 1000;
const ENDS_CHANNEL = "wasm-pools:thread-ends";
/** Ancestors a slot holds (assembly/layout.ts T_ANCESTOR_COUNT). */
const ANCESTORS = 2;

/** The heaps open on this thread, held weakly: a heap dropped without close() is still collected (heap.ts). */
const open = new Set<WeakRef<ThreadOwner>>();
const refs = new WeakMap<ThreadOwner, WeakRef<ThreadOwner>>();

/** The open heaps still reachable; forgets the collected ones. */
function openHeaps(): ThreadOwner[] {
  const heaps: ThreadOwner[] = [];
  for (const ref of open) {
    const heap = ref.deref();
    if (heap) heaps.push(heap);
    else open.delete(ref);
  }
  return heaps;
}
/** The Node threadId + 1 of every worker this thread started, read when it was announced: it reads -1 once it has exited. */
const startedHere = new WeakMap<object, number>();

function nodeProcess(): NodeProcess | undefined {
  const candidate = (globalThis as { process?: Partial<NodeProcess> }).process;
  return typeof candidate?.once === "function" && typeof candidate.on === "function" ? (candidate as NodeProcess) : undefined;
}

function isDeno(): boolean {
  return (globalThis as { Deno?: unknown }).Deno !== undefined;
}

function workerThreads(process: NodeProcess): WorkerThreads | undefined {
  try {
    return process.getBuiltinModule?.("node:worker_threads") as WorkerThreads | undefined;
  } catch {
    return undefined;
  }
}

function inheritedAncestors(threads: WorkerThreads): number[] {
  const value = threads.getEnvironmentData?.(LINEAGE_KEY);
  return Array.isArray(value) ? value.filter((n): n is number => Number.isInteger(n) && n > 0).slice(0, ANCESTORS) : [];
}

function lineageOfThisThread(): { lineage: ThreadLineage; threads?: WorkerThreads; process?: NodeProcess } {
  const process = nodeProcess();
  const threads = process && !isDeno() ? workerThreads(process) : undefined;
  if (!process || !threads) {
    return {
      lineage: { signal: "life-locks", lifeLockGraceMs: isDeno() ? DENO_LIFE_LOCK_GRACE_MS : 0, nodeNumber: 0, ancestors: [0, 0] },
    };
  }
  const nodeNumber = threads.threadId + 1;
  const ancestors = inheritedAncestors(threads);
  // The workers this thread starts from now on copy this as their lineage.
  threads.setEnvironmentData?.(LINEAGE_KEY, [nodeNumber, ...ancestors].slice(0, ANCESTORS));
  return {
    lineage: {
      signal: "exit-events",
      lifeLockGraceMs: 0,
      nodeNumber,
      ancestors: [ancestors[0] ?? 0, ancestors[1] ?? 0],
    },
    threads,
    process,
  };
}

const setUp = lineageOfThisThread();

/** How this thread's end is told, and its lineage, as a heap stores it in its slot. */
export const thisThread: ThreadLineage = setUp.lineage;

let channel: Channel | undefined;

/** The process-wide channel on which threads tell each other of ends; undefined where there is none. */
function endsChannel(): Channel | undefined {
  if (channel) return channel;
  const Make = (globalThis as { BroadcastChannel?: new (name: string) => Channel }).BroadcastChannel;
  if (typeof Make !== "function") return undefined;
  channel = new Make(ENDS_CHANNEL);
  // It must never keep a thread alive that would otherwise end.
  channel.unref?.();
  channel.onmessage = (event) => {
    if (typeof event.data === "number") tellOpenHeaps(event.data);
  };
  return channel;
}

function tellOpenHeaps(nodeNumber: number): void {
  for (const each of openHeaps()) {
    try {
      each.reclaimEnded(nodeNumber);
    } catch {
      // A heap that cannot reclaim now keeps the slots DEAD and retries by itself (reclaim.ts).
    }
  }
}

/** A thread has ended: every heap of this process hears it. */
function announceEnd(nodeNumber: number): void {
  tellOpenHeaps(nodeNumber);
  endsChannel()?.postMessage(nodeNumber);
}

if (setUp.process && setUp.threads) {
  setUp.process.on("worker", (worker) => {
    const nodeNumber = worker.threadId + 1;
    startedHere.set(worker, nodeNumber);
    const ended = () => announceEnd(nodeNumber);
    if (typeof worker.once === "function") worker.once("exit", ended);
    else worker.addEventListener?.("close", ended);
  });
}
setUp.process?.once("exit", () => {
  for (const each of openHeaps()) {
    try {
      each.close();
    } catch {
      // The thread is ending either way; nothing here may turn that exit into a crash.
    }
  }
});

/** The Node threadId + 1 of a worker this thread started, remembered from when it started (0: not one of ours). */
export function nodeNumberOfStarted(worker: object): number {
  return startedHere.get(worker) ?? 0;
}

/** Where threads hold life locks: how often the heaps open here look for released ones. */
const LIFE_LOCK_POLL_MS = 250;
let polling: unknown;

function pollLifeLocks(): void {
  polling = undefined;
  const heaps = openHeaps();
  if (heaps.length === 0) return;
  for (const each of heaps) each.reclaimGone().catch(() => {});
  polling = later(pollLifeLocks, LIFE_LOCK_POLL_MS);
}

/** From now until forgetThread, `heap` hears of every thread's end. */
export function watchThread(heap: ThreadOwner): void {
  const ref = new WeakRef(heap);
  refs.set(heap, ref);
  open.add(ref);
  if (thisThread.signal === "exit-events") endsChannel();
  else if (polling === undefined) polling = later(pollLifeLocks, LIFE_LOCK_POLL_MS);
}

export function forgetThread(heap: ThreadOwner): void {
  const ref = refs.get(heap);
  if (ref) open.delete(ref);
}

/** Runs `task` after `ms` on a timer that never keeps the thread alive by itself. */
export function later(task: () => void, ms: number): unknown {
  const timer = setTimeout(task, ms) as unknown;
  if (typeof (timer as { unref?: unknown }).unref === "function") (timer as { unref(): void }).unref();
  else {
    const deno = (globalThis as { Deno?: { unrefTimer?(id: number): void } }).Deno;
    if (typeof timer === "number") deno?.unrefTimer?.(timer);
  }
  return timer;
}
