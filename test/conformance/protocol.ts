// What the conformance suite's main thread and its workers say to each
// other, and the report the suite gives its runner (engines.test.ts reads
// it, whatever the engine).

import type { HeapHandle } from "../../dist/index.js";

export const SHARED_POOL = "shared";
export const BIG_POOL = "big";
export const BIG_SIZE = 4096;
export const LEAVER_POOL = "leaver";

export type WorkerTask =
  /** Attach, say "ready", wait for "go", churn, close the heap, report. */
  | { type: "churn"; handle: HeapHandle; number: number; operations: number; bigObjects: number }
  /** Attach, fill this thread's cache, say "filled", then end the thread without closing the heap. */
  | { type: "leave"; handle: HeapHandle }
  | { type: "go" };

export type WorkerReply =
  /** The worker listens: tasks may be posted. */
  | { type: "started" }
  | { type: "ready"; threadId: number }
  | { type: "report"; allocs: number; frees: number; doubles: number; memoryBytesSeen: number; badBigObjects: number }
  | { type: "filled"; cached: number }
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
  badInputs: BadInputOutcome[];
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
  /** A worker that ended without heap.close(): its cache before, and after the main thread waited for it to come back. */
  leaver?: { cachedBefore: number; cachedAfter: number; reclaimedByMain: number };
  /** heap.check() at the end: the error's name, or "passed". */
  check: string;
  /** An error that stopped the suite. */
  error?: string;
}

/** Starts the line of a runtime's stdout that holds the report as JSON. */
export const REPORT_PREFIX = "conformance report: ";
