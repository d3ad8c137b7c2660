// Liveness in browsers: a thread of a heap holds a Web Lock for as long as it
// is attached (its "life lock"), and the browser releases it when the thread
// ends, terminate() and closed tabs included. A lock that is no longer held
// while the thread's slot is still live tells that the thread is gone:
// heap.reclaimGone() reclaims such threads. The slot's T_LIFE_LOCK word is
// set only once the lock is granted, so a thread still waiting for its lock
// is never taken for gone; close() releases the lock only after the slot is
// free. Node has its exit events instead (exit-hook.ts).

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

/** Takes this thread's life lock; `granted` runs once it is held. Returns its release (a no-op where there are no Web Locks). */
export function holdLifeLock(name: string, granted: () => void): () => void {
  const locks = lockManager();
  if (!locks) return () => {};
  let release!: () => void;
  const held = new Promise<void>((resolve) => (release = resolve));
  locks
    .request(name, () => {
      granted();
      return held;
    })
    .catch(() => {});
  return release;
}

/** The names of every Web Lock held in this origin, or undefined where there are no Web Locks. */
export async function heldLockNames(): Promise<Set<string> | undefined> {
  const locks = lockManager();
  if (!locks) return undefined;
  const snapshot = await locks.query();
  return new Set((snapshot.held ?? []).map((lock) => lock.name ?? ""));
}
