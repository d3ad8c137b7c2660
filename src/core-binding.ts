// What a Heap and its Pools call through. The Heap owns one binding and
// swaps its `core` for a throwing stand-in (and its words for none) when it
// closes, so every Pool of that heap refuses further calls at no cost on the
// hot path; a destroyed Pool gets a throwing binding of its own.

import type { CoreExports } from "./wasm.js";

export interface CoreBinding {
  core: CoreExports;
  /** The whole memory as u32 words, for the cache-hit paths (cache-hit.ts); empty once the heap is closed. */
  words: Uint32Array;
  /** Word index of this thread's cache block. */
  readonly block: number;
  /** This thread's BATCH_MAX scratch words, through which the batch calls pass pointers. */
  readonly scratch: Uint32Array;
}

/** What a closed heap's or destroyed pool's binding reads: nothing, so every cache-hit path misses. */
export const NO_WORDS = new Uint32Array(0);

/** A core whose every function throws the error `makeError` builds. */
export function refusingCore(makeError: () => Error): CoreExports {
  const refuse = (): never => {
    throw makeError();
  };
  return {
    heap_create: refuse,
    heap_attach: refuse,
    heap_gc: refuse,
    thread_close: refuse,
    thread_reclaim: refuse,
    thread_reclaim_dead: refuse,
    thread_abandon_attach: refuse,
    thread_scratch: refuse,
    thread_slot: refuse,
    thread_release_holds: refuse,
    thread_give_back: refuse,
    pool_create: refuse,
    pool_destroy: refuse,
    pool_alloc: refuse,
    pool_free: refuse,
    large_alloc: refuse,
    large_free: refuse,
    pool_alloc_many: refuse,
    pool_free_many: refuse,
    pool_flush: refuse,
    pool_free_count: refuse,
    pool_cached_count: refuse,
    channel_create: refuse,
    channel_send: refuse,
    channel_receive: refuse,
    channel_close: refuse,
    channel_destroy: refuse,
  };
}
