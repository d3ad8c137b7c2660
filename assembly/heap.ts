// The heap header: claimed once by a CAS on its init word
// (INIT_EMPTY -> INIT_BUSY -> INIT_READY), then only read. Attaching threads
// check magic and ABI version and take a thread slot (thread-slots.ts); attaching
// changes no other shared state, so a worker may join in the middle of a run.

import { backingAlloc } from "./backing";
import { backingInit } from "./bins";
import { readDebugFlags } from "./debug";
import { seedThread } from "./faults";
import {
  ABI_VERSION,
  DEBUG_UAF,
  ERR_ABI_MISMATCH,
  ERR_ALREADY_INITIALISED,
  ERR_BAD_MAGIC,
  ERR_NO_MEMORY,
  ERR_NOT_READY,
  ERR_STATIC_DATA_TOO_LARGE,
  H_ABI_VERSION,
  H_DEBUG_FLAGS,
  H_FAIL_PPM,
  H_FAIL_SEED,
  H_HEAP_ID,
  H_INIT_STATE,
  H_MAGIC,
  H_MAX_PAGES,
  H_QUARANTINE,
  H_TEST_SWITCHES,
  HEADER_START,
  HEAP_MAGIC,
  INIT_BUSY,
  INIT_EMPTY,
  INIT_READY,
  QUARANTINE_BYTES,
  TEST_DEATH_POINTS,
  TEST_NO_FLUSH_LOCK,
  TEST_NO_RECOVERY,
  TEST_NO_SEQUENCE,
  TEST_NO_TRANSIT_RECOVERY,
  TEST_NO_UNDO,
  TEST_SHORT_PATIENCE,
} from "./layout";
import { setUafChecks } from "./quarantine";
import { setThreadState } from "./thread";
import { threadAttach } from "./thread-slots";

/** Registers the calling thread; returns its id (>= 1) or an error. */
function attachThread(canBlock: bool, cacheLimitBytes: u32, nodeId: u32, parent: u32, grandparent: u32, lifeLock: u32): i32 {
  const switches = load<u32>(H_TEST_SWITCHES);
  const sequenceStep: u64 = (switches & TEST_NO_SEQUENCE) != 0 ? 0 : 1;
  setThreadState(
    canBlock,
    sequenceStep,
    (switches & TEST_NO_FLUSH_LOCK) == 0,
    (switches & TEST_DEATH_POINTS) != 0,
    (switches & (TEST_NO_RECOVERY | TEST_NO_UNDO)) == 0,
    (switches & (TEST_NO_RECOVERY | TEST_NO_TRANSIT_RECOVERY)) == 0,
    (switches & TEST_NO_RECOVERY) == 0,
    (switches & TEST_SHORT_PATIENCE) != 0,
  );
  setUafChecks((load<u32>(H_DEBUG_FLAGS) & DEBUG_UAF) != 0);
  readDebugFlags();
  const id = threadAttach(cacheLimitBytes, nodeId, parent, grandparent, lifeLock);
  if (id > 0) seedThread(<u32>id);
  return id;
}

/**
 * Lays out a new heap in an empty memory; returns this thread's id or an
 * error. No other thread can reach the memory before this returns (a handle
 * is made from a created heap), so this needs no protection from deaths.
 */
export function heapCreate(
  maxPages: u32,
  heapId: u32,
  testSwitches: u32,
  canBlock: bool,
  cacheLimitBytes: u32,
  failPpm: u32,
  failSeed: u32,
  debugFlags: u32,
  nodeId: u32,
  parent: u32,
  grandparent: u32,
  lifeLock: u32,
): i32 {
  // Static data is rewritten by every instantiation and must end below the header.
  if (__heap_base > HEADER_START) return ERR_STATIC_DATA_TOO_LARGE;
  if (atomic.cmpxchg<u32>(H_INIT_STATE, INIT_EMPTY, INIT_BUSY) != INIT_EMPTY) return ERR_ALREADY_INITIALISED;
  store<u32>(H_MAGIC, HEAP_MAGIC);
  store<u32>(H_ABI_VERSION, ABI_VERSION);
  store<u32>(H_HEAP_ID, heapId);
  store<u32>(H_MAX_PAGES, maxPages);
  store<u32>(H_TEST_SWITCHES, testSwitches);
  store<u32>(H_FAIL_PPM, failPpm);
  store<u32>(H_FAIL_SEED, failSeed);
  backingInit();
  store<u32>(H_DEBUG_FLAGS, debugFlags);
  const id = attachThread(canBlock, cacheLimitBytes, nodeId, parent, grandparent, lifeLock);
  if (id > 0 && (debugFlags & DEBUG_UAF) != 0) {
    const quarantine = backingAlloc(QUARANTINE_BYTES, H_QUARANTINE);
    if (quarantine == 0) return ERR_NO_MEMORY;
    memory.fill(quarantine, 0, QUARANTINE_BYTES);
  }
  atomic.store<u32>(H_INIT_STATE, INIT_READY);
  return id;
}

/** Joins a heap another thread created; returns this thread's id or an error. */
export function heapAttach(canBlock: bool, cacheLimitBytes: u32, nodeId: u32, parent: u32, grandparent: u32, lifeLock: u32): i32 {
  // A handle exists only once its heap is ready; anything else is not a heap.
  if (atomic.load<u32>(H_INIT_STATE) != INIT_READY) return ERR_NOT_READY;
  if (load<u32>(H_MAGIC) != HEAP_MAGIC) return ERR_BAD_MAGIC;
  if (load<u32>(H_ABI_VERSION) != ABI_VERSION) return ERR_ABI_MISMATCH;
  return attachThread(canBlock, cacheLimitBytes, nodeId, parent, grandparent, lifeLock);
}
