// The backing allocator: variable-size chunks carved from the arena, under
// one mutex (it serves only refills, flush and gc, never the pop/push path).
//
//   ARENA_START                                     top           memory end
//   | used | free | used | used | free | ... | used | uncarved ...        |
//
// Free chunks sit in segregated bins (layout.ts). A request takes the first
// fitting chunk of its own bin, else any chunk of the next non-empty bin
// (found through the bitmap), else carves from `top`, growing the memory
// when needed. A released chunk merges with free neighbours on both sides,
// and with the uncarved region when it ends at `top`, so memory one pool
// gives back serves any other size.
//
// Invariant: top + CHUNK_HEADER <= memory end, so the word at top + 4 always
// exists and holds the size of the chunk ending at top (its "prev size").

import {
  ARENA_START, BIN_BITMAP_WORDS, C_NEXT_FREE, C_PREV_FREE, C_PREV_SIZE, C_SIZE,
  CHUNK_HEADER, CHUNK_MAX_PAYLOAD, CHUNK_MIN, CHUNK_SIZE_MASK, CHUNK_USED,
  H_BACKING_FREE_BYTES, H_BACKING_LOCK, H_BACKING_TOP, H_BACKING_USED_BYTES,
  H_BIN_BITMAP, H_BIN_HEADS, H_MAX_PAGES, PAGE_BYTES, SL_BITS, SMALL_BIN_LIMIT,
} from "./layout";
import { mutexLock, mutexUnlock } from "./mutex";
import { quarantineLocked, uafChecks } from "./quarantine";

/** Grow the memory by at least this many pages at a time (1 MiB), to make growth rare. */
const GROW_STEP_PAGES: u32 = 16;

@inline function chunkSize(chunk: usize): u32 {
  return load<u32>(chunk + C_SIZE) & CHUNK_SIZE_MASK;
}

@inline function chunkIsUsed(chunk: usize): bool {
  return (load<u32>(chunk + C_SIZE) & CHUNK_USED) != 0;
}

@inline function binOf(size: u32): u32 {
  if (size < SMALL_BIN_LIMIT) return size >> 3;
  const fl = 31 - clz<u32>(size);
  const sl = (size >> (fl - SL_BITS)) & ((1 << SL_BITS) - 1);
  return 32 + ((fl - 8) << SL_BITS) + sl;
}

@inline function binHead(bin: u32): usize {
  return H_BIN_HEADS + (bin << 2);
}

/** Chunk size for a payload of `bytes`, or 0 if the request is too large. */
export function chunkSizeFor(bytes: u32): u32 {
  if (bytes > CHUNK_MAX_PAYLOAD) return 0;
  const size = (bytes + CHUNK_HEADER + 7) & ~7;
  return size < CHUNK_MIN ? CHUNK_MIN : size;
}

function insertFree(chunk: usize, size: u32): void {
  store<u32>(chunk + C_SIZE, size);
  const bin = binOf(size);
  const first = load<u32>(binHead(bin));
  store<u32>(chunk + C_NEXT_FREE, first);
  store<u32>(chunk + C_PREV_FREE, 0);
  if (first != 0) store<u32>(<usize>first + C_PREV_FREE, <u32>chunk);
  store<u32>(binHead(bin), <u32>chunk);
  const word = H_BIN_BITMAP + ((bin >> 5) << 2);
  store<u32>(word, load<u32>(word) | (1 << (bin & 31)));
  store<u32>(H_BACKING_FREE_BYTES, load<u32>(H_BACKING_FREE_BYTES) + size);
}

function removeFree(chunk: usize): void {
  const size = chunkSize(chunk);
  const bin = binOf(size);
  const next = load<u32>(chunk + C_NEXT_FREE);
  const prev = load<u32>(chunk + C_PREV_FREE);
  if (prev != 0) store<u32>(<usize>prev + C_NEXT_FREE, next);
  else store<u32>(binHead(bin), next);
  if (next != 0) store<u32>(<usize>next + C_PREV_FREE, prev);
  if (load<u32>(binHead(bin)) == 0) {
    const word = H_BIN_BITMAP + ((bin >> 5) << 2);
    store<u32>(word, load<u32>(word) & ~(1 << (bin & 31)));
  }
  store<u32>(H_BACKING_FREE_BYTES, load<u32>(H_BACKING_FREE_BYTES) - size);
}

/** First non-empty bin at or above `bin`, or -1. */
function nonEmptyBinFrom(bin: u32): i32 {
  let index = bin >> 5;
  let bits = load<u32>(H_BIN_BITMAP + (index << 2)) & (<u32>-1 << (bin & 31));
  while (bits == 0) {
    if (++index >= BIN_BITMAP_WORDS) return -1;
    bits = load<u32>(H_BIN_BITMAP + (index << 2));
  }
  return <i32>((index << 5) + ctz<u32>(bits));
}

/** A free chunk of at least `size` bytes taken out of its bin, or 0. */
function takeFittingChunk(size: u32): usize {
  const bin = binOf(size);
  // First fit inside the request's own bin (sizes there may be smaller).
  let chunk = <usize>load<u32>(binHead(bin));
  while (chunk != 0) {
    if (chunkSize(chunk) >= size) {
      removeFree(chunk);
      return chunk;
    }
    chunk = <usize>load<u32>(chunk + C_NEXT_FREE);
  }
  // Every chunk of a higher bin is large enough.
  const found = nonEmptyBinFrom(bin + 1);
  if (found < 0) return 0;
  chunk = <usize>load<u32>(binHead(<u32>found));
  removeFree(chunk);
  return chunk;
}

/** Marks `chunk` used with `size` bytes, returning any large enough tail to the bins. */
function splitAndMarkUsed(chunk: usize, size: u32): void {
  const whole = chunkSize(chunk);
  if (whole - size >= CHUNK_MIN) {
    const rest = chunk + size;
    const restSize = whole - size;
    store<u32>(rest + C_PREV_SIZE, size);
    store<u32>(rest + restSize + C_PREV_SIZE, restSize);
    insertFree(rest, restSize);
    store<u32>(chunk + C_SIZE, size | CHUNK_USED);
  } else {
    store<u32>(chunk + C_SIZE, whole | CHUNK_USED);
  }
}

/** Carves `size` bytes at top, growing the memory if needed; 0 if the memory is at its limit. */
function carveFromTop(size: u32): usize {
  const top = <usize>load<u32>(H_BACKING_TOP);
  // In 64 bits: near the 4 GiB limit the sum would wrap in 32.
  const needEnd = <u64>top + size + CHUNK_HEADER;
  const end = <u64>memory.size() << 16;
  if (needEnd > end) {
    const needed = <u32>((needEnd - end + PAGE_BYTES - 1) / PAGE_BYTES);
    const maxPages = load<u32>(H_MAX_PAGES);
    const current = <u32>memory.size();
    if (current + needed > maxPages) return 0;
    const wanted = min(max(needed, GROW_STEP_PAGES), maxPages - current);
    if (memory.grow(<i32>wanted) < 0 && memory.grow(<i32>needed) < 0) return 0;
  }
  // The word at top + 4 already holds the previous chunk's size.
  store<u32>(top + C_SIZE, size | CHUNK_USED);
  store<u32>(top + size + C_PREV_SIZE, size);
  store<u32>(H_BACKING_TOP, <u32>(top + size));
  return top;
}

function allocChunkLocked(size: u32): usize {
  let chunk = takeFittingChunk(size);
  if (chunk != 0) splitAndMarkUsed(chunk, size);
  else chunk = carveFromTop(size);
  if (chunk != 0) store<u32>(H_BACKING_USED_BYTES, load<u32>(H_BACKING_USED_BYTES) + chunkSize(chunk));
  return chunk;
}

function freeChunkLocked(chunk: usize): void {
  let size = chunkSize(chunk);
  store<u32>(H_BACKING_USED_BYTES, load<u32>(H_BACKING_USED_BYTES) - size);
  const prevSize = load<u32>(chunk + C_PREV_SIZE);
  if (prevSize != 0 && !chunkIsUsed(chunk - prevSize)) {
    chunk -= prevSize;
    removeFree(chunk);
    size += prevSize;
  }
  const top = <usize>load<u32>(H_BACKING_TOP);
  const next = chunk + size;
  if (next == top) {
    // Give the space back to the uncarved region; chunk + 4 still holds
    // the size of the chunk before it, as the invariant wants.
    store<u32>(H_BACKING_TOP, <u32>chunk);
    return;
  }
  if (!chunkIsUsed(next)) {
    const nextSize = chunkSize(next);
    removeFree(next);
    size += nextSize;
  }
  store<u32>(chunk + size + C_PREV_SIZE, size);
  insertFree(chunk, size);
}

export function backingInit(): void {
  store<u32>(H_BACKING_TOP, ARENA_START);
}

/** Allocates one chunk and returns its payload, or 0. */
export function backingAlloc(bytes: u32): usize {
  const size = chunkSizeFor(bytes);
  if (size == 0) return 0;
  mutexLock(H_BACKING_LOCK);
  const chunk = allocChunkLocked(size);
  mutexUnlock(H_BACKING_LOCK);
  return chunk == 0 ? 0 : chunk + CHUNK_HEADER;
}

/** Releases a payload that backingAlloc returned. */
export function backingFree(payload: usize): void {
  mutexLock(H_BACKING_LOCK);
  freeChunkLocked(payload - CHUNK_HEADER);
  mutexUnlock(H_BACKING_LOCK);
}

/** What the last backingAllocChain on this thread obtained: how many, and the last payload. */
export let chainObtained: u32 = 0;
export let chainLast: usize = 0;

/**
 * Allocates up to `count` payloads of `bytes` under one lock, linked through
 * their first word (the last one's next is 0). Returns the first, or 0.
 */
export function backingAllocChain(bytes: u32, count: u32): usize {
  chainObtained = 0;
  chainLast = 0;
  const size = chunkSizeFor(bytes);
  if (size == 0) return 0;
  let first: usize = 0;
  mutexLock(H_BACKING_LOCK);
  for (let i: u32 = 0; i < count; i++) {
    const chunk = allocChunkLocked(size);
    if (chunk == 0) break;
    const payload = chunk + CHUNK_HEADER;
    store<u32>(payload, 0);
    if (chainLast != 0) store<u32>(chainLast, <u32>payload);
    else first = payload;
    chainLast = payload;
    chainObtained++;
  }
  mutexUnlock(H_BACKING_LOCK);
  return first;
}

/** Releases `count` payloads of a chain linked through their first word. */
export function backingFreeChain(first: usize, count: u32): void {
  mutexLock(H_BACKING_LOCK);
  let payload = first;
  for (let i: u32 = 0; i < count; i++) {
    const next = <usize>load<u32>(payload);
    if (!uafChecks) freeChunkLocked(payload - CHUNK_HEADER);
    else {
      // Debug uaf: released objects wait in the quarantine, as if unmapped.
      const pushedOut = quarantineLocked(payload - CHUNK_HEADER);
      if (pushedOut != 0) freeChunkLocked(pushedOut);
    }
    payload = next;
  }
  mutexUnlock(H_BACKING_LOCK);
}
