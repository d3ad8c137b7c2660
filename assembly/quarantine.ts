// Debug option uaf: what flush and gc give back waits in a quarantine,
// marked released, as if unmapped, and a pop that reads such an object
// gives up (UseAfterFreeError): docs/internals.md §8.

import { C_SIZE, CHUNK_ON_FREE_LIST, CHUNK_RELEASED, H_QUARANTINE, QUARANTINE_SLOTS, TRAP_USE_AFTER_FREE } from "./layout";
import { Chunk, chunkOf } from "./records";
import { poolIndexOf } from "./slots";
import { loggedStore } from "./undo";
import { giveUp } from "./unwind";

/** Whether this thread checks pops for released objects (a module global is per thread). */
export let uafChecks: bool = false;

export function setUafChecks(enabled: bool): void {
  uafChecks = enabled;
}

/**
 * Puts a chunk given back by a pool in the quarantine; returns the chunk it
 * pushes out (to be freed for real), or 0. Call with the backing lock held.
 */
export function quarantineLocked(chunk: usize): usize {
  const header = changetype<Chunk>(chunk).word;
  loggedStore(chunk + C_SIZE, (header | CHUNK_RELEASED) & ~CHUNK_ON_FREE_LIST);
  const ring = <usize>load<u32>(H_QUARANTINE);
  const count = load<u32>(ring);
  const slot = ring + 4 + (count % QUARANTINE_SLOTS) * 4;
  const oldest = <usize>load<u32>(slot);
  loggedStore(slot, <u32>chunk);
  loggedStore(ring, count + 1);
  if (oldest != 0) loggedStore(oldest + C_SIZE, changetype<Chunk>(oldest).word & ~CHUNK_RELEASED);
  return oldest;
}

/** Gives up if a pop of `pool` is about to read the next word of a released object. */
@inline export function checkNotReleased(object: usize, pool: usize): void {
  if (uafChecks && (chunkOf(object).word & CHUNK_RELEASED) != 0) giveUp(TRAP_USE_AFTER_FREE, poolIndexOf(pool), object);
}
