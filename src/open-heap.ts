// Opening a heap on this thread: a new one in a new memory (Heap.create),
// or one another thread made (Heap.attach). Either way this thread gets an
// instance of the core over the shared memory and a thread slot with its
// cache block (heap_create, heap_attach: docs/internals.md, "The core's
// ABI"); the Heap object is made from what this returns.

import { IncompatibleHeapError, InvalidArgumentError, InvalidHandleError, LockTimeoutError } from "./errors.js";
import { checkedHandle } from "./heap-handle.js";
import { attachSettings, createSettings } from "./heap-options.js";
import { attachedThreadId } from "./heap-statuses.js";
import type { AttachOptions, HeapOptions } from "./heap-types.js";
import { ABI_VERSION, H_HEAP_ID, MIN_PAGES, PAGE_BYTES, T_DEATH_POINTS, T_DIE_AT } from "./layout.js";
import { type LifeLockHold, NO_LOCK, takeLifeLock } from "./life-lock.js";
import { loadPlatformChecks } from "./platform-checks.js";
import { thisThread } from "./thread-ends.js";
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
} from "./wasm.js";

/** A heap opened on this thread: what a Heap is made of. */
export interface OpenedHeap {
  readonly views: MemoryViews;
  readonly module: WebAssembly.Module;
  readonly build: CoreBuild;
  /** This thread's instance of the core, attached. */
  readonly core: CoreExports;
  /** This thread's heap thread id. */
  readonly threadId: number;
  /** Whether this thread's Pools take the JS hit paths (the test switch noJsHitPath turns them off for the creator). */
  readonly jsHitPath: boolean;
  /** The life lock this thread took before it attached (life-lock.ts); released by close(). */
  readonly lifeLock: LifeLockHold;
}

/** This thread's life lock for heap `heapId`, where a runtime tells of a thread's end by its locks (thread-ends.ts). */
function lifeLockFor(heapId: number): Promise<LifeLockHold> {
  return thisThread.signal === "life-locks" ? takeLifeLock(heapId) : Promise.resolve(NO_LOCK);
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

/** A new heap in a new shared memory, with this thread attached (Heap.create). */
export async function createHeap(options: HeapOptions | undefined): Promise<OpenedHeap> {
  await loadPlatformChecks();
  const settings = createSettings(options);
  const memory = new WebAssembly.Memory({ initial: settings.initialPages, maximum: settings.maxPages, shared: true });
  const module = settings.module === undefined ? await loadCore(settings.build) : await callerCore(settings.module);
  const core = await instantiateCore(module, memory);
  if (coreAbi(core) !== ABI_VERSION) {
    throw new IncompatibleHeapError(`options.module is a core of ABI ${coreAbi(core)}; this wrapper speaks ABI ${ABI_VERSION}`);
  }
  const heapId = crypto.getRandomValues(new Uint32Array(1))[0]!;
  const { canBlock, cacheBytes, ppm, seed, debug } = settings;
  const { nodeNumber, ancestors } = thisThread;
  const lifeLock = await lifeLockFor(heapId);
  let threadId: number;
  try {
    threadId = attachedThreadId(
      core.heap_create(
        settings.maxPages,
        heapId,
        settings.switches,
        canBlock ? 1 : 0,
        cacheBytes,
        ppm,
        seed,
        debug,
        nodeNumber,
        ...ancestors,
        lifeLock.id,
      ),
    );
  } catch (error) {
    lifeLock.release();
    throw error;
  }
  return { views: new MemoryViews(memory), module, build: settings.build, core, threadId, jsHitPath: settings.jsHitPath, lifeLock };
}

/** Whether a trap while attaching was the deathPoints test switch stopping this thread dead: then it must never run again. */
function diedAttaching(core: CoreExports, views: MemoryViews): boolean {
  const slot = core.thread_slot() >>> 0;
  if (slot === 0) return false;
  const dieAt = views.word(slot + T_DIE_AT);
  return dieAt !== 0 && views.word(slot + T_DEATH_POINTS) === dieAt;
}

/** This thread attached to the heap another thread sent as `handle` (Heap.attach). */
export async function attachHeap(handle: unknown, options: AttachOptions | undefined): Promise<OpenedHeap> {
  await loadPlatformChecks();
  const { memory, module, build, heapId } = checkedHandle(handle);
  const { canBlock, cacheBytes } = attachSettings(options);
  const views = new MemoryViews(memory);
  if (views.memoryBytes < MIN_PAGES * PAGE_BYTES || views.word(H_HEAP_ID) !== heapId) {
    throw new InvalidHandleError("handle.heapId does not match the heap in handle.memory");
  }
  const core = await instantiateCore(module, memory);
  const { nodeNumber, ancestors } = thisThread;
  // The lock before the slot: see life-lock.ts.
  const lifeLock = await lifeLockFor(heapId);
  let status: number;
  try {
    status = core.heap_attach(canBlock ? 1 : 0, cacheBytes, nodeNumber, ...ancestors, lifeLock.id);
  } catch (error) {
    if (!(error instanceof WebAssembly.RuntimeError)) {
      lifeLock.release();
      throw error;
    }
    // The slot it claimed is free again (a thread stopped dead at a death point keeps it, and its lock, as a killed one would).
    if (!diedAttaching(core, views)) {
      core.thread_abandon_attach();
      lifeLock.release();
    }
    throw new LockTimeoutError(
      "attaching gave up: the backing allocator's lock showed no sign of life for about 3 seconds " +
        "(or, with the deathPoints test switch, this thread stopped dead); nothing is held by this thread",
    );
  }
  let threadId: number;
  try {
    threadId = attachedThreadId(status);
  } catch (error) {
    lifeLock.release();
    throw error;
  }
  return { views, module, build, core, threadId, jsHitPath: true, lifeLock };
}
