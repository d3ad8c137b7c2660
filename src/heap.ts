// A heap: one shared WebAssembly.Memory holding the pools, as seen from one
// thread. Every thread (main or worker) makes its own Heap object, by
// Heap.create or by Heap.attach with a handle another thread sent it; all of
// them instantiate the same module over the same memory.
//
// This file is the documented face of the API and the thread's attachment:
// whether it is open, and how it ends (close, a drop without close, a death
// point). The work is done below it, one job a module:
//   open-heap.ts      opening and attaching (heap-options.ts: the options;
//                     heap-handle.ts: the handle; heap-statuses.ts: the
//                     core's set-up statuses)
//   pool-handles.ts   creating, finding and adopting pools
//   channel-handles.ts creating and finding channels (channel.ts: a channel)
//   reclaim.ts        reclaiming ended threads, and this thread's life lock
//   heap-stats.ts     stats from the header's and slots' words
//   arena-access.ts   views and strings over the arena
//   malloc.ts         blocks of any size over size-class pools

import { ArenaAccess } from "./arena-access.js";
import type { Channel } from "./channel.js";
import { ChannelHandles, type ChannelOptions } from "./channel-handles.js";
import { type CheckReport, checkHeap } from "./check.js";
import { HEAP_REFUSAL, refuseClone } from "./clone-refusal.js";
import type { CoreBinding } from "./core-binding.js";
import { NO_WORDS, refusingCore } from "./core-binding.js";
import { coreOnly } from "./debug.js";
import { formatDump } from "./dump.js";
import { HeapClosedError, InvalidArgumentError } from "./errors.js";
import { makeHandle } from "./heap-handle.js";
import { heapStats } from "./heap-stats.js";
import type { AttachOptions, HeapHandle, HeapOptions, HeapStats, MallocedString, PoolOptions } from "./heap-types.js";
import { BATCH_MAX, CACHE_SCRATCH, H_HEAP_ID } from "./layout.js";
import type { LifeLockHold } from "./life-lock.js";
import { Malloc } from "./malloc.js";
import { attachHeap, createHeap, type OpenedHeap } from "./open-heap.js";
import type { Pool } from "./pool.js";
import { PoolHandles } from "./pool-handles.js";
import { Reclaimer } from "./reclaim.js";
import { encodeUtf8 } from "./strings.js";
import { forgetThread, watchThread } from "./thread-ends.js";
import { reportingCore } from "./traps.js";
import type { TypedArrayType } from "./typed-arrays.js";
import type { MemoryViews } from "./views.js";
import type { CoreBuild, CoreExports } from "./wasm.js";

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
  readonly #pools: PoolHandles;
  readonly #channels: ChannelHandles;
  readonly #arena: ArenaAccess;
  readonly #reclaimer: Reclaimer;
  #closed = false;
  /** This thread's life lock (browsers and Deno; none where exit events tell of a thread's end). */
  readonly #lifeLock: LifeLockHold;

  private constructor({ views, module, build, core, threadId, jsHitPath, lifeLock }: OpenedHeap) {
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
    const openCore = () => this.#core();
    this.#pools = new PoolHandles(this, this.#binding, views, openCore);
    this.#channels = new ChannelHandles(this, this.#binding, views, openCore);
    this.#arena = new ArenaAccess(views, openCore);
    this.mallocs = new Malloc(this.#binding, views, {
      create: (name, size) => this.#pools.createRounded(name, size, false, 0, 0),
      find: (name) => this.pool(name),
      ensureOpen: openCore,
    });
    this.threadId = threadId;
    this.#reclaimer = new Reclaimer(this.#binding, views, threadId);
    watchThread(this);
    this.#lifeLock = lifeLock;
    Heap.#dropped.register(this, { binding: this.#binding, lifeLock: this.#lifeLock }, this);
  }

  // A closure made outside the constructor: V8 gives every closure made in
  // one scope the same context, so one made there that names `this` would
  // keep the heap alive through the others (the same holds for the life
  // lock's callback, made in reclaim.ts).

  static #stopDeadLater(self: WeakRef<Heap>): () => void {
    return () => {
      const heap = self.deref();
      if (heap) heap.#stopDead();
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
    return new Heap(await createHeap(options));
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
    return new Heap(await attachHeap(handle, options));
  }

  /** The thread stopped at a death point (test switch): like a terminated worker, it never runs core code again. */
  #stopDead(): void {
    this.#closed = true;
    this.#reclaimer.stop();
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
    return this.#pools.create(name, size, options);
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
    return this.#pools.find(nameOrId);
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
    return this.#pools.adopt(nameOrId);
  }

  /**
   * Every live pool of the heap.
   *
   * @throws {@link HeapClosedError} after `close()` on this thread
   */
  pools(): Pool[] {
    return this.#pools.list();
  }

  /**
   * Makes a channel: a bounded queue of pointers that every thread finds by
   * name (heap.channel), for many senders and many receivers. A pointer
   * sent passes its object to whoever receives it.
   *
   * ```ts
   * const jobs = heap.createChannel("jobs", { capacity: 256 });
   * jobs.send(ptr);                 // in a worker: waits while full
   * await jobs.sendAsync(ptr);      // on a main thread
   * ```
   *
   * @throws {@link InvalidArgumentError} for a name or capacity of the wrong type or out of range
   * @throws {@link ChannelExistsError} when a channel has the name
   * @throws {@link TooManyChannelsError} when all 64 channel slots are taken
   * @throws {@link OutOfMemoryError} when the heap has no room for its ring
   * @throws {@link HeapClosedError} after `close()` on this thread
   */
  createChannel(name: string, options?: ChannelOptions): Channel {
    return this.#channels.create(name, options);
  }

  /**
   * Finds a channel (open or closed) by name or id (the same in every thread).
   *
   * @throws {@link ChannelNotFoundError} when no channel has that name or id
   * @throws {@link InvalidArgumentError} for an argument that is neither
   * @throws {@link HeapClosedError} after `close()` on this thread
   */
  channel(nameOrId: string | number): Channel {
    return this.#channels.find(nameOrId);
  }

  /**
   * Every channel of the heap (open or closed).
   *
   * @throws {@link HeapClosedError} after `close()` on this thread
   */
  channels(): Channel[] {
    return this.#channels.list();
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
    this.#core();
    return this.#reclaimer.thread(threadId);
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
    return this.#reclaimer.gone();
  }

  /** @internal A thread has ended (thread-ends.ts): reclaims its slots and those of the threads it started. */
  reclaimEnded(nodeNumber: number): void {
    if (!this.#closed) this.#reclaimer.ended(nodeNumber);
  }

  /**
   * Every pool's counters and the heap's sizes, read one by one (exact once threads are quiet).
   *
   * @throws {@link HeapClosedError} after `close()` on this thread
   */
  stats(): HeapStats {
    this.#core();
    return heapStats(
      this.#views,
      this.pools().map((pool) => pool.stats()),
    );
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
    return this.#arena.array(type, ptr, length);
  }

  /**
   * A DataView over [ptr, ptr + byteLength) of the shared memory.
   *
   * @throws {@link InvalidPointerError} when the range is not inside the arena
   * @throws {@link InvalidArgumentError} for numbers out of range
   * @throws {@link HeapClosedError} after `close()` on this thread
   */
  dataView(ptr: number, byteLength: number): DataView {
    return this.#arena.dataView(ptr, byteLength);
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
    return this.#arena.bytes(ptr, length);
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
    return this.#arena.writeString(ptr, capacity, text);
  }

  /**
   * The UTF-8 text in [ptr, ptr + length) (malformed bytes read as U+FFFD); works on shared memory in every engine.
   *
   * @throws {@link InvalidPointerError} when the range is not inside the arena
   * @throws {@link InvalidArgumentError} for arguments of the wrong type
   * @throws {@link HeapClosedError} after `close()` on this thread
   */
  readString(ptr: number, length: number): string {
    return this.#arena.readString(ptr, length);
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
    return makeHandle(this.#views.word(H_HEAP_ID), this.#build, this.memory, this.#module);
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
    this.#reclaimer.stop();
    this.#binding.core = refusingCore(() => new HeapClosedError("this heap was closed on this thread"));
    this.#binding.words = NO_WORDS;
    forgetThread(this);
  }
}
