// Every error the package throws extends WasmPoolsError, so callers can catch
// the package's errors apart from their own; each says what was wrong and,
// where there is one, what to do.

/** Base class of every error thrown by wasm-pools. */
export class WasmPoolsError extends Error {
  // Spelled out in every class: a minifying bundler renames classes, so
  // new.target.name would not survive a production build.
  /** The class's name, kept through minification. */
  override readonly name: string = "WasmPoolsError";
}

/** An argument of the wrong type or out of range. `argument` names it. */
export class InvalidArgumentError extends WasmPoolsError {
  /** The class's name, kept through minification. */
  override readonly name: string = "InvalidArgumentError";
  constructor(
    /** The argument's name, e.g. `size` or `options.maxBytes`. */
    readonly argument: string,
    message: string,
  ) {
    super(`${argument}: ${message}`);
  }
}

/** A pointer that is not an object of this pool: outside the arena, misaligned, or of another size. */
export class InvalidPointerError extends WasmPoolsError {
  /** The class's name, kept through minification. */
  override readonly name: string = "InvalidPointerError";
}

/** An object freed while it is already free, or more frees than allocations in a pool. */
export class DoubleFreeError extends WasmPoolsError {
  /** The class's name, kept through minification. */
  override readonly name: string = "DoubleFreeError";
}

/** The pool's limit or the heap's maxBytes is reached, even after gc. */
export class OutOfMemoryError extends WasmPoolsError {
  /** The class's name, kept through minification. */
  override readonly name: string = "OutOfMemoryError";
}

/** No live pool has that name or id. */
export class PoolNotFoundError extends WasmPoolsError {
  /** The class's name, kept through minification. */
  override readonly name: string = "PoolNotFoundError";
}

/** The pool was destroyed (by this handle, or by its last user in any thread). */
export class PoolDestroyedError extends WasmPoolsError {
  /** The class's name, kept through minification. */
  override readonly name: string = "PoolDestroyedError";
}

/** A live pool already has that name and cannot be shared with this request. */
export class PoolExistsError extends WasmPoolsError {
  /** The class's name, kept through minification. */
  override readonly name: string = "PoolExistsError";
}

/** All pool slots of the heap are taken. */
export class TooManyPoolsError extends WasmPoolsError {
  /** The class's name, kept through minification. */
  override readonly name: string = "TooManyPoolsError";
}

/** All thread slots of the heap are taken: close heaps on threads that are done, or reclaim dead ones. */
export class TooManyThreadsError extends WasmPoolsError {
  /** The class's name, kept through minification. */
  override readonly name: string = "TooManyThreadsError";
}

/**
 * destroy() on a handle that holds no registration of the pool: handles from
 * heap.pool() and heap.pools() only look a pool up; the handle createPool()
 * returned drops its creator's registration.
 */
export class PoolNotOwnedError extends WasmPoolsError {
  /** The class's name, kept through minification. */
  override readonly name: string = "PoolNotOwnedError";
}

/** The last user cannot destroy a pool while objects are still allocated from it. */
export class PoolInUseError extends WasmPoolsError {
  /** The class's name, kept through minification. */
  override readonly name: string = "PoolInUseError";
}

/** The heap was closed on this thread. */
export class HeapClosedError extends WasmPoolsError {
  /** The class's name, kept through minification. */
  override readonly name: string = "HeapClosedError";
}

/** A value given to Heap.attach is not a handle made by heap.handle(), or was tampered with. */
export class InvalidHandleError extends WasmPoolsError {
  /** The class's name, kept through minification. */
  override readonly name: string = "InvalidHandleError";
}

/** The memory holds a heap this build cannot use (another ABI version, or not a heap). */
export class IncompatibleHeapError extends WasmPoolsError {
  /** The class's name, kept through minification. */
  override readonly name: string = "IncompatibleHeapError";
}

/** Sharing a heap needs a cross-origin isolated page. */
export class NotIsolatedError extends WasmPoolsError {
  /** The class's name, kept through minification. */
  override readonly name: string = "NotIsolatedError";
  constructor() {
    super(
      "sharing a heap with workers needs a cross-origin isolated page: serve it with " +
        "'Cross-Origin-Opener-Policy: same-origin' and " +
        "'Cross-Origin-Embedder-Policy: require-corp' (or 'credentialless')",
    );
  }
}

/**
 * The core (the .wasm file beside the package's JS) could not be read or
 * fetched. Deno needs permission to read it (`deno run --allow-read`); a
 * bundler that does not copy it (`bun build`) needs it passed as
 * `Heap.create({ module })`. `cause` holds the engine's own error.
 */
export class CoreLoadError extends WasmPoolsError {
  /** The class's name, kept through minification. */
  override readonly name: string = "CoreLoadError";
  constructor(url: URL, reason: string, cause?: unknown) {
    super(
      `cannot load the wasm-pools core from ${url.href}: ${reason}. In Deno, allow reading it (deno run --allow-read); ` +
        "where a bundler does not copy the .wasm (bun build), pass it as Heap.create({ module })",
      { cause },
    );
  }
}

/**
 * This engine cannot send shared memory to other threads, so the heap cannot
 * be shared: heap.handle() says so before postMessage would fail with a
 * DataCloneError. Seen in WebKitGTK and WPE as Debian ships them, which hide
 * the SharedArrayBuffer global: start the browser with the environment
 * variable `JSC_useSharedArrayBuffer=1`. One thread can still use the heap.
 */
export class SharingUnsupportedError extends WasmPoolsError {
  /** The class's name, kept through minification. */
  override readonly name: string = "SharingUnsupportedError";
  constructor() {
    super(
      "this engine cannot post shared memory to other threads (it hides the SharedArrayBuffer global, as WebKitGTK and WPE " +
        "do by default): start the browser with the environment variable JSC_useSharedArrayBuffer=1, or use the heap on one thread",
    );
  }
}

/**
 * A lock did not change hands for about 3 seconds: most likely a thread
 * died holding it (a worker stopped by terminate()). `reclaimThread(id)`
 * releases a terminated worker's hold of a pool's flush lock; a hold of the
 * backing allocator's or the registry's lock cannot be recovered.
 */
export class LockTimeoutError extends WasmPoolsError {
  /** The class's name, kept through minification. */
  override readonly name: string = "LockTimeoutError";
}

/** Debug option `tag`: the object was handed out by another pool than the one it is freed into. */
export class PoolMismatchError extends WasmPoolsError {
  /** The class's name, kept through minification. */
  override readonly name: string = "PoolMismatchError";
}

/**
 * Debug option `uaf`: pool code read an object after flush or gc had given
 * it back (what HAProxy's flush lock prevents). The heap should not be used
 * further.
 */
export class UseAfterFreeError extends WasmPoolsError {
  /** The class's name, kept through minification. */
  override readonly name: string = "UseAfterFreeError";
}

/** heap.check() found broken invariants; `problems` lists them (at most 50). */
export class HeapCorruptError extends WasmPoolsError {
  /** The class's name, kept through minification. */
  override readonly name: string = "HeapCorruptError";
  constructor(
    /** What is broken, one sentence each. */
    readonly problems: string[],
  ) {
    super(`the heap is inconsistent:\n  ${problems.join("\n  ")}`);
  }
}

/** A blocking wait on a thread that may not block (a browser's main thread): use the promise form there. */
export class CannotBlockError extends WasmPoolsError {
  /** The class's name, kept through minification. */
  override readonly name: string = "CannotBlockError";
}

/** No channel of the heap has that name or id. */
export class ChannelNotFoundError extends WasmPoolsError {
  /** The class's name, kept through minification. */
  override readonly name: string = "ChannelNotFoundError";
}

/** A channel of the heap already has that name. */
export class ChannelExistsError extends WasmPoolsError {
  /** The class's name, kept through minification. */
  override readonly name: string = "ChannelExistsError";
}

/** Every channel slot of the heap (64) is taken. */
export class TooManyChannelsError extends WasmPoolsError {
  /** The class's name, kept through minification. */
  override readonly name: string = "TooManyChannelsError";
}

/** A send to a closed channel: it takes no more messages (receivers still take what it holds). */
export class ChannelClosedError extends WasmPoolsError {
  /** The class's name, kept through minification. */
  override readonly name: string = "ChannelClosedError";
}

/** The channel was destroyed (in any thread). */
export class ChannelDestroyedError extends WasmPoolsError {
  /** The class's name, kept through minification. */
  override readonly name: string = "ChannelDestroyedError";
}

/** A destroy found messages still in the channel: receive them (and free what they point to) first. */
export class ChannelNotEmptyError extends WasmPoolsError {
  /** The class's name, kept through minification. */
  override readonly name: string = "ChannelNotEmptyError";
}

/** A wait (a send to a full channel, a receive from an empty one, an alloc at a pool's limit) ran out of time. */
export class WaitTimeoutError extends WasmPoolsError {
  /** The class's name, kept through minification. */
  override readonly name: string = "WaitTimeoutError";
}
