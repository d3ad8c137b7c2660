// A pool of fixed-size objects in the shared heap, as seen from one thread.

import { allocHit, freeHit } from "./cache-hit.js";
import { POOL_REFUSAL, refuseClone } from "./clone-refusal.js";
import type { CoreBinding } from "./core-binding.js";
import { NO_WORDS, refusingCore } from "./core-binding.js";
import {
  DoubleFreeError,
  HeapClosedError,
  InvalidPointerError,
  OutOfMemoryError,
  PoolDestroyedError,
  PoolInUseError,
  PoolMismatchError,
  PoolNotOwnedError,
  WasmPoolsError,
} from "./errors.js";
import {
  ALLOC_NOT_ATTACHED,
  ALLOC_STALE_POOL,
  BATCH_MAX,
  ERR_BAD_POINTER,
  ERR_DOUBLE_FREE,
  ERR_FREE_UNDERFLOW,
  ERR_NEVER_ALLOCATED,
  ERR_POOL_IN_USE,
  ERR_POOL_MISMATCH,
  ERR_SIZE_MISMATCH,
  ERR_STALE_POOL,
  H_FAIL_PPM,
  OK,
  P_ALLOCATED,
  P_FAILED,
  P_FLAGS,
  P_LIMIT,
  P_MIN_AVAIL,
  P_SIZE,
  P_STAMP,
  P_USED,
  P_USERS,
  POOL_SHARED,
} from "./layout.js";
import { waitForObject, waitForObjectAsync } from "./pool-waits.js";
import { cacheEntryAddress, liveGeneration, poolName, poolSlotAddress } from "./slots.js";
import { integerIn, optionalBoolean, optionsObject, pointer, uint32Array } from "./validate.js";
import type { MemoryViews } from "./views.js";
import { deadlineOf, requireBlocking, type WaitOptions } from "./wait.js";

/** A pool's counters, as HAProxy's `show pools` prints them. */
export interface PoolStats {
  /** Slot number of the pool in its heap. */
  id: number;
  /** The name given to createPool (a shared pool keeps its first creator's). */
  name: string;
  /** Object size in bytes (the requested size rounded up to a multiple of 8). */
  size: number;
  /** Objects taken from the backing allocator and not yet given back. */
  allocated: number;
  /** Objects handed out and not yet freed. */
  used: number;
  /** Free objects sitting in thread caches, any thread's. */
  cached: number;
  /** Free objects on the pool's shared free list (allocated - used - cached). */
  free: number;
  /** Allocations refused (limit or memory exhausted). */
  failed: number;
  /** Registrations (createPool calls) holding the pool. */
  users: number;
  /** Free objects that gc leaves in the pool. */
  minAvail: number;
  /** Most objects the pool may hold at once; 0 for no limit. */
  limit: number;
  /** Whether other createPool calls of the same size may join it. */
  shared: boolean;
}

// Uint32Array's own methods, not whatever a caller put on the array it passes.
const setWords = Uint32Array.prototype.set;
const subarrayOf = Uint32Array.prototype.subarray;

/**
 * A pool of fixed-size objects. Any thread attached to the heap may allocate
 * from it and free into it, including objects another thread allocated.
 *
 * ```ts
 * const pool = heap.createPool("session", 64);
 * const p = pool.alloc();
 * heap.bytes(p, pool.size).fill(0);
 * pool.free(p);
 * ```
 */
export class Pool {
  /** Slot number of the pool in its heap; `heap.pool(id)` finds it from any thread. */
  readonly id: number;
  /** The pool's name (a shared pool keeps its first creator's). */
  readonly name: string;
  /** Object size in bytes: the requested size rounded up to a multiple of 8. */
  readonly size: number;
  // TypeScript-private, not #private: V8 (Node 20) does not fold #field loads
  // into the inlined hot path, which cost 5 ns per alloc+free pair.
  private binding: CoreBinding;
  /**
   * @internal The pool incarnation's generation: with `id`, its token. A
   * slot's generations are never reused, so this alone tells the incarnation
   * from every other of the slot; the hit paths compare it with the entry's
   * token word (CacheSite.token), the core compares it whole too.
   */
  readonly token: number;
  private readonly views: MemoryViews;
  private readonly slot: number;
  // Where the hit path reads (CacheSite), as fields of the Pool itself: one
  // load fewer per call than a separate object (about 1-2 ns per pair where
  // V8 cannot fold the pool, as for a parameter or a class field).
  /** @internal This thread's cache block header, as a word index. */
  readonly block: number;
  /** @internal This thread's cache entry of the pool, as a word index. */
  readonly entry: number;
  /** @internal The pool slot's stamp, as a word index. */
  readonly stamp: number;
  /** Whether this handle holds a registration (createPool's), which destroy() drops. */
  private readonly registered: boolean;

  /** The Heap this handle came from: a pool in use keeps its heap from being collected (heap.ts, #dropped). */
  // biome-ignore lint/correctness/noUnusedPrivateClassMembers: held, never read: it keeps the heap alive
  readonly #heap: object;

  /** @internal Pools are made by Heap.createPool (registered), Heap.pool and Heap.pools. */
  constructor(heap: object, binding: CoreBinding, views: MemoryViews, id: number, generation: number, registered: boolean) {
    refuseClone(this, POOL_REFUSAL);
    this.#heap = heap;
    this.binding = binding;
    this.registered = registered;
    this.views = views;
    this.token = generation;
    this.id = id;
    this.slot = poolSlotAddress(this.id);
    this.name = poolName(views, this.id);
    this.size = views.word(this.slot + P_SIZE);
    this.block = binding.block;
    this.entry = cacheEntryAddress(binding.block * 4, this.id) / 4;
    this.stamp = (this.slot + P_STAMP) / 4;
  }

  /**
   * Returns a pointer to a free object; throws OutOfMemoryError when none can be had.
   *
   * @throws {@link OutOfMemoryError} when the pool's limit or the heap's maxBytes is reached, even after gc
   * @throws {@link HeapCorruptError} when the pool's free list was found broken (a write into a freed object)
   * @throws {@link PoolDestroyedError} once the pool was destroyed; {@link HeapClosedError} after the heap's `close()` on this thread
   */
  alloc(): number {
    // The hot methods stay this small so that V8 inlines them into the caller.
    return allocHit(this.binding.words, this) || this.allocMiss();
  }

  /**
   * alloc(), with the object's bytes set to 0. (alloc() leaves whatever was
   * there: earlier contents, and in the first word the link the object
   * had on a free list.)
   *
   * @throws {@link OutOfMemoryError} as alloc()
   * @throws {@link HeapCorruptError} as alloc()
   * @throws {@link PoolDestroyedError} once the pool was destroyed; {@link HeapClosedError} after the heap's `close()` on this thread
   */
  allocZeroed(): number {
    const ptr = this.alloc();
    this.views.view(ptr, this.size).fill(0);
    return ptr;
  }

  /**
   * Returns a pointer to a free object, or 0 when none can be had.
   *
   * @throws {@link HeapCorruptError} when the pool's free list was found broken
   * @throws {@link PoolDestroyedError} once the pool was destroyed; {@link HeapClosedError} after the heap's `close()` on this thread
   */
  tryAlloc(): number {
    return allocHit(this.binding.words, this) || this.tryAllocMiss();
  }

  /**
   * An object, waiting while none can be had (the pool at its `limit`, or
   * the heap at maxBytes) until another thread frees one: backpressure.
   * Blocks the thread: in workers; on a browser's main thread use
   * allocAsync. An object freed into another thread's cache reaches the
   * waiter at that thread's next operation on the pool (or its close, gc or
   * end).
   *
   * @throws {@link WaitTimeoutError} when `timeoutMs` passed without an object
   * @throws {@link CannotBlockError} on a thread that may not block (whether or not it would have waited)
   * @throws {@link HeapCorruptError}, {@link PoolDestroyedError}, {@link HeapClosedError} as alloc()
   */
  allocWait(options?: WaitOptions): number {
    requireBlocking("pool.allocWait");
    const deadline = deadlineOf(options);
    return this.tryAlloc() || waitForObject(this, this.views.waitable, this.slot, deadline);
  }

  /** allocWait, as a promise: never blocks the thread. */
  async allocAsync(options?: WaitOptions): Promise<number> {
    const deadline = deadlineOf(options);
    return this.tryAlloc() || waitForObjectAsync(this, this.views.waitable, this.slot, deadline);
  }

  /**
   * Gives an object back to the pool. Any thread may free any object of the pool.
   *
   * @throws {@link InvalidPointerError} for a pointer that is no allocated object of this pool's size
   * @throws {@link DoubleFreeError} for an object already free
   * @throws {@link InvalidArgumentError} for a value that is not a number
   * @throws {@link PoolDestroyedError} once the pool was destroyed; {@link HeapClosedError} after the heap's `close()` on this thread
   */
  free(ptr: number): void {
    if (!freeHit(this.binding.words, this, ptr)) this.freeMiss(ptr);
  }

  private allocMiss(): number {
    const object = this.tryAllocMiss();
    if (object !== 0) return object;
    const limit = this.views.word(this.slot + P_LIMIT);
    const injecting = this.views.word(H_FAIL_PPM) !== 0;
    throw new OutOfMemoryError(
      `pool "${this.name}" (${this.size}-byte objects) cannot allocate: ` +
        (limit !== 0 ? `its limit of ${limit} objects or ` : "") +
        "the heap's maxBytes is reached" +
        (injecting ? ", or fault injection (failRate) failed it on purpose" : "") +
        "; free objects, call heap.gc(), or raise maxBytes",
    );
  }

  private tryAllocMiss(): number {
    const object = this.binding.core.pool_alloc(this.id, this.token) >>> 0;
    if (object === ALLOC_STALE_POOL) throw this.destroyed();
    if (object === ALLOC_NOT_ATTACHED) throw new HeapClosedError("this thread is not attached to the heap");
    return this.seen(object);
  }

  private freeMiss(ptr: number): void {
    const status = this.binding.core.pool_free(this.id, this.token, pointer("ptr", ptr));
    if (status !== OK) throw this.freeError(status, ptr);
    this.seen(ptr);
  }

  /** Re-makes the hit paths' view of the memory when an object lies past it (the memory grew). */
  private seen(object: number): number {
    const binding = this.binding;
    if (object >>> 2 >= binding.words.length && binding.words !== NO_WORDS) {
      binding.words = this.views.words32(0, this.views.memoryBytes / 4);
    }
    return object;
  }

  /**
   * Allocates up to `count` objects into `out[0..count)` with one wasm call
   * per 256 objects; returns how many it got (fewer only when memory or the
   * limit runs out).
   *
   * ```ts
   * const ptrs = new Uint32Array(64);
   * const n = pool.allocMany(64, ptrs);
   * pool.freeMany(ptrs, n);
   * ```
   *
   * @throws {@link InvalidArgumentError} for a count or array of the wrong type or out of range
   * @throws {@link HeapCorruptError} when the pool's free list was found broken
   * @throws {@link PoolDestroyedError} once the pool was destroyed; {@link HeapClosedError} after the heap's `close()` on this thread
   */
  allocMany(count: number, out: Uint32Array): number {
    integerIn("count", count, 0, uint32Array("out", out));
    const binding = this.binding;
    let done = 0;
    while (done < count) {
      const wanted = Math.min(count - done, BATCH_MAX);
      const got = binding.core.pool_alloc_many(this.id, this.token, wanted);
      if (got === ERR_STALE_POOL) throw this.destroyed();
      // Copying the whole scratch needs no subarray object (0.1 ns per object).
      setWords.call(out, got === BATCH_MAX ? binding.scratch : binding.scratch.subarray(0, got), done);
      done += got;
      if (got < wanted) break;
    }
    return done;
  }

  /**
   * Frees `ptrs[0..count)` (all of `ptrs` by default) with one wasm call per
   * 256 objects. On a bad pointer it throws that pointer's error, naming its
   * index; the pointers before it are freed, the ones after it are not.
   *
   * @throws the first refused pointer's error (as free()), naming its index
   * @throws {@link InvalidArgumentError} for arguments of the wrong type or out of range
   * @throws {@link PoolDestroyedError} once the pool was destroyed; {@link HeapClosedError} after the heap's `close()` on this thread
   */
  freeMany(ptrs: Uint32Array, count?: number): void {
    const length = uint32Array("ptrs", ptrs);
    if (count === undefined) count = length;
    integerIn("count", count, 0, length);
    const binding = this.binding;
    let done = 0;
    while (done < count) {
      const batch = Math.min(count - done, BATCH_MAX);
      binding.scratch.set(done === 0 && batch === length ? ptrs : subarrayOf.call(ptrs, done, done + batch));
      const freed = binding.core.pool_free_many(this.id, this.token, batch);
      done += freed;
      if (freed < batch) {
        // Free the refused pointer alone, as free() does, to learn why (nothing was changed for it).
        try {
          this.freeMiss(ptrs[done]!);
        } catch (error) {
          (error as Error).message = `ptrs[${done}]: ${(error as Error).message} (ptrs[0..${done}) were freed, the rest were not)`;
          throw error;
        }
        done++;
      }
    }
  }

  /**
   * Gives every free object of the pool back to the heap's backing allocator.
   *
   * @throws {@link PoolDestroyedError} once the pool was destroyed; {@link HeapClosedError} after the heap's `close()` on this thread
   */
  flush(): void {
    if (this.binding.core.pool_flush(this.id, this.token) === ERR_STALE_POOL) throw this.destroyed();
  }

  /**
   * Drops the registration this handle holds (only the handle createPool
   * returned holds one; others throw PoolNotOwnedError). When the last user
   * drops it, the pool is destroyed: that throws PoolInUseError (the pool
   * stays live and registered) while objects of it are handed out in any thread. Objects other
   * threads' caches hold do not stop it: those threads give them back. A
   * destroyed pool cannot be found or allocated from; an object of it that
   * is still out (an alloc on another thread that overlapped this call may
   * have returned one) can still be freed through a handle of it, and its
   * slot is reused only once every such object is back. This Pool object
   * refuses further calls either way.
   *
   * With `{ force: true }` the last user destroys the pool even while objects
   * of it are handed out (a worker killed holding them) or while its free
   * list is corrupt (HeapCorruptError): what can be proven free goes back,
   * the rest stays counted in the destroyed pool, whose slot waits for it.
   *
   * @throws {@link PoolNotOwnedError} on a handle from heap.pool() or heap.pools()
   * @throws {@link PoolInUseError} when objects of the pool are handed out (without `force`)
   * @throws {@link PoolDestroyedError} once the pool was destroyed; {@link HeapClosedError} after the heap's `close()` on this thread
   */
  destroy(options?: { force?: boolean }): void {
    const force = optionalBoolean("options.force", optionsObject("options", options).force, false);
    if (!this.registered) {
      throw new PoolNotOwnedError(
        `this handle of pool "${this.name}" came from heap.pool() or heap.pools() and holds no registration; ` +
          "destroy it through the handle heap.createPool() returned (with { shared: true }, each createPool call registers one more user), " +
          "or through heap.adoptPool() when the thread that created it is gone",
      );
    }
    const status = this.binding.core.pool_destroy(this.id, this.token, force ? 1 : 0);
    if (status === ERR_STALE_POOL) throw this.destroyed();
    if (status === ERR_POOL_IN_USE) {
      const used = this.views.word(this.slot + P_USED);
      throw new PoolInUseError(
        `pool "${this.name}" has objects handed out (${used} out of its shared list, cached ones included, when last read): ` +
          "free them before destroying its last user; objects held by a thread that is closing or dead count until it is done or reclaimed " +
          "(destroy({ force: true }) destroys it all the same)",
      );
    }
    const name = this.name;
    this.binding = {
      core: refusingCore(() => new PoolDestroyedError(`pool "${name}" was destroyed through this handle`)),
      words: NO_WORDS,
      block: this.binding.block,
      scratch: this.binding.scratch,
    };
  }

  /**
   * The pool's counters, read atomically one by one (exact once threads are quiet).
   *
   * @throws {@link PoolDestroyedError} once the pool was destroyed; {@link HeapClosedError} after the heap's `close()` on this thread
   */
  stats(): PoolStats {
    const views = this.views;
    const slot = this.slot;
    if (liveGeneration(views, this.id) !== this.token) throw this.destroyed();
    const cached = this.binding.core.pool_cached_count(this.id, this.token);
    if (cached === ERR_STALE_POOL) throw this.destroyed();
    const allocated = views.word(slot + P_ALLOCATED);
    const offList = views.word(slot + P_USED);
    return {
      id: this.id,
      name: this.name,
      size: this.size,
      allocated,
      used: offList - cached,
      cached,
      free: allocated - offList,
      failed: views.word(slot + P_FAILED),
      users: views.word(slot + P_USERS),
      minAvail: views.word(slot + P_MIN_AVAIL),
      limit: views.word(slot + P_LIMIT),
      shared: (views.word(slot + P_FLAGS) & POOL_SHARED) !== 0,
    };
  }

  /**
   * Walks the shared free list and counts it. Exact only while no thread allocates or frees in this pool.
   *
   * @throws {@link PoolDestroyedError} once the pool was destroyed; {@link HeapClosedError} after the heap's `close()` on this thread
   */
  freeListLength(): number {
    const length = this.binding.core.pool_free_count(this.id, this.token);
    if (length === ERR_STALE_POOL) throw this.destroyed();
    return length;
  }

  private destroyed(): Error {
    return new PoolDestroyedError(`pool "${this.name}" (id ${this.id}) was destroyed`);
  }

  private freeError(status: number, ptr: number): Error {
    switch (status) {
      case ERR_STALE_POOL:
        return this.destroyed();
      case ERR_BAD_POINTER:
        return new InvalidPointerError(`ptr: ${ptr} is not inside the heap's arena`);
      case ERR_SIZE_MISMATCH:
        return new InvalidPointerError(`ptr: ${ptr} is not an allocated object of pool "${this.name}" (${this.size}-byte objects)`);
      case ERR_DOUBLE_FREE:
        return new DoubleFreeError(`ptr: ${ptr} is already free in pool "${this.name}" (a double free)`);
      case ERR_POOL_MISMATCH:
        return new PoolMismatchError(`ptr: ${ptr} was handed out by another pool, not by pool "${this.name}" (debug tag)`);
      case ERR_NEVER_ALLOCATED:
        return new InvalidPointerError(`ptr: ${ptr} was never handed out by a pool (debug tag)`);
      case ERR_FREE_UNDERFLOW:
        return new DoubleFreeError(
          `pool "${this.name}" has no object allocated, so freeing ${ptr} is a double free or a pointer of another pool`,
        );
      default:
        return new WasmPoolsError(`unexpected status ${status} from pool_free`);
    }
  }
}
