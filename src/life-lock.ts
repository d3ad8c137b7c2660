// Liveness in browsers and Deno: a thread of a heap holds a Web Lock for as
// long as it is attached (its "life lock"), and the runtime releases it when
// the thread ends, terminate() and closed tabs included (Deno up to about
// 30 ms early: thread-ends.ts, lifeLockGraceMs). A lock that is no longer held
// while the thread's slot is still live tells that the thread is gone:
// heap.reclaimGone() reclaims such threads. The slot's T_LIFE_LOCK word is
// set only once the lock is granted, so a thread still waiting for its lock
// is never taken for gone; Heap.create and Heap.attach return only once it
// is granted, so a thread that ends soon after is not missed either; close()
// releases the lock only after the slot is free. Node and Bun have exit
// events instead (thread-ends.ts).

interface LockManagerLike {
  request(name: string, callback: () => Promise<void>): Promise<unknown>;
  query(): Promise<{ held?: { name?: string }[] }>;
}

function lockManager(): LockManagerLike | undefined {
  const locks = (globalThis as { navigator?: { locks?: LockManagerLike } }).navigator?.locks;
  return typeof locks?.request === "function" && typeof locks.query === "function" ? locks : undefined;
}

export function lifeLockName(heapId: number, threadId: number): string {
  return `wasm-pools:${heapId}:${threadId}`;
}

/** This thread's hold of its life lock. */
export interface LifeLockHold {
  /** Settles once the lock is held (at once where there are no Web Locks). */
  readonly granted: Promise<void>;
  /** Lets go of the lock. */
  release(): void;
}

/** Takes this thread's life lock; `onGranted` runs once it is held. */
export function holdLifeLock(name: string, onGranted: () => void): LifeLockHold {
  const locks = lockManager();
  if (!locks) return { granted: Promise.resolve(), release: () => {} };
  let release!: () => void;
  const held = new Promise<void>((resolve) => (release = resolve));
  const granted = new Promise<void>((resolve) => {
    locks
      .request(name, () => {
        onGranted();
        resolve();
        return held;
      })
      .catch(() => resolve());
  });
  return { granted, release };
}

/** The names of every Web Lock held in this origin, or undefined where there are no Web Locks. */
export async function heldLockNames(): Promise<Set<string> | undefined> {
  const locks = lockManager();
  if (!locks) return undefined;
  const snapshot = await locks.query();
  return new Set((snapshot.held ?? []).map((lock) => lock.name ?? ""));
}
