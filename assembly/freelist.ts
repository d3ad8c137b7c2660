// A pool's free list: a lock-free LIFO threaded through the first word of
// each free object.
//
//   head (u64, 8-aligned)              free object            free object
//   | seq: u32 (high) | ptr: u32 (low) | ---> | next | ... | ---> | 0 | ... |
//
// Every change is one 64-bit compare-and-swap of the whole head. A pop (and
// a detach) writes seq + 1, so a head that was popped and pushed back in the
// meantime (ABA) no longer matches and the stale CAS fails. Pushes keep seq:
// to make the head equal to an old value again a pop must happen in between.
//
// A pop reads `next` from the head object before its CAS; the caller holds
// the pool's flush_lock for reading so that the object cannot have been
// given back to the backing allocator meanwhile (see rwlock.ts).

import { P_HEAD } from "./layout";
import { checkNotReleased } from "./quarantine";
import { sequenceStep } from "./thread";

const PTR_MASK: u64 = 0xffffffff;
const SEQ_MASK: u64 = 0xffffffff00000000;
const SEQ_ONE: u64 = 1 << 32;

@inline
export function listPop(head: usize): usize {
  while (true) {
    const old = atomic.load<u64>(head);
    const first = <usize>(old & PTR_MASK);
    if (first == 0) return 0;
    checkNotReleased(first, head - P_HEAD);
    const next = <u64>load<u32>(first);
    const replacement = ((old & SEQ_MASK) + (sequenceStep << 32)) | next;
    if (atomic.cmpxchg<u64>(head, old, replacement) == old) return first;
  }
}

/** Pushes the chain first -> ... -> last (last's next word is overwritten). */
@inline
export function listPushChain(head: usize, first: usize, last: usize): void {
  while (true) {
    const old = atomic.load<u64>(head);
    store<u32>(last, <u32>(old & PTR_MASK));
    if (atomic.cmpxchg<u64>(head, old, (old & SEQ_MASK) | <u64>first) == old) return;
  }
}

@inline
export function listPush(head: usize, object: usize): void {
  listPushChain(head, object, object);
}

/** Takes the whole list at once and returns its first object (0 if empty). */
export function listDetachAll(head: usize): usize {
  while (true) {
    const old = atomic.load<u64>(head);
    if (atomic.cmpxchg<u64>(head, old, (old & SEQ_MASK) + SEQ_ONE) == old) return <usize>(old & PTR_MASK);
  }
}

/** The list's first object, without taking it (0 if empty). */
export function listFirst(head: usize): usize {
  return <usize>(atomic.load<u64>(head) & PTR_MASK);
}

// Chains are runs of objects linked through their first word, ending in 0:
// what listDetachAll returns and what listPushChain takes.

export function chainLength(first: usize): u32 {
  let count: u32 = 0;
  for (let object = first; object != 0; object = <usize>load<u32>(object)) count++;
  return count;
}

export function chainTail(first: usize): usize {
  let object = first;
  while (load<u32>(object) != 0) object = <usize>load<u32>(object);
  return object;
}
