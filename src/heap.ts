// A heap: one shared WebAssembly.Memory holding the pools, as seen from one
// thread. Every thread (main or worker) makes its own Heap object, by
// Heap.create or by Heap.attach with a handle another thread sent it; all of
// them instantiate the same module over the same memory.

import { isModule, memoryBufferOf } from "./brands.js";
import { type CheckReport, checkHeap } from "./check.js";
import { HEAP_REFUSAL, refuseClone } from "./clone-refusal.js";
import type { CoreBinding } from "./core-binding.js";
import { NO_WORDS, refusingCore } from "./core-binding.js";
import { coreOnly, debugFlags } from "./debug.js";
import { formatDump } from "./dump.js";
import {
  HeapClosedError,
  IncompatibleHeapError,
  InvalidArgumentError,
  InvalidHandleError,
  InvalidPointerError,
  LockTimeoutError,
  NotIsolatedError,
  OutOfMemoryError,
  PoolExistsError,
  PoolNotFoundError,
  PoolNotOwnedError,
  SharingUnsupportedError,
  TooManyPoolsError,
  TooManyThreadsError,
  WasmPoolsError,
} from "./errors.js";
import { failPpm, failSeed, readFailures } from "./faults.js";
import type { AttachOptions, HeapHandle, HeapOptions, HeapStats, MallocedString, PoolOptions } from "./heap-types.js";
import {
  ABI_VERSION,
  ARENA_START,
  BATCH_MAX,
  CACHE_SCRATCH,
  CHUNK_MAX_PAYLOAD,
  ERR_ABI_MISMATCH,
  ERR_ALREADY_INITIALISED,
  ERR_BAD_MAGIC,
  ERR_NAME_TAKEN,
  ERR_NO_MEMORY,
  ERR_NOT_READY,
  ERR_STATIC_DATA_TOO_LARGE,
  ERR_TOO_MANY_POOLS,
  ERR_TOO_MANY_THREADS,
  ERR_UNKNOWN_THREAD,
  H_BACKING_FREE_BYTES,
  H_BACKING_TOP,
  H_BACKING_USED_BYTES,
  H_HEAP_ID,
  H_LARGE_BLOCKS,
  H_LARGE_BYTES,
  H_MAX_PAGES,
  MAX_PAGES_LIMIT,
  MAX_POOLS,
  MAX_THREADS,
  MIN_PAGES,
  P_ALLOCATED,
  P_STATE,
  PAGE_BYTES,
  POOL_NAME_MAX,
  POOL_RETIRED,
  POOL_SHARED,
  T_DEATH_POINTS,
  T_DIE_AT,
  T_ID,
  T_LIFE_LOCK,
  T_STATE,
  TEST_DEATH_POINTS,
  TEST_GENERATIONS_NEAR_TOP,
  TEST_INEXACT_CHUNKS,
  TEST_NO_FLUSH_LOCK,
  TEST_NO_RECOVERY,
  TEST_NO_SEQUENCE,
  TEST_NO_TRANSIT_RECOVERY,
  TEST_NO_UNDO,
  TEST_SHORT_PATIENCE,
  THREAD_LIVE,
} from "./layout.js";
import { heldLockNames, holdLifeLock, type LifeLockHold, lifeLockName } from "./life-lock.js";
import { CLASS_NAME_PREFIX, Malloc } from "./malloc.js";
import { loadPlatformChecks } from "./platform-checks.js";
import { Pool } from "./pool.js";
import { liveGeneration, poolSlotAddress, threadSlotAddress } from "./slots.js";
import { encodeUtf8, readUtf8, writeUtf8 } from "./strings.js";
import { forgetThread, later, nodeNumberOfStarted, thisThread, watchThread } from "./thread-ends.js";
import { ReclaimDeferred, reportingCore } from "./traps.js";
import { elementBytesOf, type TypedArrayType } from "./typed-arrays.js";
import { describe, integerIn, optionalBoolean, optionalIntegerIn, optionsObject, plainValues } from "./validate.js";
import { MemoryViews } from "./views.js";
import {
  type CoreBuild,
  type CoreExports,
  type CoreSource,
  compileSource,
  coreAbi,
  instantiateCore,
  loadCore,
  looksLikeCore,
  threadMayBlock,
} from "./wasm.js";

const HANDLE_KIND = "wasm-pools/heap";
const DEFAULT_INITIAL_BYTES = 1 << 20;
const DEFAULT_MAX_BYTES = 1 << 30;
const DEFAULT_CACHE_BYTES = 256 << 10;
const MAX_CACHE_BYTES = 1 << 30;
const MAX_UINT32 = 2 ** 32 - 1;
const encoder = new TextEncoder();

function pagesFor(bytes: number): number {
  return Math.ceil(bytes / PAGE_BYTES);
}

function buildOption(value: unknown): CoreBuild {
  if (value === undefined) return "release";
  if (value === "release" || value === "debug") return value;
  throw new InvalidArgumentError("options.build", `expected "release" or "debug", got ${describe(value)}`);
}

function testSwitches(value: HeapOptions["unsafeTestSwitches"]): number {
  const switches = optionsObject("options.unsafeTestSwitches", value);
  return (
    (optionalBoolean("options.unsafeTestSwitches.noSequence", switches.noSequence, false) ? TEST_NO_SEQUENCE : 0) |
    (optionalBoolean("options.unsafeTestSwitches.noFlushLock", switches.noFlushLock, false) ? TEST_NO_FLUSH_LOCK : 0) |
    (optionalBoolean("options.unsafeTestSwitches.deathPoints", switches.deathPoints, false) ? TEST_DEATH_POINTS : 0) |
    (optionalBoolean("options.unsafeTestSwitches.noRecovery", switches.noRecovery, false) ? TEST_NO_RECOVERY : 0) |
    (optionalBoolean("options.unsafeTestSwitches.noUndo", switches.noUndo, false) ? TEST_NO_UNDO : 0) |
    (optionalBoolean("options.unsafeTestSwitches.noTransitRecovery", switches.noTransitRecovery, false) ? TEST_NO_TRANSIT_RECOVERY : 0) |
    (optionalBoolean("options.unsafeTestSwitches.shortPatience", switches.shortPatience, false) ? TEST_SHORT_PATIENCE : 0) |
    (optionalBoolean("options.unsafeTestSwitches.inexactChunks", switches.inexactChunks, false) ? TEST_INEXACT_CHUNKS : 0) |
    (optionalBoolean("options.unsafeTestSwitches.generationsNearTop", switches.generationsNearTop, false) ? TEST_GENERATIONS_NEAR_TOP : 0)
  );
}

/** Whether the creating thread's Pools skip the JS hit paths (test switch noJsHitPath). */
function noJsHitPath(value: HeapOptions["unsafeTestSwitches"]): boolean {
  return optionalBoolean("options.unsafeTestSwitches.noJsHitPath", optionsObject("options.unsafeTestSwitches", value).noJsHitPath, false);
}

/** Compiles options.module, with argument errors for what is not a core. */
async function callerCore(source: unknown): Promise<WebAssembly.Module> {
  let module: WebAssembly.Module;
  try {
    module = await compileSource(source as CoreSource);
  } catch (error) {
    throw new InvalidArgumentError("options.module", `cannot get a wasm module from it: ${(error as Error).message}`);
  }
  if (!looksLikeCore(module)) throw new InvalidArgumentError("options.module", "the module is not a wasm-pools core");
  return module;
}

/** Whether `value` is a shared WebAssembly.Memory. */
function isSharedMemory(value: unknown): value is WebAssembly.Memory {
  // By the buffer's own tag, not the global: some engines (WebKitGTK) hide
  // the SharedArrayBuffer global while shared memories work.
  const buffer = memoryBufferOf(value);
  return buffer !== undefined && Object.prototype.toString.call(buffer) === "[object SharedArrayBuffer]";
}

function threadIdOrThrow(status: number): number {
  if (status > 0) return status;
  switch (status) {
    case ERR_NOT_READY:
    case ERR_BAD_MAGIC:
      throw new IncompatibleHeapError("the memory does not hold a wasm-pools heap");
    case ERR_ABI_MISMATCH:
      throw new IncompatibleHeapError(`the heap was made by another version of wasm-pools (this one speaks ABI ${ABI_VERSION})`);
    case ERR_ALREADY_INITIALISED:
      throw new IncompatibleHeapError("the memory already holds a heap: attach to it with Heap.attach");
    case ERR_STATIC_DATA_TOO_LARGE:
      throw new IncompatibleHeapError("the core's static data overlaps the heap header: the build is broken");
    case ERR_TOO_MANY_THREADS:
      throw new TooManyThreadsError(
        `${MAX_THREADS} threads are attached to the heap already: close heaps on threads that are done, or reclaimThread() the ids of terminated workers`,
      );
    case ERR_NO_MEMORY:
      throw new OutOfMemoryError("no memory left for this thread's cache block; raise maxBytes");
    default:
      throw new WasmPoolsError(`heap set-up failed with status ${status}`);
  }
}

/**
 * The Node threadId + 1 of a `Worker` (or of anything with a numeric
 * `threadId`), read without running the caller's code. Node and Bun set a
 * worker's threadId to -1 once it has exited: a worker this thread started
 * is then known by the id remembered when it started.
 */
function nodeNumberOf(worker: object): number {
  const values = plainValues(worker);
  if (!values) throw new InvalidArgumentError("threadId", "expected a heap thread id or a Node Worker, got a Proxy");
  if (values.threadId === -1) {
    const remembered = nodeNumberOfStarted(worker);
    if (remembered !== 0) return remembered;
    throw new InvalidArgumentError(
      "threadId",
      "this worker has exited (its threadId reads -1) and was not started by this thread: pass the threadId you read while it ran",
    );
  }
  return integerIn("threadId.threadId", values.threadId, 0, MAX_UINT32 - 1) + 1;
}

/** Whether a trap while attaching was the deathPoints test switch stopping this thread dead: then it must never run again. */
function diedAttaching(core: CoreExports, views: MemoryViews): boolean {
  const slot = core.thread_slot() >>> 0;
  if (slot === 0) return false;
  const dieAt = views.word(slot + T_DIE_AT);
  return dieAt !== 0 && views.word(slot + T_DEATH_POINTS) === dieAt;
}

/** How long a deferred reclaim waits before it tries again, at first and at most. */
const RETRY_FIRST_MS = 10;
const RETRY_MOST_MS = 1000;

/**
 * A heap of pools in one shared WebAssembly memory. Make one with
 * Heap.create, send `heap.handle()` to workers, and call Heap.attach there.
 *
 * ```ts
 * const heap = await Heap.create({ maxBytes: 256 << 20 });
 * const pool = heap.createPool("session", 64, { shared: true });
 * worker.postMessage(heap.handle());
 * ```
 */
export class Heap {
  /** The shared memory; pointers are byte offsets into it. */
  readonly memory: WebAssembly.Memory;
  /** Number of this thread in the heap (1 for the creator). */
  readonly threadId: number;
  readonly #module: WebAssembly.Module;
  readonly #build: CoreBuild;
  readonly #views: MemoryViews;
  readonly #binding: CoreBinding;
  // TypeScript-private, not #private: V8 (Node 20) does not fold #field loads into the inlined hot path (as Pool's fields).
  private readonly mallocs: Malloc;
  #closed = false;
  /** This thread's life lock (browsers and Deno's Web Workers; held at once elsewhere). */
  #lifeLock: LifeLockHold = { granted: Promise.resolve(), release: () => {} };

  private constructor(
    views: MemoryViews,
    module: WebAssembly.Module,
    build: CoreBuild,
    core: CoreExports,
    threadId: number,
    jsHitPath: boolean,
  ) {
    refuseClone(this, HEAP_REFUSAL);
    this.memory = views.memory;
    this.#module = module;
    this.#build = build;
    const scratch = core.thread_scratch() >>> 0;
    // The binding outlives a dropped heap in its finalizer (#dropped): nothing in it may hold the heap.
    const self = new WeakRef(this);
    this.#binding = {
      core: reportingCore(core, views, scratch - CACHE_SCRATCH, Heap.#stopDeadLater(self)),
      // Debug tag and poison run in the core: the JS hit paths, finding no words, always miss.
      words: coreOnly(views) || !jsHitPath ? NO_WORDS : views.words32(0, views.memoryBytes / 4),
      block: (scratch - CACHE_SCRATCH) / 4,
      scratch: views.words32(scratch, BATCH_MAX),
    };
    this.#views = views;
    this.mallocs = new Malloc(this.#binding, views, {
      create: (name, size) => this.#createPool(name, size, false, 0, 0),
      find: (name) => this.pool(name),
      ensureOpen: () => this.#core(),
    });
    this.threadId = threadId;
    watchThread(this);
    if (thisThread.signal === "life-locks") {
      const lifeWord = (core.thread_slot() >>> 0) + T_LIFE_LOCK;
      this.#lifeLock = holdLifeLock(lifeLockName(views.word(H_HEAP_ID), threadId), Heap.#markLifeLock(self, views.words32(lifeWord, 1)));
    }
    Heap.#dropped.register(this, { binding: this.#binding, lifeLock: this.#lifeLock }, this);
  }

  // Closures made outside the constructor: V8 gives every closure made in one
  // scope the same context, so one made there that names `this` would keep
  // the heap alive through the others.

  static #stopDeadLater(self: WeakRef<Heap>): () => void {
    return () => {
      const heap = self.deref();
      if (heap) heap.#stopDead();
    };
  }

  /** Marks the thread's slot once its life lock is held (unless its heap was closed or dropped meanwhile). */
  static #markLifeLock(self: WeakRef<Heap>, lifeWord: Uint32Array): () => void {
    return () => {
      if (self.deref()?.closed === false) Atomics.store(lifeWord, 0, 1);
    };
  }

  /**
   * Heaps that became unreachable without close(): this thread leaves them
   * as close() would (its cache back to the pools, its slot free, its life
   * lock let go), so that a program that makes heaps and forgets them leaks
   * neither memories nor slots.
   */
  static readonly #dropped = new FinalizationRegistry<{ binding: CoreBinding; lifeLock: LifeLockHold }>(({ binding, lifeLock }) => {
    try {
      binding.core.thread_close();
    } catch {
      // A lock wait gave up: the slot stays until it is reclaimed; nothing else is held.
    }
    lifeLock.release();
    binding.core = refusingCore(() => new HeapClosedError("this heap was dropped without close() and collected"));
    binding.words = NO_WORDS;
  });

  /**
   * Makes a new heap in a new shared memory; this thread is attached to it.
   *
   * ```ts
   * const heap = await Heap.create({ maxBytes: 64 << 20 });
   * ```
   *
   * @throws {@link InvalidArgumentError} for an option of the wrong type or out of range
   * @throws {@link IncompatibleHeapError} when `options.module` is a core of another ABI
   */
  static async create(options?: HeapOptions): Promise<Heap> {
    await loadPlatformChecks();
    const o = optionsObject("options", options);
    const maxBytesLimit = MAX_PAGES_LIMIT * PAGE_BYTES;
    const maxBytes = optionalIntegerIn("options.maxBytes", o.maxBytes, MIN_PAGES * PAGE_BYTES, maxBytesLimit, DEFAULT_MAX_BYTES);
    const initialBytes = optionalIntegerIn("options.initialBytes", o.initialBytes, 0, maxBytes, Math.min(DEFAULT_INITIAL_BYTES, maxBytes));
    const build = buildOption(o.build);
    const canBlock = optionalBoolean("options.canBlock", o.canBlock, threadMayBlock());
    const switches = testSwitches(o.unsafeTestSwitches);
    const jsHitPath = !noJsHitPath(o.unsafeTestSwitches);
    const cacheBytes = optionalIntegerIn("options.cacheBytes", o.cacheBytes, 0, MAX_CACHE_BYTES, DEFAULT_CACHE_BYTES);
    const ppm = failPpm(o.failRate);
    const seed = failSeed(o.seed);
    const debug = debugFlags(o.debug);
    const maxPages = Math.floor(maxBytes / PAGE_BYTES);
    const memory = new WebAssembly.Memory({
      initial: Math.min(maxPages, Math.max(MIN_PAGES, pagesFor(initialBytes))),
      maximum: maxPages,
      shared: true,
    });
    const module = o.module === undefined ? await loadCore(build) : await callerCore(o.module);
    const core = await instantiateCore(module, memory);
    if (coreAbi(core) !== ABI_VERSION) {
      throw new IncompatibleHeapError(`options.module is a core of ABI ${coreAbi(core)}; this wrapper speaks ABI ${ABI_VERSION}`);
    }
    const heapId = crypto.getRandomValues(new Uint32Array(1))[0]!;
    const { nodeNumber, ancestors } = thisThread;
    const threadId = threadIdOrThrow(
      core.heap_create(maxPages, heapId, switches, canBlock ? 1 : 0, cacheBytes, ppm, seed, debug, nodeNumber, ...ancestors),
    );
    return Heap.#whenWatched(new Heap(new MemoryViews(memory), module, build, core, threadId, jsHitPath));
  }

  /**
   * Joins, from this thread, a heap that another thread made and sent as `heap.handle()`.
   *
   * ```ts
   * // in a worker_threads worker
   * const heap = await Heap.attach(workerData.handle);
   * const sessions = heap.pool("session");
   * ```
   *
   * @throws {@link InvalidHandleError} when `handle` was not made by `heap.handle()` (or was tampered with)
   * @throws {@link IncompatibleHeapError} for a heap of another ABI version
   * @throws {@link InvalidArgumentError} for an option of the wrong type
   * @throws {@link TooManyThreadsError} when 256 threads are attached already
   * @throws {@link LockTimeoutError} when a dead thread's lock showed no sign of life for about 3 s
   */
  static async attach(handle: HeapHandle, options?: AttachOptions): Promise<Heap> {
    await loadPlatformChecks();
    const h = (typeof handle === "object" && handle !== null ? plainValues(handle) : undefined) as Partial<HeapHandle> | undefined;
    if (h?.kind !== HANDLE_KIND) throw new InvalidHandleError(`expected a value made by heap.handle(), got ${describe(handle)}`);
    if (h.abi !== ABI_VERSION) {
      throw new IncompatibleHeapError(
        `the handle comes from another version of wasm-pools (ABI ${describe(h.abi)}, this one speaks ${ABI_VERSION})`,
      );
    }
    const memory = h.memory;
    if (!isSharedMemory(memory)) throw new InvalidHandleError("handle.memory is not a shared WebAssembly.Memory");
    if (!isModule(h.module) || !looksLikeCore(h.module)) {
      throw new InvalidHandleError("handle.module is not a wasm-pools core module");
    }
    if (h.build !== "release" && h.build !== "debug") throw new InvalidHandleError('handle.build is neither "release" nor "debug"');
    const build = h.build;
    const o = optionsObject("options", options);
    const canBlock = optionalBoolean("options.canBlock", o.canBlock, threadMayBlock());
    const cacheBytes = optionalIntegerIn("options.cacheBytes", o.cacheBytes, 0, MAX_CACHE_BYTES, DEFAULT_CACHE_BYTES);
    const views = new MemoryViews(memory);
    if (views.memoryBytes < MIN_PAGES * PAGE_BYTES || views.word(H_HEAP_ID) !== h.heapId) {
      throw new InvalidHandleError("handle.heapId does not match the heap in handle.memory");
    }
    const core = await instantiateCore(h.module, memory);
    const { nodeNumber, ancestors } = thisThread;
    let status: number;
    try {
      status = core.heap_attach(canBlock ? 1 : 0, cacheBytes, nodeNumber, ...ancestors);
    } catch (error) {
      if (!(error instanceof WebAssembly.RuntimeError)) throw error;
      // The slot it claimed is free again (a thread stopped dead at a death point keeps it, as a killed one would).
      if (!diedAttaching(core, views)) core.thread_abandon_attach();
      throw new LockTimeoutError(
        "attaching gave up: the backing allocator's lock showed no sign of life for about 3 seconds " +
          "(or, with the deathPoints test switch, this thread stopped dead); nothing is held by this thread",
      );
    }
    const threadId = threadIdOrThrow(status);
    return Heap.#whenWatched(new Heap(views, h.module, build, core, threadId, true));
  }

  /** The heap once its thread's life lock is held: from then on, reclaimGone() can tell when this thread is gone. */
  static async #whenWatched(heap: Heap): Promise<Heap> {
    await heap.#lifeLock.granted;
    return heap;
  }

  /** The thread stopped at a death point (test switch): like a terminated worker, it never runs core code again. */
  #stopDead(): void {
    this.#closed = true;
    this.#binding.core = refusingCore(() => new HeapClosedError("this thread stopped dead at a death point (test switch deathPoints)"));
    this.#binding.words = NO_WORDS;
    forgetThread(this);
  }

  /** Whether close() was called on this thread's Heap. */
  get closed(): boolean {
    return this.#closed;
  }

  #core(): CoreExports {
    if (this.#closed) throw new HeapClosedError("this heap was closed on this thread");
    return this.#binding.core;
  }

  /**
   * Makes a pool of `size`-byte objects (rounded up to a multiple of 8, at
   * least 8). With `shared`, joins a live shared pool of the same rounded size
   * if there is one (it keeps its own name) and counts one more user.
   *
   * @throws {@link InvalidArgumentError} for a name, size or option of the wrong type or out of range
   * @throws {@link PoolExistsError} when a live pool has the name and cannot be shared with this request
   * @throws {@link TooManyPoolsError} when all 256 pool slots are taken
   * @throws {@link HeapClosedError} after `close()` on this thread
   */
  createPool(name: string, size: number, options?: PoolOptions): Pool {
    this.#core();
    if (typeof name !== "string") throw new InvalidArgumentError("name", `expected a string, got ${typeof name}`);
    const encoded = encoder.encode(name);
    if (encoded.length === 0 || encoded.length > POOL_NAME_MAX) {
      throw new InvalidArgumentError("name", `expected 1 to ${POOL_NAME_MAX} bytes of UTF-8, got ${encoded.length}`);
    }
    integerIn("size", size, 1, CHUNK_MAX_PAYLOAD);
    const o = optionsObject("options", options);
    const shared = optionalBoolean("options.shared", o.shared, false);
    const minAvail = optionalIntegerIn("options.minAvail", o.minAvail, 0, MAX_UINT32, 0);
    const limit = optionalIntegerIn("options.limit", o.limit, 0, MAX_UINT32, 0);
    if (name.startsWith(CLASS_NAME_PREFIX)) {
      throw new InvalidArgumentError("name", `names starting with "${CLASS_NAME_PREFIX}" are heap.malloc's size classes`);
    }
    return this.#createPool(name, Math.max(8, Math.ceil(size / 8) * 8), shared, minAvail, limit);
  }

  /** Creates a pool of `rounded`-byte objects (createPool, and malloc's size classes). */
  #createPool(name: string, rounded: number, shared: boolean, minAvail: number, limit: number): Pool {
    const core = this.#core();
    const encoded = encoder.encode(name);
    // The name goes through this thread's scratch words: nothing to allocate, nothing to leak.
    this.#views.write(core.thread_scratch() >>> 0, encoded);
    const id = core.pool_create(encoded.length, rounded, shared ? POOL_SHARED : 0, minAvail, limit);
    if (id === ERR_NAME_TAKEN) {
      throw new PoolExistsError(
        `a pool named "${name}" exists already${shared ? " and cannot be shared with this one (not shared, or another size)" : ""}`,
      );
    }
    if (id === ERR_TOO_MANY_POOLS) {
      throw new TooManyPoolsError(`the heap holds ${MAX_POOLS} pools already (or every free slot is spent); destroy one first`);
    }
    // pool_create leaves the new incarnation's generation in the first scratch word.
    return new Pool(this, this.#binding, this.#views, id, this.#binding.scratch[0]!, true);
  }

  /**
   * Finds a live pool by name or id (the id is the same in every thread).
   *
   * ```ts
   * const buffers = heap.pool("buffer");
   * ```
   *
   * @throws {@link PoolNotFoundError} when no live pool has that name or id
   * @throws {@link InvalidArgumentError} for an argument that is neither
   * @throws {@link HeapClosedError} after `close()` on this thread
   */
  pool(nameOrId: string | number): Pool {
    this.#core();
    if (typeof nameOrId === "number") {
      const id = integerIn("nameOrId", nameOrId, 0, MAX_POOLS - 1);
      const generation = liveGeneration(this.#views, id);
      if (generation < 0) throw new PoolNotFoundError(`no live pool has id ${id}`);
      return new Pool(this, this.#binding, this.#views, id, generation, false);
    }
    if (typeof nameOrId !== "string") throw new InvalidArgumentError("nameOrId", `expected a pool name or id, got ${typeof nameOrId}`);
    const found = this.pools().find((pool) => pool.name === nameOrId);
    if (!found) throw new PoolNotFoundError(`no live pool is named "${nameOrId}"`);
    return found;
  }

  /**
   * Takes over one registration of a live pool, for a registration whose
   * owner is gone: a thread that created the pool and ended (or closed its
   * heap) without destroying it. The handle returned can destroy the pool,
   * as the one createPool returned could. Handles from pool() and pools()
   * cannot: they only look the pool up.
   *
   * ```ts
   * // the worker that created "jobs" was terminated
   * heap.adoptPool("jobs").destroy();
   * ```
   *
   * @throws {@link PoolNotFoundError} when no live pool has that name or id
   * @throws {@link PoolNotOwnedError} for a size class of heap.malloc (the heap keeps those)
   * @throws {@link InvalidArgumentError} for an argument that is neither
   * @throws {@link HeapClosedError} after `close()` on this thread
   */
  adoptPool(nameOrId: string | number): Pool {
    const found = this.pool(nameOrId);
    if (found.name.startsWith(CLASS_NAME_PREFIX)) {
      throw new PoolNotOwnedError(`pool "${found.name}" is a size class of heap.malloc: the heap keeps it for its whole life`);
    }
    return new Pool(this, this.#binding, this.#views, found.id, found.token, true);
  }

  /**
   * Every live pool of the heap.
   *
   * @throws {@link HeapClosedError} after `close()` on this thread
   */
  pools(): Pool[] {
    this.#core();
    const pools: Pool[] = [];
    for (let id = 0; id < MAX_POOLS; id++) {
      const generation = liveGeneration(this.#views, id);
      if (generation >= 0) pools.push(new Pool(this, this.#binding, this.#views, id, generation, false));
    }
    return pools;
  }

  /**
   * Every pool gives back to the backing allocator the free objects it holds
   * beyond its minAvail: its shared list and this thread's cache at once,
   * other threads' caches at their next operation on that pool.
   *
   * @throws {@link HeapClosedError} after `close()` on this thread
   * @throws {@link LockTimeoutError} when a dead thread's lock showed no sign of life for about 3 s
   */
  gc(): void {
    this.#core().heap_gc();
  }

  /**
   * Reclaims a thread that ended without closing its heap: its cache goes
   * back to the pools, locks it held are recovered, and its thread slot is
   * free for a new thread. Pass the `threadId` it reported, or a Node
   * `Worker` (anything with a numeric `threadId`: Node's id, not the
   * heap's; a worker that has exited is known by the id this thread saw
   * when it started it). With a Worker, every slot of that thread (it may
   * have attached more than once) and of the workers it started is
   * reclaimed. That thread must never run again: call this only once it has
   * stopped. Node and Bun need no call at all (the heap hears of every
   * worker's end by itself); it is for threads the heap cannot watch.
   * Objects the thread still held stay allocated.
   *
   * Returns true when such a thread was attached (its slots are reclaimed
   * now or, when a lock they need is busy, a few milliseconds later), false
   * when none is attached any more (it closed, or was reclaimed already).
   *
   * @throws {@link InvalidArgumentError} for this thread's own id, a heap thread id that was never handed out, or an argument of the wrong type
   * @throws {@link HeapClosedError} after `close()` on this thread
   */
  reclaimThread(threadId: number | { readonly threadId: number }): boolean {
    const core = this.#core();
    const byNode = typeof threadId === "object" && threadId !== null;
    const id = byNode ? nodeNumberOf(threadId) : integerIn("threadId", threadId, 1, MAX_UINT32);
    if (!byNode && id === this.threadId) throw new InvalidArgumentError("threadId", "this is the calling thread's own id; use close()");
    const marked = this.#reclaiming(() => core.thread_reclaim(id, byNode ? 1 : 0));
    if (marked === ERR_UNKNOWN_THREAD) throw new InvalidArgumentError("threadId", `no thread of this heap ever had id ${id}`);
    return marked > 0;
  }

  /**
   * Reclaims every attached thread that is known to be gone, and returns how
   * many. Where threads hold Web Locks (browsers, Deno) the runtime releases
   * a thread's lock when it ends (`worker.terminate()`, a closed tab): a
   * thread whose lock is no longer held is reclaimed as `reclaimThread`
   * would. It also takes up reclaims that were put off because a lock they
   * needed was busy. Heaps call it by themselves every quarter of a second
   * where threads hold Web Locks; call it after terminating workers to have
   * them reclaimed at once.
   *
   * ```ts
   * worker.terminate();
   * const reclaimed = await heap.reclaimGone();
   * ```
   *
   * @throws {@link HeapClosedError} after `close()` on this thread
   */
  async reclaimGone(): Promise<number> {
    this.#core();
    let reclaimed = this.#reclaiming(() => this.#binding.core.thread_reclaim_dead());
    // Candidates first, the locks after: a thread whose lock is granted
    // after the query was no candidate yet, so it is never taken for gone.
    const candidates: number[] = [];
    for (let index = 0; index < MAX_THREADS; index++) {
      const slot = threadSlotAddress(index);
      if (this.#views.word(slot + T_STATE) !== THREAD_LIVE || this.#views.word(slot + T_LIFE_LOCK) !== 1) continue;
      const id = this.#views.word(slot + T_ID);
      if (id !== this.threadId) candidates.push(id);
    }
    if (candidates.length === 0) return reclaimed;
    const held = await heldLockNames();
    if (!held || this.#closed) return reclaimed;
    const heapId = this.#views.word(H_HEAP_ID);
    const now = Date.now();
    for (const id of candidates) {
      if (held.has(lifeLockName(heapId, id))) {
        this.#releasedAt.delete(id);
        continue;
      }
      // Where a runtime lets go of a lock before the thread has stopped (Deno), only after a grace.
      const since = this.#releasedAt.get(id) ?? now;
      if (now - since < thisThread.lifeLockGraceMs) {
        this.#releasedAt.set(id, since);
        continue;
      }
      this.#releasedAt.delete(id);
      // By heap id: ids are never reused, so a slot freed and taken again meanwhile is left alone.
      if (this.#reclaiming(() => this.#binding.core.thread_reclaim(id, 0)) > 0) reclaimed++;
    }
    return reclaimed;
  }

  /** @internal A thread has ended (thread-ends.ts): reclaims its slots and those of the threads it started. */
  reclaimEnded(nodeNumber: number): void {
    if (!this.#closed) this.#reclaiming(() => this.#binding.core.thread_reclaim(nodeNumber, 1));
  }

  #retryMs = 0;
  /** When reclaimGone first saw each heap thread's life lock released (thread-ends.ts, lifeLockGraceMs). */
  readonly #releasedAt = new Map<number, number>();

  /**
   * Runs a reclaim. One that met a busy lock (its holder may be a thread
   * whose end this very thread has yet to hear of) leaves its slots DEAD and
   * returns 0; they are taken up again on a timer, sooner at first, until
   * none is left.
   */
  #reclaiming(reclaim: () => number): number {
    try {
      return reclaim();
    } catch (error) {
      if (!(error instanceof ReclaimDeferred)) throw error;
      this.#retryLater();
      return 0;
    }
  }

  #retryLater(): void {
    if (this.#retryMs !== 0) return;
    this.#retryMs = RETRY_FIRST_MS;
    const retry = () => {
      if (this.#closed) return;
      try {
        this.#binding.core.thread_reclaim_dead();
        this.#retryMs = 0;
      } catch (error) {
        if (!(error instanceof ReclaimDeferred)) {
          this.#retryMs = 0;
          return;
        }
        this.#retryMs = Math.min(this.#retryMs * 2, RETRY_MOST_MS);
        later(retry, this.#retryMs);
      }
    };
    later(retry, this.#retryMs);
  }

  /**
   * Every pool's counters and the heap's sizes, read one by one (exact once threads are quiet).
   *
   * @throws {@link HeapClosedError} after `close()` on this thread
   */
  stats(): HeapStats {
    this.#core();
    const pools = this.pools().map((pool) => pool.stats());
    return {
      pools,
      memoryBytes: this.#views.memoryBytes,
      maxBytes: this.#views.word(H_MAX_PAGES) * PAGE_BYTES,
      allocatedBytes: pools.reduce((sum, p) => sum + p.allocated * p.size, 0),
      usedBytes: pools.reduce((sum, p) => sum + p.used * p.size, 0),
      cachedBytes: pools.reduce((sum, p) => sum + p.cached * p.size, 0),
      backingUsedBytes: this.#views.word(H_BACKING_USED_BYTES),
      backingFreeBytes: this.#views.word(H_BACKING_FREE_BYTES),
      ...this.#retired(),
      largeBlocks: this.#views.word(H_LARGE_BLOCKS),
      largeBytes: this.#views.word(H_LARGE_BYTES),
      ...readFailures(this.#views),
    };
  }

  #retired(): { retiredPools: number; retiredObjects: number } {
    let retiredPools = 0;
    let retiredObjects = 0;
    for (let id = 0; id < MAX_POOLS; id++) {
      const slot = poolSlotAddress(id);
      if (this.#views.word(slot + P_STATE) !== POOL_RETIRED) continue;
      retiredPools++;
      retiredObjects += this.#views.word(slot + P_ALLOCATED);
    }
    return { retiredPools, retiredObjects };
  }

  /**
   * Walks every pool's free list, every live thread's cache and the backing
   * allocator's chunks, and checks their invariants; throws HeapCorruptError
   * listing what is broken. Exact only while no thread allocates or frees.
   *
   * ```ts
   * const { pools, freeListObjects } = heap.check();
   * ```
   *
   * @throws {@link HeapCorruptError} listing every broken invariant
   * @throws {@link HeapClosedError} after `close()` on this thread
   */
  check(): CheckReport {
    this.#core();
    return checkHeap(this.#views);
  }

  /**
   * A text table of every pool, in the spirit of HAProxy's `show pools`.
   *
   * @throws {@link HeapClosedError} after `close()` on this thread
   */
  dump(): string {
    return formatDump(this.stats());
  }

  /**
   * Allocates a block of at least `bytes` (0 allowed) and returns its
   * pointer, 8-aligned. Blocks up to 8 KiB come from size-class pools that
   * the heap creates on first use (named `malloc:<size>`, shown by stats()
   * and dump()): 8-byte steps to 128 bytes, then 8 classes per power of two,
   * so at most 12.5 % of a block past 128 bytes is waste. Larger blocks are
   * one chunk of the backing allocator each. Any thread may free the block.
   *
   * ```ts
   * const p = heap.malloc(100); // a 104-byte block
   * heap.free(p);
   * ```
   *
   * @throws {@link OutOfMemoryError} when the heap's maxBytes is reached, even after gc
   * @throws {@link InvalidArgumentError} for a size that is not a whole number from 0 to 2^30 - 8
   * @throws {@link TooManyPoolsError} when a size class's pool is needed and all 256 pool slots are taken
   * @throws {@link HeapCorruptError} when the size class's free list was found broken
   * @throws {@link HeapClosedError} after `close()` on this thread
   */
  malloc(bytes: number): number {
    return this.mallocs.malloc(bytes);
  }

  /**
   * malloc(), but returns 0 when memory runs out.
   *
   * @throws {@link InvalidArgumentError} as malloc()
   * @throws {@link TooManyPoolsError} as malloc()
   * @throws {@link HeapCorruptError} as malloc()
   * @throws {@link HeapClosedError} after `close()` on this thread
   */
  tryMalloc(bytes: number): number {
    return this.mallocs.tryMalloc(bytes);
  }

  /**
   * malloc(), with the first `bytes` bytes of the block set to 0.
   *
   * @throws as malloc()
   */
  mallocZeroed(bytes: number): number {
    const ptr = this.mallocs.malloc(bytes);
    this.#views.view(ptr, bytes).fill(0);
    return ptr;
  }

  /**
   * Frees a block that malloc, tryMalloc, realloc or mallocString returned,
   * from any thread; `free(0)` does nothing. The block's size class is read
   * from the memory before it. A pool object of a size class's exact size
   * (8..128 in 8-byte steps, 144, 160, ...) is taken for a block of that
   * class: free such objects with their pool's free(), or make the heap with
   * `debug.tag` to have the mix-up caught.
   *
   * @throws {@link InvalidPointerError} for a pointer that is no block malloc handed out (or that was freed back to the heap by gc)
   * @throws {@link DoubleFreeError} for a block already free
   * @throws {@link InvalidArgumentError} for a value that is not a number
   * @throws {@link HeapClosedError} after `close()` on this thread
   */
  free(ptr: number): void {
    this.mallocs.free(ptr);
  }

  /**
   * Resizes a block: returns `ptr` itself while the new size falls in the
   * block's size class (a large block: while at least half of it stays
   * used), else a new block holding the old one's bytes (as many as fit),
   * the old one freed. `realloc(0, bytes)` is malloc(bytes). When memory
   * runs out it throws and the old block is untouched.
   *
   * @throws {@link OutOfMemoryError} when a new block is needed and memory is out
   * @throws {@link InvalidPointerError} for a pointer that is no block malloc handed out
   * @throws {@link InvalidArgumentError} for a size or pointer of the wrong type or out of range
   * @throws {@link HeapClosedError} after `close()` on this thread
   */
  realloc(ptr: number, bytes: number): number {
    this.#core();
    return this.mallocs.realloc(ptr, bytes);
  }

  /**
   * The bytes usable at a block malloc handed out: its size class's size, or
   * what a large block holds (its request rounded up to 8).
   *
   * @throws {@link InvalidPointerError} for a pointer that is no block malloc handed out
   * @throws {@link InvalidArgumentError} for a value that is not a number
   * @throws {@link HeapClosedError} after `close()` on this thread
   */
  usableSize(ptr: number): number {
    this.#core();
    return this.mallocs.usableSize(ptr);
  }

  /**
   * Allocates a block holding `text` as UTF-8 (malloc'd, free it with free()).
   *
   * ```ts
   * const { ptr, length } = heap.mallocString("Zoë");
   * heap.readString(ptr, length); // "Zoë"
   * ```
   *
   * @throws as malloc()
   * @throws {@link InvalidArgumentError} for a text that is not a string
   */
  mallocString(text: string): MallocedString {
    if (typeof text !== "string") throw new InvalidArgumentError("text", `expected a string, got ${typeof text}`);
    const encoded = encodeUtf8(text);
    const ptr = this.mallocs.malloc(encoded.length);
    this.#views.write(ptr, encoded);
    return { ptr, length: encoded.length };
  }

  /**
   * A typed array of `length` elements of `type` over the shared memory at
   * `ptr` (aligned to the element size). Like every view of shared memory
   * it stays valid when the memory grows later.
   *
   * ```ts
   * const p = heap.malloc(8 * 16);
   * const xs = heap.array(Float64Array, p, 16);
   * xs[0] = Math.PI;
   * ```
   *
   * @throws {@link InvalidPointerError} when the range is not inside the arena or `ptr` is not aligned to the element size
   * @throws {@link InvalidArgumentError} for a type that is not a typed array constructor, or numbers out of range
   * @throws {@link HeapClosedError} after `close()` on this thread
   */
  array<T extends TypedArrayType>(type: T, ptr: number, length: number): InstanceType<T> {
    const elementBytes = elementBytesOf(type);
    integerIn("length", length, 0, MAX_UINT32);
    this.#arenaRange("ptr", ptr, "length", length * elementBytes);
    if (ptr % elementBytes !== 0)
      throw new InvalidPointerError(`ptr ${ptr} is not aligned to ${type.name}'s ${elementBytes}-byte elements`);
    return new type(this.#views.view(ptr, length * elementBytes).buffer as ArrayBuffer, ptr, length) as InstanceType<T>;
  }

  /**
   * A DataView over [ptr, ptr + byteLength) of the shared memory.
   *
   * @throws {@link InvalidPointerError} when the range is not inside the arena
   * @throws {@link InvalidArgumentError} for numbers out of range
   * @throws {@link HeapClosedError} after `close()` on this thread
   */
  dataView(ptr: number, byteLength: number): DataView {
    this.#arenaRange("ptr", ptr, "byteLength", byteLength);
    return new DataView(this.#views.view(ptr, byteLength).buffer as ArrayBuffer, ptr, byteLength);
  }

  /**
   * A Uint8Array over [ptr, ptr + length) of the shared memory. It stays valid
   * when the memory grows later; make a new one for memory allocated after.
   *
   * ```ts
   * const p = pool.alloc();
   * heap.bytes(p, pool.size).set(new TextEncoder().encode("hello"));
   * ```
   *
   * @throws {@link InvalidPointerError} when the range is not inside the arena
   * @throws {@link InvalidArgumentError} for arguments that are not whole numbers in range
   * @throws {@link HeapClosedError} after `close()` on this thread
   */
  bytes(ptr: number, length: number): Uint8Array {
    this.#arenaRange("ptr", ptr, "length", length);
    return this.#views.view(ptr, length);
  }

  /** Checks that [ptr, ptr + length) lies inside the arena. */
  #arenaRange(ptrName: string, ptr: number, lengthName: string, length: number): void {
    this.#core();
    integerIn(ptrName, ptr, 0, MAX_UINT32);
    integerIn(lengthName, length, 0, MAX_UINT32);
    const top = this.#views.word(H_BACKING_TOP);
    if (ptr < ARENA_START || ptr + length > top) {
      throw new InvalidPointerError(`[${ptr}, ${ptr + length}) is not inside the heap's arena [${ARENA_START}, ${top})`);
    }
  }

  /**
   * Writes `text` as UTF-8 into [ptr, ptr + capacity): whole characters, as
   * many as fit; returns the bytes written. Works on shared memory in every
   * engine (it encodes into an unshared buffer first: Chromium's
   * TextEncoder refuses shared views).
   *
   * ```ts
   * const p = names.alloc(); // a 64-byte pool
   * const length = heap.writeString(p, names.size, "Zoë");
   * heap.readString(p, length); // "Zoë"
   * ```
   *
   * @throws {@link InvalidPointerError} when the range is not inside the arena
   * @throws {@link InvalidArgumentError} for arguments of the wrong type
   * @throws {@link HeapClosedError} after `close()` on this thread
   */
  writeString(ptr: number, capacity: number, text: string): number {
    this.#arenaRange("ptr", ptr, "capacity", capacity);
    if (typeof text !== "string") throw new InvalidArgumentError("text", `expected a string, got ${typeof text}`);
    return writeUtf8(this.#views, ptr, capacity, text);
  }

  /**
   * The UTF-8 text in [ptr, ptr + length) (malformed bytes read as U+FFFD); works on shared memory in every engine.
   *
   * @throws {@link InvalidPointerError} when the range is not inside the arena
   * @throws {@link InvalidArgumentError} for arguments of the wrong type
   * @throws {@link HeapClosedError} after `close()` on this thread
   */
  readString(ptr: number, length: number): string {
    this.#arenaRange("ptr", ptr, "length", length);
    return readUtf8(this.#views, ptr, length);
  }

  /**
   * A structured-cloneable value to postMessage to a worker, which passes it
   * to Heap.attach. Throws NotIsolatedError on a page that is not
   * cross-origin isolated, and SharingUnsupportedError where the engine
   * cannot post shared memory (WebKitGTK without JSC_useSharedArrayBuffer=1).
   *
   * ```ts
   * new Worker(new URL("./worker.js", import.meta.url), { workerData: { handle: heap.handle() } });
   * ```
   *
   * @throws {@link NotIsolatedError} on a browser page that is not cross-origin isolated
   * @throws {@link HeapClosedError} after `close()` on this thread
   */
  handle(): HeapHandle {
    this.#core();
    if (typeof crossOriginIsolated !== "undefined" && !crossOriginIsolated) throw new NotIsolatedError();
    // An engine that hides the global while shared memories work (WebKitGTK) refuses to post them.
    if (typeof SharedArrayBuffer === "undefined") throw new SharingUnsupportedError();
    return {
      kind: HANDLE_KIND,
      abi: ABI_VERSION,
      heapId: this.#views.word(H_HEAP_ID),
      build: this.#build,
      memory: this.memory,
      module: this.#module,
    };
  }

  /**
   * Detaches this thread: its cache goes back to the pools, and this Heap and
   * its Pools refuse every later call. Other threads are not affected. A
   * Node worker that ends normally closes its heaps by itself.
   */
  close(): void {
    if (this.#closed) return;
    Heap.#dropped.unregister(this);
    this.#binding.core.thread_close();
    // Only now: until the slot is free, the lock says this thread is alive.
    this.#lifeLock.release();
    this.#closed = true;
    this.#binding.core = refusingCore(() => new HeapClosedError("this heap was closed on this thread"));
    this.#binding.words = NO_WORDS;
    forgetThread(this);
  }
}
