// The backing allocator's chunks: variable-size chunks carved from the
// arena, kept free in segregated bins (a two-level map as TLSF's) and
// merged with free neighbours. Everything here runs with the backing lock
// held and writes through the undo log; the sections that take the lock,
// and the pools' accounting under it, are backing.ts (docs/internals.md §9).
//
// Invariant: top + CHUNK_HEADER <= memory end, so the word at top + 4 always
// exists and holds the size of the chunk ending at top (its "prev size").

import {
  ARENA_START,
  BIN_BITMAP_WORDS,
  C_NEXT_FREE,
  C_PREV_FREE,
  C_PREV_SIZE,
  C_SIZE,
  CHUNK_HEADER,
  CHUNK_MAX_PAYLOAD,
  CHUNK_MIN,
  CHUNK_SIZE_MASK,
  CHUNK_USED,
  H_BACKING_FREE_BYTES,
  H_BACKING_TOP,
  H_BACKING_USED_BYTES,
  H_BIN_BITMAP,
  H_BIN_HEADS,
  H_MAX_PAGES,
  H_TEST_SWITCHES,
  PAGE_BYTES,
  SL_BITS,
  SMALL_BIN_LIMIT,
  TEST_INEXACT_CHUNKS,
} from "./layout";
import { loggedStore } from "./undo";

/** Grow the memory by at least this many pages at a time (1 MiB), to make growth rare. */
const GROW_STEP_PAGES: u32 = 16;

@inline function chunkSize(chunk: usize): u32 {
  return load<u32>(chunk + C_SIZE) & CHUNK_SIZE_MASK;
}

@inline function chunkIsUsed(chunk: usize): bool {
  return (load<u32>(chunk + C_SIZE) & CHUNK_USED) != 0;
}

/** One bin per multiple of 8 below SMALL_BIN_LIMIT; the two-level bins follow them. */
const SMALL_BINS: u32 = SMALL_BIN_LIMIT >> 3;
/** The first level of the two-level bins: log2(SMALL_BIN_LIMIT). */
const FIRST_LEVEL: u32 = 31 - clz<u32>(SMALL_BIN_LIMIT);

@inline function binOf(size: u32): u32 {
  if (size < SMALL_BIN_LIMIT) return size >> 3;
  const fl = 31 - clz<u32>(size);
  const sl = (size >> (fl - SL_BITS)) & ((1 << SL_BITS) - 1);
  return SMALL_BINS + ((fl - FIRST_LEVEL) << SL_BITS) + sl;
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
  loggedStore(chunk + C_SIZE, size);
  const bin = binOf(size);
  const first = load<u32>(binHead(bin));
  loggedStore(chunk + C_NEXT_FREE, first);
  loggedStore(chunk + C_PREV_FREE, 0);
  if (first != 0) loggedStore(<usize>first + C_PREV_FREE, <u32>chunk);
  loggedStore(binHead(bin), <u32>chunk);
  const word = H_BIN_BITMAP + ((bin >> 5) << 2);
  loggedStore(word, load<u32>(word) | (1 << (bin & 31)));
  loggedStore(H_BACKING_FREE_BYTES, load<u32>(H_BACKING_FREE_BYTES) + size);
}

function removeFree(chunk: usize): void {
  const size = chunkSize(chunk);
  const bin = binOf(size);
  const next = load<u32>(chunk + C_NEXT_FREE);
  const prev = load<u32>(chunk + C_PREV_FREE);
  if (prev != 0) loggedStore(<usize>prev + C_NEXT_FREE, next);
  else loggedStore(binHead(bin), next);
  if (next != 0) loggedStore(<usize>next + C_PREV_FREE, prev);
  if (load<u32>(binHead(bin)) == 0) {
    const word = H_BIN_BITMAP + ((bin >> 5) << 2);
    loggedStore(word, load<u32>(word) & ~(1 << (bin & 31)));
  }
  loggedStore(H_BACKING_FREE_BYTES, load<u32>(H_BACKING_FREE_BYTES) - size);
}

/** First non-empty bin at or above `bin`, or -1. */
function nonEmptyBinFrom(bin: u32): i32 {
  let index = bin >> 5;
  let bits = load<u32>(H_BIN_BITMAP + (index << 2)) & ((<u32>-1) << (bin & 31));
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

/** Marks `chunk` used, returning a tail of CHUNK_MIN bytes or more to the bins (allocChunkLocked leaves no smaller one but under TEST_INEXACT_CHUNKS). */
function splitAndMarkUsed(chunk: usize, size: u32): void {
  const whole = chunkSize(chunk);
  if (whole - size >= CHUNK_MIN) {
    const rest = chunk + size;
    const restSize = whole - size;
    loggedStore(rest + C_PREV_SIZE, size);
    loggedStore(rest + restSize + C_PREV_SIZE, restSize);
    insertFree(rest, restSize);
    loggedStore(chunk + C_SIZE, size | CHUNK_USED);
  } else {
    loggedStore(chunk + C_SIZE, whole | CHUNK_USED);
  }
}

/** Carves `size` bytes at top, growing the memory if needed; 0 if the memory is at its limit. */
function carveFromTop(size: u32): usize {
  const top = <usize>load<u32>(H_BACKING_TOP);
  // In 64 bits: near the 4 GiB limit the sum would wrap in 32.
  const needEnd = <u64>top + size + CHUNK_HEADER;
  const end = <u64>memory.size() * PAGE_BYTES;
  if (needEnd > end) {
    const needed = <u32>((needEnd - end + PAGE_BYTES - 1) / PAGE_BYTES);
    const maxPages = load<u32>(H_MAX_PAGES);
    const current = <u32>memory.size();
    if (current + needed > maxPages) return 0;
    const wanted = min(max(needed, GROW_STEP_PAGES), maxPages - current);
    if (memory.grow(<i32>wanted) < 0 && memory.grow(<i32>needed) < 0) return 0;
  }
  // The word at top + 4 already holds the previous chunk's size.
  loggedStore(top + C_SIZE, size | CHUNK_USED);
  loggedStore(top + size + C_PREV_SIZE, size);
  loggedStore(H_BACKING_TOP, <u32>(top + size));
  return top;
}

/** Takes a used chunk of exactly `size` bytes (0 if memory is out). Backing lock held. */
export function allocChunkLocked(size: u32): usize {
  let chunk = takeFittingChunk(size);
  // Every chunk is exactly the size asked, so its header tells a size
  // class apart from the next one (malloc, src/malloc.ts): a fit one
  // header too large (the rest too small to split off) goes back, and a
  // chunk that leaves a whole free chunk behind serves instead.
  if (chunk != 0 && chunkSize(chunk) - size == CHUNK_HEADER && (load<u32>(H_TEST_SWITCHES) & TEST_INEXACT_CHUNKS) == 0) {
    insertFree(chunk, chunkSize(chunk));
    chunk = takeFittingChunk(size + CHUNK_MIN);
  }
  if (chunk != 0) splitAndMarkUsed(chunk, size);
  else chunk = carveFromTop(size);
  if (chunk != 0) loggedStore(H_BACKING_USED_BYTES, load<u32>(H_BACKING_USED_BYTES) + chunkSize(chunk));
  return chunk;
}

/** Gives `chunk` back to the bins, merged with free neighbours. Backing lock held. */
export function freeChunkLocked(chunk: usize): void {
  let size = chunkSize(chunk);
  loggedStore(H_BACKING_USED_BYTES, load<u32>(H_BACKING_USED_BYTES) - size);
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
    loggedStore(H_BACKING_TOP, <u32>chunk);
    return;
  }
  if (!chunkIsUsed(next)) {
    const nextSize = chunkSize(next);
    removeFree(next);
    size += nextSize;
  }
  loggedStore(chunk + size + C_PREV_SIZE, size);
  insertFree(chunk, size);
}

export function backingInit(): void {
  store<u32>(H_BACKING_TOP, ARENA_START);
}
