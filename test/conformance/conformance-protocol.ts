// What the conformance suite's main thread and its workers say to each
// other, and the report the suite gives its runner (engines.test.ts reads
// it, whatever the engine).

import type { HeapHandle } from "../../dist/index.js";

export const SHARED_POOL = "shared";
export const BIG_POOL = "big";
export const BIG_SIZE = 4096;
/** The pools of the worker that ends by itself and of the one that is terminated, each alone in its pool. */
export const LEAVER_POOL = "leaver";
export const KILLED_POOL = "killed";
/** The pool of a terminated worker that attached twice and started a worker of its own. */
export const KILLED_WITH_CHILD_POOL = "killed-with-child";
/** The channels of the relay: a worker sends up, the main thread sends each message back down. */
export const UP_CHANNEL = "up";
export const DOWN_CHANNEL = "down";

export type WorkerTask =
  /** Carries the handle and nothing else: posting it is where an engine that cannot post shared memory says so. */
  | { type: "probe"; handle: HeapHandle }
  /** Attach, say "ready", wait for "go", churn, close the heap, report. */
  | { type: "churn"; handle: HeapHandle; number: number; operations: number; bigObjects: number }
  /**
   * Attach, fill this thread's cache from `pool`, say "filled", then end the
   * thread without closing the heap, or wait to be terminated. With
   * `twiceAndNested`: attach twice, and start a worker of the same kind that
   * attaches too, before saying "filled".
   */
  | { type: "leave"; handle: HeapHandle; pool: string; ending: Ending; twiceAndNested?: boolean }
  /**
   * Attach, send `count` objects of the shared pool up (blocking while the
   * channel is full), each holding its number, then receive down (blocking)
   * until the channel is closed, checking the order and freeing each.
   */
  | { type: "relay"; handle: HeapHandle; count: number }
  /**
   * Without attaching, read the heap's thread slots over and over until
   * `stop[0]` is 1, counting LIVE slots that name a life lock and LIVE slots
   * that name none, then report them.
   */
  | { type: "watch"; handle: HeapHandle; stop: Int32Array }
  | { type: "go" };

/** How a worker that does not close its heap ends: by itself (self.close(), process.exit()) or by terminate(). */
export type Ending = "itself" | "terminated";

/** What a worker saw of the thread slots while the others attached, worked and ended (the "watch" task). */
export interface LifeLocksSeen {
  /** Passes over every slot. */
  passes: number;
  /** LIVE slots seen naming a life lock (T_LIFE_LOCK), and naming none. */
  liveWithLock: number;
  liveWithoutLock: number;
}

/** A worker's cache before it ended, and after this thread waited (calling nothing) for it to come back. */
export interface CacheComeBack {
  cachedBefore: number;
  cachedAfter: number;
}

export type WorkerReply =
  /** The worker listens: tasks may be posted. */
  | { type: "started" }
  | { type: "ready"; threadId: number }
  | { type: "report"; allocs: number; frees: number; doubles: number; memoryBytesSeen: number; badBigObjects: number }
  | { type: "filled"; cached: number }
  | { type: "relayed"; received: number; outOfOrder: number }
  | ({ type: "watched" } & LifeLocksSeen)
  | { type: "error"; message: string };

/** One bad call at the public API and what it threw. */
export interface BadInputOutcome {
  call: string;
  /** The error's name, or "none" when nothing was thrown. */
  error: string;
  /** Whether it was a WasmPoolsError. */
  typed: boolean;
}

export interface ConformanceReport {
  /** What the engine says it is (user agent, or runtime and version). */
  engine: string;
  crossOriginIsolated: boolean;
  /** The error from heap.handle() or postMessage when this thread could not share the heap. */
  sharingRefused?: { name: string; message: string; typed: boolean };
  /** One thread alone: objects allocated, written, read back and freed. */
  singleThreadObjects: number;
  /** heap.malloc's blocks (7 sizes) intact after realloc, typed views and a string read back, large blocks left after freeing all. */
  mallocBlocks: { intact: number; views: boolean; string: boolean; largeBlocksLeft: number };
  badInputs: BadInputOutcome[];
  /** Struct layouts (structs.ts): every field type read back, growth followed, errors typed, checked mode, waitAsync's outcomes. */
  structs?: { fields: boolean; growth: boolean; errors: string[]; checkedCatches: string; waits: string[] };
  /** Channels (conformance-channels.ts): one thread's FIFO, typed errors, and what a blocking receive does on this main thread. */
  channels?: { fifo: boolean; errors: string[]; mainMayBlock: boolean; blockingReceive: string };
  /** A worker sent `count` messages up (blocking), this thread relayed each down with promises, the worker received them (blocking). */
  relay?: { count: number; upInOrder: boolean; received: number; outOfOrder: number; used: number };
  /** What the workers did; absent when sharing was refused. */
  workers?: {
    count: number;
    threadIds: number[];
    operations: number;
    doubles: number;
    flushes: number;
    gcs: number;
    badBigObjects: number;
    initialMemoryBytes: number;
    finalMemoryBytes: number;
    memoryBytesSeen: number[];
    /** The shared pool once every worker closed its heap. */
    used: number;
    cached: number;
    allocated: number;
    freeListLength: number;
  };
  /** A worker that ended by itself without heap.close(). */
  leaver?: CacheComeBack;
  /** A worker terminated while it held a full cache. */
  killed?: CacheComeBack;
  /** A worker terminated while it held two full caches (it attached twice) and its own worker held a third. */
  killedWithChild?: CacheComeBack;
  /** The thread slots as a worker saw them from the first attach to the last end. */
  lifeLocks?: LifeLocksSeen;
  /** heap.check() at the end: the error's name, or "passed". */
  check: string;
  /** An error that stopped the suite. */
  error?: string;
}

/** Starts the line of a runtime's stdout that holds the report as JSON. */
export const REPORT_PREFIX = "conformance report: ";
