// A pool's free list: a lock-free LIFO threaded through the first word of
// each free object.
//
//   head (u64, 8-aligned)                           free object      free object
//   | R | seq: 31 bits (high) | ptr: u32 (low) | ---> | next | ... | ---> | 0 | ... |
//
// Every change is one 64-bit compare-and-swap of the whole head. A pop (and
// a detach) writes seq + 1, so a head that was popped and pushed back in the
// meantime (ABA) no longer matches and the stale CAS fails. Pushes keep seq:
// to make the head equal to an old value again a pop must happen in between.
//
// R (RETIRED, the top bit) is set once, when the pool is destroyed
// (registry.ts): from then on every push and pop fails, so a thread that
// resolved the pool before the destroy can never add to or take from its
// list, whatever it does next. The list frozen under R is given back under
// the backing lock (backing.ts, backingReleaseFrozen).
//
// A pop reads `next` from the head object before its CAS; the caller holds
// the pool's flush_lock for reading so that the object cannot have been
// given back to the backing allocator meanwhile (locks.ts). Pops live in
// pool.ts, next to the records that make them safe against a dying thread.

import { deathPoint } from "./thread";

export const PTR_MASK: u64 = 0xffffffff;
/** The sequence bits; a pop's new sequence is masked with it, so it never reaches RETIRED. */
export const SEQ_MASK: u64 = 0x7fffffff00000000;
export const SEQ_ONE: u64 = 1 << 32;
export const HEAD_RETIRED: u64 = 0x8000000000000000;

/**
 * Pushes the chain first -> ... -> last (last's next word is overwritten).
 * Returns true once the push happened (the loop head is reached only
 * before it), false when the list is retired (nothing changed).
 */
@inline
export function listPushChain(head: usize, first: usize, last: usize): bool {
  while (true) {
    deathPoint();
    const old = atomic.load<u64>(head);
    if ((old & HEAD_RETIRED) != 0) return false;
    store<u32>(last, <u32>(old & PTR_MASK));
    if (atomic.cmpxchg<u64>(head, old, (old & SEQ_MASK) | <u64>first) == old) return true;
  }
}

/** Sets RETIRED on the list (once), freezing what it holds; returns its first object. */
export function listRetire(head: usize): usize {
  while (true) {
    const old = atomic.load<u64>(head);
    if ((old & HEAD_RETIRED) != 0 || atomic.cmpxchg<u64>(head, old, old | HEAD_RETIRED) == old) return <usize>(old & PTR_MASK);
  }
}

/** Whether the list is retired. */
@inline export function listRetired(head: usize): bool {
  return (atomic.load<u64>(head) & HEAD_RETIRED) != 0;
}

/** Makes a retired (and emptied) list a new empty one; no thread may push or pop meanwhile. */
export function listRenew(head: usize): void {
  const old = atomic.load<u64>(head);
  atomic.store<u64>(head, ((old & SEQ_MASK) + SEQ_ONE) & SEQ_MASK);
}

/** The list's first object, without taking it (0 if empty). */
export function listFirst(head: usize): usize {
  return <usize>(atomic.load<u64>(head) & PTR_MASK);
}

// Chains are runs of objects linked through their first word. A chain
// holder is a pair of words {first, count} (a cache entry's E_FIRST and
// E_COUNT, or a thread slot's transit); its count, not a 0 link, says
// where it ends.

export function chainLength(first: usize): u32 {
  let count: u32 = 0;
  for (let object = first; object != 0; object = <usize>load<u32>(object)) count++;
  return count;
}

/** The `count`-th object of a chain (1 is `first`). */
export function chainAt(first: usize, count: u32): usize {
  let object = first;
  for (let i: u32 = 1; i < count; i++) object = <usize>load<u32>(object);
  return object;
}
