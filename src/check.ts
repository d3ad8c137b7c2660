// heap.check(): walks every structure of the heap and verifies its
// invariants, for tests and for users who suspect corruption. It reads the
// shared memory only, so its verdict is exact while no thread allocates or
// frees; run it once the threads are quiet.
//
// Checked: the backing allocator's chunk chain (sizes, back links, the byte
// counters, no two free chunks side by side, the large blocks' counters),
// then for every live pool its
// shared free list and every live thread's cache entry for it (each object
// inside the arena, 8-aligned, in a used chunk of exactly the pool's size marked
// free, on one list only, chains as long as their counts), the same for
// every retired pool (destroyed, with objects still out), the chains that
// threads hold in transit (a thread stopped mid-move, not yet reclaimed),
// and the pool's counters (allocated = used + cached + free list +
// transits, within the limit). And every channel: its ring a used chunk big
// enough, its count of messages within its capacity, each message an
// object that is not free.

import { chunkSizeOf, madeFor, markedFree, marksLargeBlock, placed } from "./chunks.js";
import { tagBytes } from "./debug.js";
import { HeapCorruptError } from "./errors.js";
import {
  ARENA_START,
  B_CACHED_BYTES,
  C_PREV_SIZE,
  C_SIZE,
  CH_CAPACITY,
  CH_RECEIVED,
  CH_RING,
  CH_SENT,
  CHANNEL_CAPACITY_MAX,
  CHUNK_HEADER,
  CHUNK_MIN,
  CHUNK_USED,
  E_COUNT,
  E_FIRST,
  E_FRONT,
  E_FRONT_COUNT,
  E_SIZE,
  E_TOKEN,
  FRONT_SLOTS,
  H_BACKING_FREE_BYTES,
  H_BACKING_TOP,
  H_BACKING_USED_BYTES,
  H_LARGE_BLOCKS,
  H_LARGE_BYTES,
  MAX_CHANNELS,
  MAX_POOLS,
  MAX_THREADS,
  P_ALLOCATED,
  P_FLAGS,
  P_HEAD,
  P_LIMIT,
  P_SIZE,
  P_STATE,
  P_USED,
  POOL_CORRUPT,
  POOL_RETIRED,
  T_CACHE,
  T_STATE,
  T_TRANSIT,
  T_TRANSIT_GENERATION,
  T_TRANSIT_POOL,
  THREAD_LIVE,
} from "./layout.js";
import {
  cacheEntryAddress,
  channelGeneration,
  channelName,
  channelSlotAddress,
  incarnationGeneration,
  poolSlotAddress,
  threadSlotAddress,
  u64At,
} from "./slots.js";
import type { MemoryViews } from "./views.js";

/** What heap.check() walked. */
export interface CheckReport {
  /** Live pools checked. */
  pools: number;
  /** Destroyed pools whose slots wait for objects still out (checked too). */
  retiredPools: number;
  /** Objects found on the pools' shared free lists. */
  freeListObjects: number;
  /** Objects found in live threads' caches. */
  cachedObjects: number;
  /** Chunks of the backing allocator walked. */
  chunks: number;
  /** Channels checked (open or closed). */
  channels: number;
}

class Checker {
  readonly problems: string[] = [];
  /** Every free object seen so far, on any list, with where it was seen. */
  readonly seen = new Map<number, string>();
  readonly top: number;

  constructor(readonly views: MemoryViews) {
    this.top = views.word(H_BACKING_TOP);
  }

  problem(text: string): void {
    if (this.problems.length < 50) this.problems.push(text);
  }

  /** Checks one free object of a pool of `size`-byte objects; false if walking on from it is unsafe. */
  freeObject(object: number, size: number, where: string): boolean {
    if (!placed(object, this.top)) {
      this.problem(`${where}: ${object} is not an object address inside the arena`);
      return false;
    }
    const header = this.views.anyWord(object - CHUNK_HEADER + C_SIZE);
    // Every chunk is exactly the size asked (assembly/bins.ts, allocChunkLocked): malloc reads size classes from it.
    if ((header & CHUNK_USED) === 0 || !madeFor(header, size)) {
      this.problem(`${where}: ${object} is not in a used chunk made for ${size}-byte objects`);
      return false;
    }
    if (!markedFree(header)) this.problem(`${where}: ${object} is free but its chunk is not marked free`);
    const before = this.seen.get(object);
    if (before !== undefined) {
      this.problem(`${where}: ${object} is also ${before}`);
      return false;
    }
    this.seen.set(object, where);
    return true;
  }

  /** Walks a chain of free objects from `first`; returns its length (stops at `bound` objects). */
  chain(first: number, size: number, bound: number, where: string): number {
    let length = 0;
    for (let object = first; object !== 0; length++) {
      if (length >= bound) {
        this.problem(`${where}: longer than the ${bound} objects it can hold (a cycle?)`);
        break;
      }
      if (!this.freeObject(object, size, where)) break;
      object = this.views.anyWord(object);
    }
    return length;
  }

  /** Checks channel slot `id`, in use: its ring, its count, and that no message it holds points at a free object. */
  channel(id: number): void {
    const slot = channelSlotAddress(id);
    const where = `channel "${channelName(this.views, id)}" (id ${id})`;
    const capacity = this.views.word(slot + CH_CAPACITY);
    const ring = this.views.word(slot + CH_RING);
    const queued = u64At(this.views, slot + CH_SENT) - u64At(this.views, slot + CH_RECEIVED);
    if (capacity < 1 || capacity > CHANNEL_CAPACITY_MAX) this.problem(`${where}: a capacity of ${capacity}`);
    if (queued < 0 || queued > capacity) this.problem(`${where}: ${queued} messages queued, its capacity is ${capacity}`);
    if (!placed(ring, this.top)) {
      this.problem(`${where}: its ring ${ring} is not inside the arena`);
      return;
    }
    const header = this.views.anyWord(ring - CHUNK_HEADER + C_SIZE);
    if ((header & CHUNK_USED) === 0 || chunkSizeOf(header) - CHUNK_HEADER < capacity * 4) {
      this.problem(`${where}: its ring ${ring} is not a used chunk of ${capacity * 4} bytes or more`);
      return;
    }
    const received = u64At(this.views, slot + CH_RECEIVED);
    for (let n = 0; n < Math.min(queued, capacity); n++) {
      const message = this.views.anyWord(ring + 4 * ((received + n) % capacity));
      if (!placed(message, this.top)) this.problem(`${where}: message ${n} is ${message}, no object address inside the arena`);
      else if (markedFree(this.views.anyWord(message - CHUNK_HEADER + C_SIZE)))
        this.problem(`${where}: message ${n} is ${message}, an object that is free (freed after it was sent?)`);
    }
  }

  /** Whether the used chunk at `chunk` holds a large block (its payload starts with the mark: assembly/layout.ts). */
  isLargeBlock(chunk: number): boolean {
    const payload = chunk + CHUNK_HEADER;
    return marksLargeBlock(payload, this.views.anyWord(payload), this.views.anyWord(payload + 4));
  }

  chunks(): number {
    let used = 0;
    let free = 0;
    let count = 0;
    let largeBlocks = 0;
    let largeBytes = 0;
    let previousSize = 0;
    let previousFree = false;
    let chunk = ARENA_START;
    while (chunk < this.top) {
      const header = this.views.anyWord(chunk + C_SIZE);
      // Unsigned: a free chunk passes 2 GiB in a heap near 4 GiB.
      const size = chunkSizeOf(header);
      if (size < CHUNK_MIN || chunk + size > this.top) {
        this.problem(`backing allocator: the chunk at ${chunk} has a size of ${size}, which leaves the arena or is too small`);
        return count;
      }
      if (this.views.anyWord(chunk + C_PREV_SIZE) !== previousSize) {
        this.problem(
          `backing allocator: the chunk at ${chunk} says its predecessor is ${this.views.anyWord(chunk + C_PREV_SIZE)} bytes, not ${previousSize}`,
        );
      }
      const isFree = (header & CHUNK_USED) === 0;
      if (isFree && previousFree) this.problem(`backing allocator: free chunks side by side at ${chunk - previousSize} and ${chunk}`);
      if (isFree) free += size;
      else used += size;
      if (!isFree && this.isLargeBlock(chunk)) {
        largeBlocks++;
        largeBytes += size;
      }
      previousFree = isFree;
      previousSize = size;
      chunk += size;
      count++;
    }
    if (used !== this.views.word(H_BACKING_USED_BYTES)) {
      this.problem(`backing allocator: used chunks add up to ${used} bytes, the counter says ${this.views.word(H_BACKING_USED_BYTES)}`);
    }
    if (largeBlocks !== this.views.word(H_LARGE_BLOCKS) || largeBytes !== this.views.word(H_LARGE_BYTES)) {
      this.problem(
        `large blocks: ${largeBlocks} marked chunks of ${largeBytes} bytes, the counters say ${this.views.word(H_LARGE_BLOCKS)} of ${this.views.word(H_LARGE_BYTES)}`,
      );
    }
    if (free !== this.views.word(H_BACKING_FREE_BYTES)) {
      this.problem(`backing allocator: free chunks add up to ${free} bytes, the counter says ${this.views.word(H_BACKING_FREE_BYTES)}`);
    }
    return count;
  }
}

function liveCacheBlocks(views: MemoryViews): number[] {
  const blocks: number[] = [];
  for (let slot = 0; slot < MAX_THREADS; slot++) {
    const thread = threadSlotAddress(slot);
    if (views.word(thread + T_STATE) === THREAD_LIVE) blocks.push(views.word(thread + T_CACHE));
  }
  return blocks;
}

export function checkHeap(views: MemoryViews): CheckReport {
  const checker = new Checker(views);
  const chunks = checker.chunks();
  const blocks = liveCacheBlocks(views);
  let pools = 0;
  let retiredPools = 0;
  let freeListObjects = 0;
  let cachedObjects = 0;
  for (let id = 0; id < MAX_POOLS; id++) {
    const generation = incarnationGeneration(views, id);
    if (generation < 0) continue;
    const slot = poolSlotAddress(id);
    const corrupt = (views.word(slot + P_FLAGS) & POOL_CORRUPT) !== 0;
    if (views.word(slot + P_STATE) === POOL_RETIRED) {
      retiredPools++;
      // Destroyed with force after a broken link: what lay past the break is lost, so its counts no longer add up.
      if (corrupt) continue;
    } else {
      pools++;
      if (corrupt) {
        checker.problem(`pool ${id} is marked corrupt (a free list held a broken link): destroy it with { force: true }`);
        continue;
      }
    }
    // With the debug tag each chunk holds the tag after the object too.
    const size = views.word(slot + P_SIZE) + tagBytes(views);
    const allocated = views.word(slot + P_ALLOCATED);
    const offList = views.word(slot + P_USED);
    const limit = views.word(slot + P_LIMIT);
    const name = `pool ${id}`;
    const freeList = checker.chain(views.word(slot + P_HEAD), size, allocated + 1, `${name}'s free list`);
    let inTransit = 0;
    for (let index = 0; index < MAX_THREADS; index++) {
      const thread = threadSlotAddress(index);
      const count = views.word(thread + T_TRANSIT + E_COUNT);
      if (count === 0 || views.word(thread + T_TRANSIT_POOL) !== id || views.word(thread + T_TRANSIT_GENERATION) !== generation) continue;
      const where = `${name}'s objects in transit in thread slot ${index}`;
      let object = views.word(thread + T_TRANSIT);
      for (let n = 0; n < count && checker.freeObject(object, size, where); n++) object = views.anyWord(object);
      inTransit += count;
    }
    let cached = 0;
    for (const block of blocks) {
      const entry = cacheEntryAddress(block, id);
      if (views.anyWord(entry + E_TOKEN) !== generation) continue;
      const count = views.anyWord(entry + E_COUNT);
      const where = `${name}'s objects in the cache at ${block}`;
      const length = checker.chain(views.anyWord(entry + E_FIRST), size, count + 1, where);
      if (length !== count) checker.problem(`${where}: ${length} objects chained, the count says ${count}`);
      if (views.anyWord(entry + E_SIZE) !== views.word(slot + P_SIZE))
        checker.problem(`${where}: the entry's object size is ${views.anyWord(entry + E_SIZE)}, not ${views.word(slot + P_SIZE)}`);
      // The front: objects the JS hit paths stacked before the chain (not in the block's cached bytes).
      const inFront = views.anyWord(entry + E_FRONT_COUNT);
      if (inFront > FRONT_SLOTS)
        checker.problem(`${where}: the front says it holds ${inFront} objects, more than its ${FRONT_SLOTS} slots`);
      else for (let n = 0; n < inFront; n++) checker.freeObject(views.anyWord(entry + E_FRONT + 4 * n), size, `${where} (front)`);
      cached += count + Math.min(inFront, FRONT_SLOTS);
    }
    if (offList < cached) checker.problem(`${name}: ${cached} objects in caches but only ${offList} off the free list`);
    if (allocated - offList !== freeList + inTransit) {
      checker.problem(
        `${name}: allocated ${allocated} - (used + cached) ${offList} = ${allocated - offList}, but the free list holds ${freeList}` +
          (inTransit > 0 ? ` and threads hold ${inTransit} in transit` : ""),
      );
    }
    if (limit !== 0 && allocated > limit) checker.problem(`${name}: ${allocated} objects allocated over its limit of ${limit}`);
    freeListObjects += freeList;
    cachedObjects += cached;
  }
  let channels = 0;
  for (let id = 0; id < MAX_CHANNELS; id++) {
    if (channelGeneration(views, id) < 0) continue;
    channels++;
    checker.channel(id);
  }
  for (const block of blocks) {
    let bytes = 0;
    for (let id = 0; id < MAX_POOLS; id++) {
      const entry = cacheEntryAddress(block, id);
      if (incarnationGeneration(views, id) === views.anyWord(entry + E_TOKEN))
        bytes += views.anyWord(entry + E_COUNT) * views.anyWord(entry + E_SIZE);
    }
    const counted = views.anyWord(block + B_CACHED_BYTES);
    if (counted < bytes) checker.problem(`the cache at ${block} counts ${counted} bytes but holds ${bytes}`);
  }
  if (checker.problems.length > 0) throw new HeapCorruptError(checker.problems);
  return { pools, retiredPools, freeListObjects, cachedObjects, chunks, channels };
}
