// Typed views of the records laid out in layout.ts: cache entries, cache
// block headers and chunk headers, read and written through @inline
// accessors (plain loads and stores: each compiles to one instruction), so
// no call site spells an offset. They use nothing but layout.ts.

import {
  B_CACHED_BYTES,
  B_LIMIT_BYTES,
  B_LIST_HEAD,
  B_LIST_TAIL,
  B_TRAP,
  B_TRAP_OBJECT,
  B_TRAP_OFFSET,
  B_TRAP_WHERE,
  C_PREV_SIZE,
  C_SIZE,
  CACHE_ENTRIES,
  CACHE_ENTRY_SHIFT,
  CACHE_SCRATCH,
  CHUNK_HEADER,
  CHUNK_SIZE_MASK,
  E_COUNT,
  E_FIRST,
  E_FLAGS,
  E_FRONT,
  E_FRONT_CAPACITY,
  E_FRONT_COUNT,
  E_FRONT_FOLDED,
  E_LIST_NEXT,
  E_LIST_PREV,
  E_SIZE,
  E_STAMP,
  E_TOKEN,
  ENTRY_LINKED,
  ENTRY_USED,
} from "./layout";

/**
 * A thread's cache entry of one pool slot (layout.ts, "Thread slots and
 * thread caches"): a chain holder {first, count}, the incarnation and stamp
 * it was filled under, and its links on the block's list.
 */
@unmanaged export class CacheEntry {
  @inline get address(): usize {
    return changetype<usize>(this);
  }

  /** The first cached object (0: none); the chain is linked through the objects' first word. */
  @inline get first(): usize {
    return <usize>load<u32>(changetype<usize>(this) + E_FIRST);
  }
  @inline set first(object: usize) {
    store<u32>(changetype<usize>(this) + E_FIRST, <u32>object);
  }

  @inline get count(): u32 {
    return load<u32>(changetype<usize>(this) + E_COUNT);
  }
  @inline set count(count: u32) {
    store<u32>(changetype<usize>(this) + E_COUNT, count);
  }

  /**
   * The generation of the pool incarnation the objects belong to (0: never
   * used); the entry's place in its block names the slot (slots.ts, makeToken).
   */
  @inline get generation(): u32 {
    return load<u32>(changetype<usize>(this) + E_TOKEN);
  }
  @inline set generation(generation: u32) {
    store<u32>(changetype<usize>(this) + E_TOKEN, generation);
  }

  /** The pool's stamp when the entry was last synchronised. */
  @inline get stamp(): u32 {
    return load<u32>(changetype<usize>(this) + E_STAMP);
  }
  @inline set stamp(stamp: u32) {
    store<u32>(changetype<usize>(this) + E_STAMP, stamp);
  }

  /** The pool's object size. */
  @inline get size(): u32 {
    return load<u32>(changetype<usize>(this) + E_SIZE);
  }
  @inline set size(size: u32) {
    store<u32>(changetype<usize>(this) + E_SIZE, size);
  }

  /** The previous entry on the block's list (-1: none). */
  @inline get listPrev(): i32 {
    return load<i32>(changetype<usize>(this) + E_LIST_PREV);
  }
  @inline set listPrev(index: i32) {
    store<i32>(changetype<usize>(this) + E_LIST_PREV, index);
  }

  /** The next entry on the block's list (-1: none). */
  @inline get listNext(): i32 {
    return load<i32>(changetype<usize>(this) + E_LIST_NEXT);
  }
  @inline set listNext(index: i32) {
    store<i32>(changetype<usize>(this) + E_LIST_NEXT, index);
  }

  /** ENTRY_LINKED, ENTRY_USED. */
  @inline get flags(): u32 {
    return load<u32>(changetype<usize>(this) + E_FLAGS);
  }
  @inline set flags(flags: u32) {
    store<u32>(changetype<usize>(this) + E_FLAGS, flags);
  }

  /** Objects in the front (the JS hit paths' stack before the chain). */
  @inline get frontCount(): u32 {
    return load<u32>(changetype<usize>(this) + E_FRONT_COUNT);
  }
  @inline set frontCount(count: u32) {
    store<u32>(changetype<usize>(this) + E_FRONT_COUNT, count);
  }

  /** Most objects the JS hit paths may put in the front (0: none). */
  @inline get frontCapacity(): u32 {
    return load<u32>(changetype<usize>(this) + E_FRONT_CAPACITY);
  }
  @inline set frontCapacity(capacity: u32) {
    store<u32>(changetype<usize>(this) + E_FRONT_CAPACITY, capacity);
  }

  /** Front objects a fold has put on the chain so far, from the bottom (0 outside a fold). */
  @inline get frontFolded(): u32 {
    return load<u32>(changetype<usize>(this) + E_FRONT_FOLDED);
  }
  @inline set frontFolded(count: u32) {
    store<u32>(changetype<usize>(this) + E_FRONT_FOLDED, count);
  }

  /** Object `slot` of the front. */
  @inline front(slot: u32): usize {
    return <usize>load<u32>(changetype<usize>(this) + E_FRONT + (slot << 2));
  }
  @inline setFront(slot: u32, object: usize): void {
    store<u32>(changetype<usize>(this) + E_FRONT + (slot << 2), <u32>object);
  }

  /** Cached objects of the entry: its chain's and its front's. */
  @inline get cached(): u32 {
    return this.count + this.frontCount;
  }

  @inline get linked(): bool {
    return (this.flags & ENTRY_LINKED) != 0;
  }

  @inline get used(): bool {
    return (this.flags & ENTRY_USED) != 0;
  }
}

/** A thread's cache block: its header, then an entry per pool slot, then the scratch words. */
@unmanaged export class CacheBlock {
  @inline get address(): usize {
    return changetype<usize>(this);
  }

  /** The entry of pool slot `index`. */
  @inline entry(index: u32): CacheEntry {
    return changetype<CacheEntry>(changetype<usize>(this) + CACHE_ENTRIES + (index << CACHE_ENTRY_SHIFT));
  }

  /** The pool slot index of one of its entries. */
  @inline indexOf(entry: CacheEntry): u32 {
    return <u32>((changetype<usize>(entry) - changetype<usize>(this) - CACHE_ENTRIES) >> CACHE_ENTRY_SHIFT);
  }

  /** The BATCH_MAX scratch words of the batch calls. */
  @inline get scratch(): usize {
    return changetype<usize>(this) + CACHE_SCRATCH;
  }

  /** Bytes of the objects its entries hold. */
  @inline get cachedBytes(): u32 {
    return load<u32>(changetype<usize>(this) + B_CACHED_BYTES);
  }
  @inline set cachedBytes(bytes: u32) {
    store<u32>(changetype<usize>(this) + B_CACHED_BYTES, bytes);
  }
  /** The word of cachedBytes, for callers that move objects of a block they name by address. */
  @inline get cachedBytesWord(): usize {
    return changetype<usize>(this) + B_CACHED_BYTES;
  }

  /** The bound of cachedBytes (0: the cache is off). */
  @inline get limitBytes(): u32 {
    return load<u32>(changetype<usize>(this) + B_LIMIT_BYTES);
  }
  @inline set limitBytes(bytes: u32) {
    store<u32>(changetype<usize>(this) + B_LIMIT_BYTES, bytes);
  }

  /** The index of the entry at the head of the list of current entries (-1: empty). */
  @inline get listHead(): i32 {
    return load<i32>(changetype<usize>(this) + B_LIST_HEAD);
  }
  @inline set listHead(index: i32) {
    store<i32>(changetype<usize>(this) + B_LIST_HEAD, index);
  }

  @inline get listTail(): i32 {
    return load<i32>(changetype<usize>(this) + B_LIST_TAIL);
  }
  @inline set listTail(index: i32) {
    store<i32>(changetype<usize>(this) + B_LIST_TAIL, index);
  }

  /** Records why the thread's core call is about to trap (TRAP_*), for the wrapper. */
  @inline setTrap(kind: u32, where: u32, object: u32): void {
    store<u32>(changetype<usize>(this) + B_TRAP, kind);
    store<u32>(changetype<usize>(this) + B_TRAP_WHERE, where);
    store<u32>(changetype<usize>(this) + B_TRAP_OBJECT, object);
  }

  @inline set trapOffset(offset: u32) {
    store<u32>(changetype<usize>(this) + B_TRAP_OFFSET, offset);
  }
}

/** A chunk of the backing allocator (layout.ts, "Chunks"): its header word is size | flags. */
@unmanaged export class Chunk {
  /** The size and flags word. */
  @inline get word(): u32 {
    return load<u32>(changetype<usize>(this) + C_SIZE);
  }
  @inline set word(word: u32) {
    store<u32>(changetype<usize>(this) + C_SIZE, word);
  }

  /** The whole chunk's size, header included. */
  @inline get size(): u32 {
    return this.word & CHUNK_SIZE_MASK;
  }

  /** The size of the chunk just before this one in memory (0: none). */
  @inline get prevSize(): u32 {
    return load<u32>(changetype<usize>(this) + C_PREV_SIZE);
  }
}

/** The chunk that holds `object` (a payload). */
@inline export function chunkOf(object: usize): Chunk {
  return changetype<Chunk>(object - CHUNK_HEADER);
}
