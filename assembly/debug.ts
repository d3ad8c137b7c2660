// Debug options poison and tag (as HAProxy's -dM flags), fixed per heap at
// creation and read into thread-locals at attach. Off, they cost one branch
// on the core's hand-out and free paths (the JS hit paths are off in a heap
// with them, so every operation reaches these checks).
//
//   object (size bytes)                          tag (TAG_BYTES)
//   | payload, poisoned on alloc and free ... | token of the owner pool (u64), 0 when free |
//
// tag: the owner pool's token is written after the object when a pool hands
// it out and cleared when it is freed, so free() can tell an object of
// another pool (ERR_POOL_MISMATCH) from one no pool handed out
// (ERR_NEVER_ALLOCATED). Tokens are never 0 (generations start at 1). The
// token is whole (generation and slot), so an object of an earlier
// incarnation of the same slot is another pool's too.

import {
  DEBUG_POISON,
  DEBUG_POISON_SHIFT,
  DEBUG_TAG,
  ERR_NEVER_ALLOCATED,
  ERR_POOL_MISMATCH,
  H_DEBUG_FLAGS,
  OK,
  TAG_BYTES,
} from "./layout";

/** The free-list link at the start of a free object, which poison leaves alone. */
const LINK_BYTES: u32 = 4;

/** Whether this heap runs any of these checks (a module global is per thread). */
export let debugChecks: bool = false;
let tags: bool = false;
let poison: i32 = -1;

export function readDebugFlags(): void {
  const flags = load<u32>(H_DEBUG_FLAGS);
  tags = (flags & DEBUG_TAG) != 0;
  poison = (flags & DEBUG_POISON) != 0 ? <i32>((flags >> DEBUG_POISON_SHIFT) & 0xff) : -1;
  debugChecks = tags || poison >= 0;
}

/** Extra bytes each pool object needs after its payload. */
@inline export function tagBytes(): u32 {
  return tags ? TAG_BYTES : 0;
}

/** An object of `size` bytes of the pool `token` is handed out. */
export function debugHandOut(object: usize, size: u32, token: u64): void {
  if (poison >= 0) memory.fill(object, <u8>poison, size);
  if (tags) store<u64>(object + size, token);
}

/** Whether `object`, which passed checkFreeable, may be freed into the pool `token`; OK or an error. */
export function debugCheckFree(object: usize, size: u32, token: u64): i32 {
  if (!tags) return OK;
  const tag = load<u64>(object + size);
  if (tag == token) return OK;
  return tag == 0 ? ERR_NEVER_ALLOCATED : ERR_POOL_MISMATCH;
}

/** Where a free object stopped holding the poison: the first changed byte past its link word, or -1 (poison off, or intact). */
export function poisonDamage(object: usize, size: u32): i32 {
  if (poison < 0) return -1;
  for (let offset: u32 = LINK_BYTES; offset < size; offset++) {
    if (<i32>load<u8>(object + offset) != poison) return <i32>offset;
  }
  return -1;
}

/** Fills a free object with the poison again, past its link word. */
export function repoison(object: usize, size: u32): void {
  if (poison >= 0 && size > LINK_BYTES) memory.fill(object + LINK_BYTES, <u8>poison, size - LINK_BYTES);
}

/** Poisons `count` new free objects chained from `first` (fresh from the backing allocator, which does not). */
export function poisonChain(first: usize, count: u32, size: u32): void {
  let object = first;
  for (let i: u32 = 0; i < count && object != 0; i++) {
    repoison(object, size);
    object = <usize>load<u32>(object);
  }
}

/** An object of `size` bytes is freed (its free-list link is written after this). */
export function debugOnFree(object: usize, size: u32): void {
  if (poison >= 0) memory.fill(object, <u8>poison, size);
  if (tags) store<u64>(object + size, 0);
}
