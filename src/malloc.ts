// heap.malloc and friends: blocks of any size over size-class pools
// (size-classes.ts), which the heap creates on first use and shares among
// threads by name, and large blocks beyond the largest class
// (assembly/large.ts). A block's class is found from its chunk header:
// every chunk is exactly the size asked (assembly/bins.ts), so the
// header's size is the class's size. The hot paths (cache-hit.ts,
// mallocHit and mallocFreeHit) are one index into a table of this thread's
// class pools by size / 8 and the pool's own JS hit path: no wasm call on
// a cache hit (docs/internals.md §11).

import { mallocFreeHit, mallocHit } from "./cache-hit.js";
import { chunkSizeOf, marksLargeBlock } from "./chunks.js";
import type { CoreBinding } from "./core-binding.js";
import { tagBytes } from "./debug.js";
import { HeapClosedError, InvalidPointerError, OutOfMemoryError, PoolExistsError } from "./errors.js";
import {
  ALLOC_NOT_ATTACHED,
  ARENA_START,
  CHUNK_HEADER,
  CHUNK_MAX_PAYLOAD,
  CHUNK_ON_FREE_LIST,
  CHUNK_USED,
  H_BACKING_TOP,
  LARGE_PREFIX,
  OK,
} from "./layout.js";
import type { Pool } from "./pool.js";
import { classOf, classSize, classWithSize, LARGEST_CLASS } from "./size-classes.js";
import { integerIn, pointer } from "./validate.js";
import type { MemoryViews } from "./views.js";

/** Largest request heap.malloc serves (1 GiB less a large block's mark). */
export const MALLOC_MAX = CHUNK_MAX_PAYLOAD - LARGE_PREFIX;
/** Pool names of the size classes start with this; createPool refuses it. */
export const CLASS_NAME_PREFIX = "malloc:";

/** How the allocator reaches its heap's pools (heap.ts), without importing it. */
export interface ClassPools {
  /** Creates the pool named `name`, or throws PoolExistsError if another thread did first. */
  create(name: string, size: number): Pool;
  /** Finds the live pool named `name`. */
  find(name: string): Pool;
  /** Throws HeapClosedError once the heap is closed on this thread. */
  ensureOpen(): void;
}

/** A block as free() and usableSize() see it. */
type Block = { kind: "class"; index: number } | { kind: "large"; usable: number };

/** One thread's malloc over its heap: the class pools it opened so far. */
export class Malloc {
  /**
   * This thread's class pools by size / 8: entry i is the pool of the class
   * that serves requests of up to i * 8 bytes, once this thread opened it.
   */
  private readonly bySize: (Pool | undefined)[] = new Array<Pool | undefined>(LARGEST_CLASS / 8 + 1).fill(undefined);
  /**
   * The table the hit paths read: bySize, or with the debug tag an empty one
   * (a tagged chunk is 8 bytes longer than its class, the size of the next
   * class up to 128 bytes: its header would name the wrong pool).
   */
  private readonly hitTable: readonly (Pool | undefined)[];
  /** Bytes the debug tag adds to every pool object's chunk (0 without it). */
  private readonly tagBytes: number;

  constructor(
    private readonly binding: CoreBinding,
    private readonly views: MemoryViews,
    private readonly classPools: ClassPools,
  ) {
    this.tagBytes = tagBytes(views);
    this.hitTable = this.tagBytes === 0 ? this.bySize : [];
  }

  malloc(bytes: number): number {
    return mallocHit(this.binding.words, this.hitTable, bytes) || this.mallocSlow(bytes, true);
  }

  tryMalloc(bytes: number): number {
    return mallocHit(this.binding.words, this.hitTable, bytes) || this.mallocSlow(bytes, false);
  }

  free(ptr: number): void {
    if (!mallocFreeHit(this.binding.words, this.hitTable, ptr)) this.freeSlow(ptr);
  }

  /** The bytes usable at `ptr`: its class's size, or what its large block holds. */
  usableSize(ptr: number): number {
    const block = this.blockAt(ptr);
    return block.kind === "class" ? classSize(block.index) : block.usable;
  }

  realloc(ptr: number, bytes: number): number {
    if (ptr === 0) return this.malloc(bytes);
    integerIn("bytes", bytes, 0, MALLOC_MAX);
    const block = this.blockAt(ptr);
    const usable = block.kind === "class" ? classSize(block.index) : block.usable;
    // In place while the block's class is the one a new request would get
    // (a large block: while it is at least half used).
    if (
      block.kind === "class"
        ? bytes <= LARGEST_CLASS && classOf(bytes) === block.index
        : bytes > LARGEST_CLASS && bytes <= usable && bytes >= usable / 2
    ) {
      return ptr;
    }
    const moved = this.malloc(bytes);
    const copied = Math.min(usable, bytes);
    this.views.view(moved, copied).set(this.views.view(ptr, copied));
    this.free(ptr);
    return moved;
  }

  private mallocSlow(bytes: number, throwing: boolean): number {
    integerIn("bytes", bytes, 0, MALLOC_MAX);
    if (bytes <= LARGEST_CLASS) {
      // The whole alloc, misses included, through the class's pool.
      const pool = this.classPool(classOf(bytes));
      return throwing ? pool.alloc() : pool.tryAlloc();
    }
    const block = this.binding.core.large_alloc(bytes) >>> 0;
    if (block === ALLOC_NOT_ATTACHED) throw new HeapClosedError("this thread is not attached to the heap");
    if (block === 0 && throwing) {
      throw new OutOfMemoryError(
        `malloc(${bytes}) cannot get a block: the heap's maxBytes is reached (or fault injection failed it on purpose); ` +
          "free blocks, call heap.gc(), or raise maxBytes",
      );
    }
    return block;
  }

  private freeSlow(ptr: number): void {
    this.classPools.ensureOpen();
    if (ptr === 0) return;
    const block = this.blockAt(ptr, true);
    if (block.kind === "class") {
      this.classPool(block.index).free(ptr);
      return;
    }
    if (this.binding.core.large_free(ptr) !== OK) {
      throw new InvalidPointerError(`${ptr} is not a block heap.malloc handed out (freed already, or never allocated)`);
    }
  }

  /**
   * What `ptr` is, read from the word before it; throws for anything but a
   * block malloc handed out, or (with `orFreed`) a class block that is free
   * again, whose pool then reports the double free.
   */
  private blockAt(ptr: number, orFreed = false): Block {
    pointer("ptr", ptr);
    const top = this.views.word(H_BACKING_TOP);
    if (ptr < ARENA_START + CHUNK_HEADER || ptr >= top) {
      throw new InvalidPointerError(`${ptr} is not a block heap.malloc handed out: it is outside the heap's arena`);
    }
    const word = this.views.anyWord(ptr - CHUNK_HEADER);
    const flags = word & (CHUNK_USED | CHUNK_ON_FREE_LIST);
    if (flags === CHUNK_USED || (orFreed && flags === (CHUNK_USED | CHUNK_ON_FREE_LIST))) {
      const index = classWithSize(chunkSizeOf(word) - CHUNK_HEADER - this.tagBytes);
      if (index >= 0) return { kind: "class", index };
    } else if (marksLargeBlock(ptr - LARGE_PREFIX, word, this.views.anyWord(ptr - 4))) {
      const chunk = ptr - LARGE_PREFIX - CHUNK_HEADER;
      return { kind: "large", usable: chunkSizeOf(this.views.anyWord(chunk)) - CHUNK_HEADER - LARGE_PREFIX };
    }
    throw new InvalidPointerError(`${ptr} is not a block heap.malloc handed out (freed already, or never allocated)`);
  }

  /** This thread's handle of class `index`'s pool, opened (and the pool created) on first use. */
  private classPool(index: number): Pool {
    const size = classSize(index);
    const open = this.bySize[size / 8];
    if (open !== undefined) return open;
    const name = `${CLASS_NAME_PREFIX}${size}`;
    let pool: Pool;
    try {
      pool = this.classPools.create(name, size);
    } catch (error) {
      if (!(error instanceof PoolExistsError)) throw error;
      pool = this.classPools.find(name);
    }
    // Every request size this class serves: past the previous class's size, up to its own.
    for (let eighths = index === 0 ? 0 : classSize(index - 1) / 8 + 1; eighths <= size / 8; eighths++) this.bySize[eighths] = pool;
    return pool;
  }
}
