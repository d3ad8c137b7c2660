// The core stops a call by trapping; every core call goes through a wrapper
// made here that turns the trap into a typed error. It reads nothing unless
// a call throws, and the JS hit paths do not call the core at all.
//
// Five kinds of give-up are recorded: the call first releases everything it
// held (assembly/unwind.ts, giveUp), then writes why (TRAP_*) and its details
// in the calling thread's cache block, and traps to unwind:
//   TRAP_USE_AFTER_FREE     a pop read an object flush or gc had given back
//                           (debug uaf)                       UseAfterFreeError
//   TRAP_LOCK_TIMEOUT       a lock wait saw no sign of life for about 3 s
//                                                              LockTimeoutError
//   TRAP_CORRUPT_LIST       a free list held a link that is no free object of
//                           its pool (or the pool was marked so) HeapCorruptError
//   TRAP_WRITE_AFTER_FREE   an object about to go out no longer held the
//                           poison (debug poison)             UseAfterFreeError
//   TRAP_RECLAIM_DEFERRED   a reclaim met a busy lock         ReclaimDeferred,
//                           caught by reclaim.ts, which retries it later
// Two more are recorded without a release: TRAP_DIED, the deathPoints test
// switch stopping the thread dead at a death point (that thread must never
// run again), and TRAP_INVARIANT, a failed internal check
// (assembly/asserts.ts) naming which: the thread lets go of what it held
// (thread_release_holds) and the caller gets HeapCorruptError naming the
// check. Any trap without a record is a read outside the memory, treated
// the same way.

import { HeapCorruptError, LockTimeoutError, UseAfterFreeError, WasmPoolsError } from "./errors.js";
import {
  ASSERT_CACHED_BYTES,
  ASSERT_LIST_CONSISTENT,
  ASSERT_LIST_LINK,
  ASSERT_POP_INTO_EMPTY,
  ASSERT_PUSH_COUNT,
  ASSERT_REFILL_CHAIN,
  ASSERT_TAKE_COUNT,
  ASSERT_TRANSIT_EMPTY,
  ASSERT_UNDO_LOG_ROOM,
  B_TRAP,
  B_TRAP_OBJECT,
  B_TRAP_OFFSET,
  B_TRAP_WHERE,
  H_BACKING_LOCK,
  H_REGISTRY_LOCK,
  T_ID,
  TRAP_CORRUPT_LIST,
  TRAP_DIED,
  TRAP_INVARIANT,
  TRAP_LOCK_TIMEOUT,
  TRAP_RECLAIM_DEFERRED,
  TRAP_USE_AFTER_FREE,
  TRAP_WRITE_AFTER_FREE,
} from "./layout.js";
import { channelName, channelOfLock, poolName, poolOfFlushLock, slotOfOwner } from "./slots.js";
import type { MemoryViews } from "./views.js";
import type { CoreExports } from "./wasm.js";

function lockName(views: MemoryViews, address: number): string {
  if (address === H_BACKING_LOCK) return "the backing allocator's lock";
  if (address === H_REGISTRY_LOCK) return "the pool registry's lock";
  const id = poolOfFlushLock(address);
  if (id >= 0) return `pool "${poolName(views, id)}"'s flush lock`;
  const channel = channelOfLock(address);
  if (channel >= 0) return `channel "${channelName(views, channel)}"'s lock`;
  return `the lock at ${address}`;
}

/** Set in a give-up's detail when the holder is a reader of a flush lock (assembly/locks.ts). */
const HOLDS_FOR_READING = 0x10000;
/** A give-up's detail below that bit: the holder's owner value, as in a lock word (docs/internals.md §4). */
const OWNER_MASK = 0xffff;

function ownerName(views: MemoryViews, detail: number): string {
  const owner = detail & OWNER_MASK;
  if (owner === 0) return "by a thread that has let go since";
  const thread = views.anyWord(slotOfOwner(owner) + T_ID);
  return `by heap thread ${thread}${(detail & HOLDS_FOR_READING) !== 0 ? " (for reading)" : ""}`;
}

/**
 * A reclaim met a lock whose holder showed no sign of life for a short while
 * and stopped; the dead slots stay DEAD and the heap retries them later.
 * Caught inside the wrapper: it never reaches a caller.
 */
export class ReclaimDeferred extends WasmPoolsError {
  override readonly name: string = "ReclaimDeferred";
}

/** What each internal check of the core (assembly/layout.ts, ASSERT_*) found broken, in words. */
const CHECKS: Record<number, string> = {
  [ASSERT_CACHED_BYTES]: "the thread cache's byte count would go below 0 (cache-block.ts, addCachedBytes)",
  [ASSERT_LIST_LINK]: "a link of the thread cache's list of entries is out of range (cache-block.ts, listIndex)",
  [ASSERT_LIST_CONSISTENT]: "the thread cache's list of entries does not walk the same both ways (cache-block.ts, listConsistent)",
  [ASSERT_REFILL_CHAIN]: "a refill's chain does not hold the objects it counts (cache-miss.ts, fillEntry)",
  [ASSERT_TAKE_COUNT]: "an object was taken from a cache entry that counts none (cache.ts, takeCached)",
  [ASSERT_POP_INTO_EMPTY]: "a cluster was popped into a cache entry that is not empty (pool.ts, popIntoEntry)",
  [ASSERT_PUSH_COUNT]: "more objects were pushed back than the cache entry holds (pool.ts, pushFromEntry)",
  [ASSERT_TRANSIT_EMPTY]: "a transit started while another was under way (transit.ts)",
  [ASSERT_UNDO_LOG_ROOM]: "the backing allocator's undo log is full (undo.ts)",
};

/** A failed internal check or a read outside the memory: the thread lets go of every lock it held, and the caller gets HeapCorruptError saying what failed. */
function brokenCore(core: CoreExports, what: string): HeapCorruptError {
  try {
    core.thread_release_holds();
  } catch {
    // Nothing more to let go of.
  }
  return new HeapCorruptError([
    `the allocator's core stopped on ${what}: memory it manages was overwritten (a write after free, or past an object's end)`,
    "this thread let go of every lock it held; heap.check() tells what else is broken",
  ]);
}

/** The error a trap recorded in the thread's cache block stands for (and clears the record), if any. */
function recordedTrap(core: CoreExports, views: MemoryViews, block: number, onDeath: () => void): Error | undefined {
  const kind = views.anyWord(block + B_TRAP);
  const where = views.anyWord(block + B_TRAP_WHERE);
  const detail = views.anyWord(block + B_TRAP_OBJECT);
  new Uint32Array(views.memory.buffer)[(block + B_TRAP) >>> 2] = 0;
  if (kind === TRAP_USE_AFTER_FREE) {
    return new UseAfterFreeError(
      `pool "${poolName(views, where)}" (id ${where}): a pop read object ${detail} after flush or gc ` +
        "had given it back (use after free: the flush lock must keep pops and releases apart)",
    );
  }
  if (kind === TRAP_LOCK_TIMEOUT) {
    return new LockTimeoutError(
      `${lockName(views, where)}, held ${ownerName(views, detail)}, showed no sign of life for about 3 seconds. ` +
        "If that thread was terminated, reclaim it (heap.reclaimThread; a Node thread does it by itself once it sees the worker's exit event) and retry. " +
        "This call released everything it held",
    );
  }
  if (kind === TRAP_CORRUPT_LIST) {
    const pool = `pool "${poolName(views, where)}" (id ${where})`;
    return new HeapCorruptError([
      detail === 0
        ? `${pool} is marked corrupt: one of its free lists held a link that was no free object of it`
        : `${pool}: a free list holds ${detail}, which is no free object of the pool (an object written after it was freed?)`,
      "the pool's allocations refuse from now on, other pools work on; destroy it with pool.destroy({ force: true }) and create it again",
    ]);
  }
  if (kind === TRAP_WRITE_AFTER_FREE) {
    const offset = views.anyWord(block + B_TRAP_OFFSET);
    return new UseAfterFreeError(
      `pool "${poolName(views, where)}" (id ${where}): object ${detail} was written at offset ${offset} after it was freed ` +
        "(debug poison: it no longer held the poison when alloc was about to hand it out; it was poisoned again)",
    );
  }
  if (kind === TRAP_RECLAIM_DEFERRED) {
    return new ReclaimDeferred(`a reclaim waits for ${lockName(views, where)}, held ${ownerName(views, detail)}`);
  }
  if (kind === TRAP_INVARIANT) {
    return brokenCore(core, `a failed internal check: ${CHECKS[where] ?? `check ${where}`}`);
  }
  if (kind === TRAP_DIED) {
    onDeath();
    return new WasmPoolsError(`this thread stopped dead at death point ${where} (test switch deathPoints); it must never run again`);
  }
  return undefined;
}

/** A trap the core did not record: it read outside the memory, because a stray write left a pointer where the allocator keeps its own words. */
function unrecordedTrap(core: CoreExports, error: WebAssembly.RuntimeError): Error {
  return brokenCore(core, `a bad memory access (${error.message})`);
}

/** The core, with every function's traps turned into typed errors: recorded ones, and any other (HeapCorruptError). */
export function reportingCore(core: CoreExports, views: MemoryViews, block: number, onDeath: () => void): CoreExports {
  const report = (error: unknown): never => {
    if (!(error instanceof WebAssembly.RuntimeError)) throw error;
    throw recordedTrap(core, views, block, onDeath) ?? unrecordedTrap(core, error);
  };
  const wrapped: Record<string, unknown> = {};
  for (const [name, value] of Object.entries(core)) {
    if (typeof value !== "function") continue;
    // Fixed arities: a rest parameter would cost more than the call itself on the cache-off path.
    const f = value as (...args: number[]) => number;
    wrapped[name] =
      f.length <= 1
        ? (a: number) => {
            try {
              return f(a);
            } catch (error) {
              return report(error);
            }
          }
        : f.length === 2
          ? (a: number, b: number) => {
              try {
                return f(a, b);
              } catch (error) {
                return report(error);
              }
            }
          : f.length === 3
            ? (a: number, b: number, c: number) => {
                try {
                  return f(a, b, c);
                } catch (error) {
                  return report(error);
                }
              }
            : (...args: number[]) => {
                try {
                  return f(...args);
                } catch (error) {
                  return report(error);
                }
              };
  }
  return wrapped as unknown as CoreExports;
}
