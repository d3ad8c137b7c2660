// Liveness in browsers and Deno: a thread of a heap holds a Web Lock for as
// long as it is attached (its "life lock"), and the runtime releases it when
// the thread ends, terminate() and closed tabs included (Deno up to about
// 30 ms early: thread-ends.ts, lifeLockGraceMs). A lock that is no longer held
// while the thread's slot is still live tells that the thread is gone:
// heap.reclaimGone() reclaims such threads (reclaim.ts).
//
// The thread takes its lock before it claims a slot, and the core writes the
// lock's id in the slot (T_LIFE_LOCK) before the slot is LIVE: a LIVE slot
// always names a lock that was held, so a thread that ends at any point of
// attaching is either found by its lock or has no LIVE slot. (Taken after
// the attach, as until ABI 14, a worker terminated while its lock request
// waited for its grant left a LIVE slot that named no lock, for good.)
// close() releases the lock only after the slot is free. Node and Bun have
// exit events instead (thread-ends.ts), and take no lock.

interface LockLike {
  readonly name?: string;
}

interface LockManagerLike {
  request(name: string, options: { ifAvailable: boolean }, callback: (lock: LockLike | null) => Promise<void>): Promise<unknown>;
  query(): Promise<{ held?: LockLike[] }>;
}

function lockManager(): LockManagerLike | undefined {
  const locks = (globalThis as { navigator?: { locks?: LockManagerLike } }).navigator?.locks;
  return typeof locks?.request === "function" && typeof locks.query === "function" ? locks : undefined;
}

export function lifeLockName(heapId: number, lockId: number): string {
  return `wasm-pools:${heapId}:${lockId}`;
}

/** This thread's hold of its life lock. */
export interface LifeLockHold {
  /** What the slot records (T_LIFE_LOCK): the lock's id, 0 for none. */
  readonly id: number;
  /** Lets go of the lock. */
  release(): void;
}

/** No lock: where exit events tell of a thread's end, or where there are no Web Locks. */
export const NO_LOCK: LifeLockHold = { id: 0, release: () => {} };

/**
 * Tries the lock `name` without waiting; the hold, or undefined when another
 * thread holds it. Where the runtime refuses Web Locks (an opaque origin),
 * no lock: the thread attaches, and only its close() frees its slot.
 */
function tryHold(locks: LockManagerLike, name: string, id: number): Promise<LifeLockHold | undefined> {
  return new Promise((resolve) => {
    let release!: () => void;
    const held = new Promise<void>((done) => (release = done));
    locks
      .request(name, { ifAvailable: true }, (lock) => {
        if (lock === null) {
          resolve(undefined);
          return Promise.resolve();
        }
        resolve({ id, release });
        return held;
      })
      .catch(() => resolve(NO_LOCK));
  });
}

/**
 * Takes a life lock for heap `heapId` under a random id no other thread
 * holds (an id that is taken is drawn again); with no Web Locks, none.
 */
export async function takeLifeLock(heapId: number): Promise<LifeLockHold> {
  const locks = lockManager();
  if (!locks) return NO_LOCK;
  for (;;) {
    const id = crypto.getRandomValues(new Uint32Array(1))[0]!;
    if (id === 0) continue;
    const hold = await tryHold(locks, lifeLockName(heapId, id), id);
    if (hold) return hold;
  }
}

/** The names of every Web Lock held in this origin, or undefined where there are no Web Locks. */
export async function heldLockNames(): Promise<Set<string> | undefined> {
  const locks = lockManager();
  if (!locks) return undefined;
  const snapshot = await locks.query();
  return new Set((snapshot.held ?? []).map((lock) => lock.name ?? ""));
}
