// A pool's free list: a lock-free LIFO threaded through the first word of
// each free object, its head one u64 {ptr, seq} changed only by CAS. Every
// rule of the head (pop, push, retire) is here (docs/internals.md §3, §7).
//
//   head (u64, 8-aligned)                           free object      free object
//   | R | seq: 31 bits (high) | ptr: u32 (low) | ---> | next | ... | ---> | 0 | ... |

import { P_HEAD, P_RETURNS, P_WAITERS } from "./layout";
import { deathPoint, sequenceStep } from "./thread";

const PTR_MASK: u64 = 0xffffffff;
/** The sequence bits; a pop's new sequence is masked with it, so it never reaches RETIRED. */
const SEQ_MASK: u64 = 0x7fffffff00000000;
const SEQ_SHIFT: u64 = 32;
const SEQ_ONE: u64 = 1 << SEQ_SHIFT;
const HEAD_RETIRED: u64 = 0x8000000000000000;

/** The first object of a head value (0: the list is empty). */
@inline export function headFirst(head: u64): usize {
  return <usize>(head & PTR_MASK);
}

/** Whether a head value is retired (every push and pop fails). */
@inline export function headRetired(head: u64): bool {
  return (head & HEAD_RETIRED) != 0;
}

/**
 * Pops: swaps the head value `old` the caller read (and walked from its
 * first object to `next`, the link that becomes the head) for `next` with
 * the sequence moved on, so a stale pop of the same head fails (ABA).
 * True when the pop happened. Pops themselves live in pool.ts, next to the
 * records that make them safe against a dying thread.
 */
@inline export function listTryPop(head: usize, old: u64, next: usize): bool {
  return atomic.cmpxchg<u64>(head, old, (((old & SEQ_MASK) + (sequenceStep << SEQ_SHIFT)) & SEQ_MASK) | <u64>next) == old;
}

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
    if (headRetired(old)) return false;
    store<u32>(last, <u32>headFirst(old));
    if (atomic.cmpxchg<u64>(head, old, (old & SEQ_MASK) | <u64>first) == old) {
      wakeObjectWaiters(head - P_HEAD);
      return true;
    }
  }
}

/**
 * Wakes the threads waiting for an object of `pool` (src/pool-waits.ts), if
 * any, once objects came back (a push here, or a release to the backing
 * allocator that makes room under the pool's limit): a waiter counts itself
 * before it reads P_RETURNS and tries, and this reads the count after the
 * change, so one of the two sees the other (both sequentially consistent).
 */
@inline export function objectWaiters(pool: usize): u32 {
  return atomic.load<u32>(pool + P_WAITERS);
}

@inline export function wakeObjectWaiters(pool: usize): void {
  if (objectWaiters(pool) == 0) return;
  atomic.add<u32>(pool + P_RETURNS, 1);
  atomic.notify(pool + P_RETURNS);
}

/** Sets RETIRED on the list (once), freezing what it holds; returns its first object. */
export function listRetire(head: usize): usize {
  while (true) {
    const old = atomic.load<u64>(head);
    if (headRetired(old) || atomic.cmpxchg<u64>(head, old, old | HEAD_RETIRED) == old) return headFirst(old);
  }
}

/** Whether the list is retired. */
@inline export function listRetired(head: usize): bool {
  return headRetired(atomic.load<u64>(head));
}

/** Makes a retired (and emptied) list a new empty one; no thread may push or pop meanwhile. */
export function listRenew(head: usize): void {
  const old = atomic.load<u64>(head);
  atomic.store<u64>(head, ((old & SEQ_MASK) + SEQ_ONE) & SEQ_MASK);
}

/** The list's first object, without taking it (0 if empty). */
export function listFirst(head: usize): usize {
  return headFirst(atomic.load<u64>(head));
}

// Chains are runs of objects linked through their first word. A chain
// holder is a pair of words {first, count} (a cache entry's E_FIRST and
// E_COUNT, or a thread slot's transit); its count, not a 0 link, says
// where it ends.

/** The `count`-th object of a chain (1 is `first`). */
export function chainAt(first: usize, count: u32): usize {
  let object = first;
  for (let i: u32 = 1; i < count; i++) object = <usize>load<u32>(object);
  return object;
}
