// Batch calls: allocMany and freeMany move up to BATCH_MAX pointers through
// the scratch words in one call, writing the entry's first object at every
// object and its count once at the end; a reclaimer recounts (docs/internals.md §5).

import { cacheAlloc, cacheFree, corruptEntry } from "./cache";
import { addCachedBytes, cacheBlock, cacheOff, cacheScratch, entryCurrent, foldFront, markUsed, overBound } from "./cache-block";
import { evict } from "./cache-miss";
import { checkFreeable, putIfFreeable, takeIfFreeObject } from "./chunks";
import { debugChecks, tagBytes } from "./debug";
import { ALLOC_FAILED, ALLOC_STALE_POOL, BATCH_MAX, ERR_STALE_POOL, H_BACKING_TOP, OK } from "./layout";
import { tokenIndex } from "./slots";
import { deathPoint } from "./thread";

/**
 * Allocates objects into the scratch words from index `from` up to `count`
 * (<= BATCH_MAX); returns the index reached (where it stopped short, memory
 * or the limit ran out), or ERR_STALE_POOL when it took none.
 */
export function cacheAllocMany(token: u64, from: u32, count: u32): i32 {
  if (debugChecks) return allocOneByOne(token, from, count);
  const scratch = cacheScratch();
  const wanted = min(count, BATCH_MAX);
  const index = tokenIndex(token);
  const entry = cacheBlock.entry(index);
  // The batch takes from the chain, below what the front holds: the front is folded first.
  if (entry.frontCount != 0 && entryCurrent(entry, token, index)) foldFront(cacheBlock, entry);
  let done: u32 = from;
  while (done < wanted) {
    let object = entry.first;
    if (object != 0 && entryCurrent(entry, token, index)) {
      const start = done;
      const wantedPayload = entry.size + tagBytes();
      const top = <usize>load<u32>(H_BACKING_TOP);
      do {
        if (!ASC_NO_ASSERT) deathPoint(); // the debug build's, to keep 1 ns per object off the release loops
        // Each link is checked before it is followed (chunks.ts); a broken one ends the call (cache.ts).
        if (!takeIfFreeObject(object, wantedPayload, top)) corruptEntry(entry, index, object);
        store<u32>(scratch + (done << 2), <u32>object);
        object = <usize>load<u32>(object);
        entry.first = object;
        done++;
      } while (object != 0 && done < wanted);
      const taken = done - start;
      entry.count -= taken;
      addCachedBytes(-(<i32>(taken * entry.size)));
      markUsed(entry);
    } else {
      object = cacheAlloc(token);
      if (object == ALLOC_STALE_POOL) return done == from ? ERR_STALE_POOL : <i32>done;
      if (object == ALLOC_FAILED) return <i32>done;
      store<u32>(scratch + (done << 2), <u32>object);
      done++;
    }
  }
  return <i32>done;
}

/** Frees the first `count` (<= BATCH_MAX) scratch words; returns how many were freed before the first refusal. */
export function cacheFreeMany(token: u64, count: u32): i32 {
  // With the cache off, every object goes to the shared list (cacheFree): the entry must stay empty.
  if (debugChecks || cacheOff()) return freeOneByOne(token, count);
  const scratch = cacheScratch();
  const wanted = min(count, BATCH_MAX);
  const index = tokenIndex(token);
  const entry = cacheBlock.entry(index);
  let done: u32 = 0;
  while (done < wanted) {
    if (!entryCurrent(entry, token, index)) {
      if (cacheFree(token, <usize>load<u32>(scratch + (done << 2))) != OK) return <i32>done;
      done++;
      continue;
    }
    // The batch goes on the chain, above what the front holds: the front is
    // folded first, and only for an object that will be put (a refused call
    // changes nothing; the caller frees the refused one alone to learn why).
    if (entry.frontCount != 0) {
      if (checkFreeable(entry.size, <usize>load<u32>(scratch + (done << 2))) != OK) return <i32>done;
      foldFront(cacheBlock, entry);
    }
    const size = entry.size;
    const wantedPayload = size + tagBytes();
    const top = <usize>load<u32>(H_BACKING_TOP);
    let first = entry.first;
    const start = done;
    let refused = false;
    while (done < wanted) {
      if (!ASC_NO_ASSERT) deathPoint();
      const object = <usize>load<u32>(scratch + (done << 2));
      // The checks of checkFreeable; a refused object is freed alone by the caller to learn why.
      if (!putIfFreeable(object, wantedPayload, top)) {
        refused = true;
        break;
      }
      store<u32>(object, <u32>first);
      first = object;
      entry.first = first;
      done++;
    }
    if (done > start) {
      entry.count += done - start;
      addCachedBytes(<i32>((done - start) * size));
      markUsed(entry);
      if (overBound()) evict(index);
    }
    if (refused) return <i32>done;
  }
  return <i32>done;
}

// With debug checks on, the batches go object by object through the checked
// paths: the loops above stay free of the checks (they cost 1 ns per object
// there). So do frees with the cache off.

function allocOneByOne(token: u64, from: u32, count: u32): i32 {
  const scratch = cacheScratch();
  const wanted = min(count, BATCH_MAX);
  for (let done: u32 = from; done < wanted; done++) {
    const object = cacheAlloc(token);
    if (object == ALLOC_STALE_POOL) return done == from ? ERR_STALE_POOL : <i32>done;
    if (object == ALLOC_FAILED) return <i32>done;
    store<u32>(scratch + (done << 2), <u32>object);
  }
  return <i32>wanted;
}

function freeOneByOne(token: u64, count: u32): i32 {
  const scratch = cacheScratch();
  const wanted = min(count, BATCH_MAX);
  for (let done: u32 = 0; done < wanted; done++) {
    if (cacheFree(token, <usize>load<u32>(scratch + (done << 2))) != OK) return <i32>done;
  }
  return <i32>wanted;
}
