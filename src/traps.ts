// The core stops with a wasm trap in two situations it cannot return from:
// a pop that read a released object (debug uaf), and a lock that stayed held
// too long (its holder died). Just before, it records why in the calling
// thread's cache block. Every core call goes through a wrapper that turns
// such a trap into a typed error; it reads nothing unless a call throws, and
// the JS hit paths do not call the core at all.

import { LockTimeoutError, UseAfterFreeError } from "./errors.js";
import {
  B_TRAP,
  B_TRAP_OBJECT,
  B_TRAP_WHERE,
  H_BACKING_LOCK,
  H_REGISTRY_LOCK,
  MAX_POOLS,
  P_FLUSH_LOCK,
  POOL_SLOT_SIZE,
  POOLS_START,
  TRAP_LOCK_TIMEOUT,
  TRAP_USE_AFTER_FREE,
} from "./layout.js";
import { poolName } from "./pool.js";
import type { MemoryViews } from "./views.js";
import type { CoreExports } from "./wasm.js";

function lockName(views: MemoryViews, address: number): string {
  if (address === H_BACKING_LOCK) return "the backing allocator's lock";
  if (address === H_REGISTRY_LOCK) return "the pool registry's lock";
  const id = (address - P_FLUSH_LOCK - POOLS_START) / POOL_SLOT_SIZE;
  if (Number.isInteger(id) && id >= 0 && id < MAX_POOLS) return `pool "${poolName(views, id)}"'s flush lock`;
  return `the lock at ${address}`;
}

/** The error a trap recorded in the thread's cache block stands for (and clears the record), if any. */
function recordedTrap(views: MemoryViews, block: number): Error | undefined {
  const kind = views.anyWord(block + B_TRAP);
  const where = views.anyWord(block + B_TRAP_WHERE);
  new Uint32Array(views.memory.buffer)[(block + B_TRAP) >>> 2] = 0;
  if (kind === TRAP_USE_AFTER_FREE) {
    return new UseAfterFreeError(
      `pool "${poolName(views, where)}" (id ${where}): a pop read object ${views.anyWord(block + B_TRAP_OBJECT)} after flush or gc ` +
        "had given it back (use after free: the flush lock must keep pops and releases apart)",
    );
  }
  if (kind === TRAP_LOCK_TIMEOUT) {
    return new LockTimeoutError(
      `${lockName(views, where)} has not changed hands for about 3 seconds: a thread probably died holding it ` +
        "(worker.terminate()); heap.reclaimThread(id) releases a terminated worker's hold of a flush lock",
    );
  }
  return undefined;
}

/** The core, with every function's recorded traps turned into UseAfterFreeError or LockTimeoutError. */
export function reportingCore(core: CoreExports, views: MemoryViews, block: number): CoreExports {
  const report = (error: unknown): never => {
    throw (error instanceof WebAssembly.RuntimeError && recordedTrap(views, block)) || error;
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
