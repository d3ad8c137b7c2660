// The shapes a Heap takes and gives: its options, its stats and the handle
// that carries it to other threads.

import type { DebugOptions } from "./debug.js";
import type { FailureStats } from "./faults.js";
import type { PoolStats } from "./pool.js";
import type { CoreBuild, CoreSource } from "./wasm.js";

/**
 * Options of {@link Heap.create}. Every one is optional.
 *
 * ```ts
 * const heap = await Heap.create({ maxBytes: 256 << 20, cacheBytes: 64 << 10 });
 * ```
 */
export interface HeapOptions {
  /** Memory to start with, rounded up to 64 KiB pages (default 1 MiB, at least 256 KiB: the heap header, slots and undo log reach into the third page, and the arena starts with at least one more). */
  initialBytes?: number;
  /** Memory the heap may grow to, rounded down to 64 KiB pages; allocation fails cleanly beyond it (default 1 GiB, at least 256 KiB, at most 4 GiB - 64 KiB). */
  maxBytes?: number;
  /** Which compiled core to run (default `release`). */
  build?: CoreBuild;
  /**
   * The core to run instead of the .wasm file shipped beside the package's
   * JS: a compiled `WebAssembly.Module`, its bytes, or its URL (resolved
   * against the page in browsers). `build` then only labels it.
   */
  module?: CoreSource;
  /** Whether this thread may sleep in Atomics.wait; detected when left out (false on a browser's main thread). */
  canBlock?: boolean;
  /** Bytes of free objects this thread's cache may hold (default 256 KiB); 0 turns the cache off. */
  cacheBytes?: number;
  /**
   * Fault injection, as HAProxy's `tune.fail-alloc`: this percentage (0 to
   * 100, fractions allowed) of pool refills from the backing allocator fail
   * on purpose, in every thread. Failures show in `failed`, in
   * `heap.stats().recentFailures`, and as OutOfMemoryError or a 0 from tryAlloc.
   */
  failRate?: number;
  /** Debug checks for every thread of the heap (off by default). */
  debug?: DebugOptions;
  /** Seed of the fault-injection draws (default: random, reported by stats()); the same seed and operations fail at the same places. */
  seed?: number;
  /**
   * Test-only: remove a safety mechanism to show that the tests catch its
   * absence. Never use outside tests: `noSequence` lets the free list hand
   * out the same object twice (ABA), `noFlushLock` lets a pop read an object
   * that flush or gc gave back, `inexactChunks` lets heap.malloc misread a
   * block's size class.
   */
  unsafeTestSwitches?: {
    /** Pop without bumping the free list's sequence number (ABA becomes possible). */
    noSequence?: boolean;
    /** Pop without taking flush_lock (a pop may read an object flush or gc gave back). */
    noFlushLock?: boolean;
    /**
     * Every thread of the heap counts the points where an engine may stop a
     * terminated thread (in its thread slot) and stops dead at the one its
     * slot names, as `worker.terminate()` would stop it there. For tests of
     * the recovery of dead threads.
     */
    deathPoints?: boolean;
    /** Reclaim a dead thread without repairing its half-done work: `noUndo` and `noTransitRecovery` together, and no recount of its cache chains. */
    noRecovery?: boolean;
    /** Take over a dead owner's backing lock without rolling back its half-done section (the undo log is ignored). */
    noUndo?: boolean;
    /** Reclaim a dead thread without putting back the chain in its transit (the objects it was moving are lost). */
    noTransitRecovery?: boolean;
    /** Reclaim a dead thread without letting go of the channel locks it held (the channel stays locked). */
    noChannelRelease?: boolean;
    /** Waiters give up after about 20 ms without a sign of life from the holder, instead of 3 s. */
    shortPatience?: boolean;
    /**
     * The backing allocator hands out a fitting free chunk 8 bytes larger
     * than asked whole, as it did before malloc: such a chunk is no object
     * of the pool that asked (the chunk rule), which then reports its list
     * corrupt, and a block's size class can no longer be read from its chunk.
     */
    inexactChunks?: boolean;
    /**
     * Every pool slot starts 3 creates below its last generation
     * (2^32 - 1), after which the slot is spent and never taken again: for
     * tests of what a slot does at the top of its generations.
     */
    generationsNearTop?: boolean;
    /**
     * The Pools of the Heap that `Heap.create` returns skip the JS hit paths:
     * every alloc and free calls the core (threads that attach keep them).
     * For tests that compare both paths.
     */
    noJsHitPath?: boolean;
  };
}

/** What {@link Heap.mallocString} returns. */
export interface MallocedString {
  /** The block holding the text (free it with heap.free). */
  ptr: number;
  /** The text's length in UTF-8 bytes. */
  length: number;
}

/** Options of {@link Heap.attach}, chosen per thread. */
export interface AttachOptions {
  /** Whether this thread may sleep in Atomics.wait; detected when left out. */
  canBlock?: boolean;
  /** Bytes of free objects this thread's cache may hold (default 256 KiB); 0 turns the cache off. */
  cacheBytes?: number;
}

/**
 * Options of {@link Heap.createPool}.
 *
 * ```ts
 * heap.createPool("buffer", 2048, { minAvail: 16, limit: 10_000 });
 * ```
 */
export interface PoolOptions {
  /** Join an existing shared pool of the same rounded size instead of making a new one (HAProxy's MEM_F_SHARED). */
  shared?: boolean;
  /** Free objects that gc leaves in the pool (default 0). */
  minAvail?: number;
  /** Most objects the pool may hold at once, free or used (default 0: no limit). */
  limit?: number;
}

/** What {@link Heap.stats} returns: the heap's sizes, every pool's counters, and its failures. */
export interface HeapStats extends FailureStats {
  /** Each live pool's counters, by slot number. */
  pools: PoolStats[];
  /** Size of the shared memory now. */
  memoryBytes: number;
  /** Limit the memory may grow to. */
  maxBytes: number;
  /** Bytes of objects the pools hold (allocated × size, summed). */
  allocatedBytes: number;
  /** Bytes of objects handed out (used × size, summed). */
  usedBytes: number;
  /** Bytes of free objects sitting in thread caches (cached × size, summed). */
  cachedBytes: number;
  /** Bytes of chunks the backing allocator has handed out, headers included. */
  backingUsedBytes: number;
  /** Bytes of free chunks the backing allocator keeps for reuse. */
  backingFreeBytes: number;
  /**
   * Destroyed pools whose slots are not free yet: objects of them are still
   * out (in other threads' caches, or handed out by an alloc that overlapped
   * the destroy) and come back to them first.
   */
  retiredPools: number;
  /** Objects those retired pools still wait for. */
  retiredObjects: number;
  /** Large blocks (heap.malloc beyond the largest size class) handed out. */
  largeBlocks: number;
  /** Bytes of those large blocks' chunks, headers included. */
  largeBytes: number;
}

/** What heap.handle() returns: send it to a worker with postMessage and pass it to Heap.attach there. */
export interface HeapHandle {
  /** Marks the value as a handle. */
  readonly kind: "wasm-pools/heap";
  /** The memory layout version; attach refuses another one. */
  readonly abi: number;
  /** A random number written in the heap's header, to match handle and memory. */
  readonly heapId: number;
  /** Which core the heap runs. */
  readonly build: CoreBuild;
  /** The shared memory. */
  readonly memory: WebAssembly.Memory;
  /** The compiled core, so that workers need not fetch or compile it again. */
  readonly module: WebAssembly.Module;
}
