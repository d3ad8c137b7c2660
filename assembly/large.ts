// Large blocks: malloc beyond the largest size class (src/malloc.ts) takes
// one chunk of the backing allocator, marked so that free can tell it from
// a pool object and refuse anything else (layout.ts, LARGE_MARK). Both
// calls are one section of the backing allocator, logged like the others:
// a thread stopped inside one is rolled back (docs/internals.md §9).

import { endSection } from "./backing";
import { allocChunkLocked, chunkSizeFor, freeChunkLocked } from "./bins";
import { injectFailure } from "./faults";
import {
  ARENA_START,
  CHUNK_HEADER,
  CHUNK_MAX_PAYLOAD,
  CHUNK_ON_FREE_LIST,
  CHUNK_USED,
  ERR_BAD_POINTER,
  H_BACKING_TOP,
  H_LARGE_BLOCKS,
  H_LARGE_BYTES,
  LARGE_KEY,
  LARGE_MARK,
  LARGE_PREFIX,
  OK,
} from "./layout";
import { backingLock } from "./locks";
import { Chunk, chunkOf } from "./records";
import { deathPoint } from "./thread";
import { loggedStore } from "./undo";

/** A large block of at least `bytes` for the caller; 0 when memory (or fault injection) refuses it. */
export function largeAlloc(bytes: u32): usize {
  if (bytes > CHUNK_MAX_PAYLOAD - LARGE_PREFIX || injectFailure()) return 0;
  const size = chunkSizeFor(bytes + LARGE_PREFIX);
  deathPoint();
  backingLock();
  const chunk = allocChunkLocked(size);
  let block: usize = 0;
  if (chunk != 0) {
    const payload = chunk + CHUNK_HEADER;
    loggedStore(payload, LARGE_MARK);
    loggedStore(payload + 4, <u32>payload ^ LARGE_KEY);
    loggedStore(H_LARGE_BLOCKS, load<u32>(H_LARGE_BLOCKS) + 1);
    loggedStore(H_LARGE_BYTES, load<u32>(H_LARGE_BYTES) + size);
    block = payload + LARGE_PREFIX;
  }
  endSection();
  return block;
}

/** Whether `block` is a large block handed out and not freed since. Backing lock held. */
function isLargeBlockLocked(block: usize): bool {
  if ((block & 7) != 0 || block < ARENA_START + CHUNK_HEADER + LARGE_PREFIX) return false;
  const top = <usize>load<u32>(H_BACKING_TOP);
  if (block >= top) return false;
  const payload = block - LARGE_PREFIX;
  const chunk = chunkOf(payload);
  const size = chunk.size;
  return (
    (chunk.word & (CHUNK_USED | CHUNK_ON_FREE_LIST)) == CHUNK_USED &&
    <u64>changetype<usize>(chunk) + size <= <u64>top &&
    changetype<Chunk>(changetype<usize>(chunk) + size).prevSize == size &&
    load<u32>(payload) == LARGE_MARK &&
    load<u32>(payload + 4) == (<u32>payload ^ LARGE_KEY)
  );
}

/** Frees the large block `block`; ERR_BAD_POINTER (and nothing changed) when it is none. */
export function largeFree(block: usize): i32 {
  deathPoint();
  backingLock();
  let status = ERR_BAD_POINTER;
  if (isLargeBlockLocked(block)) {
    const payload = block - LARGE_PREFIX;
    const chunk = chunkOf(payload);
    const size = chunk.size;
    loggedStore(payload, 0);
    loggedStore(H_LARGE_BLOCKS, load<u32>(H_LARGE_BLOCKS) - 1);
    loggedStore(H_LARGE_BYTES, load<u32>(H_LARGE_BYTES) - size);
    freeChunkLocked(changetype<usize>(chunk));
    status = OK;
  }
  endSection();
  return status;
}
