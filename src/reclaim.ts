// How a Heap reclaims the threads that ended without closing it
// (docs/internals.md §5, "Who reclaims"): by heap or Node thread id when
// told (reclaimThread, exit events), by life locks the runtime released
// (reclaimGone: browsers and Deno, after Deno's grace), and again on a timer
// when a reclaim met a busy lock and was put off (TRAP_RECLAIM_DEFERRED).
//
// Nothing here holds the Heap: the retry timer and the life lock's callback
// keep only what they use, so a heap dropped without close() is still
// collected (heap.ts, #dropped).

import type { CoreBinding } from "./core-binding.js";
import { InvalidArgumentError } from "./errors.js";
import { ERR_UNKNOWN_THREAD, H_HEAP_ID, MAX_THREADS, T_ID, T_LIFE_LOCK, T_STATE, THREAD_LIVE } from "./layout.js";
import { heldLockNames, lifeLockName } from "./life-lock.js";
import { threadSlotAddress } from "./slots.js";
import { later, nodeNumberOfStarted, thisThread } from "./thread-ends.js";
import { ReclaimDeferred } from "./traps.js";
import { integerIn, plainValues } from "./validate.js";
import type { MemoryViews } from "./views.js";

/** How long a deferred reclaim waits before it tries again, at first and at most. */
const RETRY_FIRST_MS = 10;
const RETRY_MOST_MS = 1000;
const MAX_UINT32 = 2 ** 32 - 1;

/**
 * The Node threadId + 1 of a `Worker` (or of anything with a numeric
 * `threadId`), read without running the caller's code. Node and Bun set a
 * worker's threadId to -1 once it has exited: a worker this thread started
 * is then known by the id remembered when it started.
 */
function nodeNumberOf(worker: object): number {
  const values = plainValues(worker);
  if (!values) throw new InvalidArgumentError("threadId", "expected a heap thread id or a Node Worker, got a Proxy");
  if (values.threadId === -1) {
    const remembered = nodeNumberOfStarted(worker);
    if (remembered !== 0) return remembered;
    throw new InvalidArgumentError(
      "threadId",
      "this worker has exited (its threadId reads -1) and was not started by this thread: pass the threadId you read while it ran",
    );
  }
  return integerIn("threadId.threadId", values.threadId, 0, MAX_UINT32 - 1) + 1;
}

/** One Heap's reclaims of other threads. */
export class Reclaimer {
  /** Set once the heap is closed on this thread: no more reclaims, no more retries. */
  #stopped = false;
  /** The delay of the pending retry (0: none pending). */
  #retryMs = 0;
  /** When reclaimGone first saw each heap thread's life lock released (thread-ends.ts, lifeLockGraceMs). */
  readonly #releasedAt = new Map<number, number>();

  constructor(
    private readonly binding: CoreBinding,
    private readonly views: MemoryViews,
    private readonly threadId: number,
  ) {}

  /** The heap was closed on this thread. */
  stop(): void {
    this.#stopped = true;
  }

  /** heap.reclaimThread: by heap thread id, or by a Node Worker (that thread and the threads it started). */
  thread(threadId: number | { readonly threadId: number }): boolean {
    const core = this.binding.core;
    const byNode = typeof threadId === "object" && threadId !== null;
    const id = byNode ? nodeNumberOf(threadId) : integerIn("threadId", threadId, 1, MAX_UINT32);
    if (!byNode && id === this.threadId) throw new InvalidArgumentError("threadId", "this is the calling thread's own id; use close()");
    const marked = this.#reclaiming(() => core.thread_reclaim(id, byNode ? 1 : 0));
    if (marked === ERR_UNKNOWN_THREAD) throw new InvalidArgumentError("threadId", `no thread of this heap ever had id ${id}`);
    return marked > 0;
  }

  /** A thread has ended (thread-ends.ts): its slots and those of the threads it started. */
  ended(nodeNumber: number): void {
    if (!this.#stopped) this.#reclaiming(() => this.binding.core.thread_reclaim(nodeNumber, 1));
  }

  /** heap.reclaimGone: every reclaim put off, then every live slot whose life lock the runtime released. */
  async gone(): Promise<number> {
    let reclaimed = this.#reclaiming(() => this.binding.core.thread_reclaim_dead());
    // Candidates first, the locks after: a LIVE slot names a lock its
    // thread held before the slot was LIVE (life-lock.ts), so a lock missing
    // from the query's answer was released.
    const candidates: Array<{ id: number; lock: number }> = [];
    for (let index = 0; index < MAX_THREADS; index++) {
      const slot = threadSlotAddress(index);
      if (this.views.word(slot + T_STATE) !== THREAD_LIVE) continue;
      const lock = this.views.word(slot + T_LIFE_LOCK);
      const id = this.views.word(slot + T_ID);
      if (lock !== 0 && id !== this.threadId) candidates.push({ id, lock });
    }
    if (candidates.length === 0) return reclaimed;
    const held = await heldLockNames();
    if (!held || this.#stopped) return reclaimed;
    const heapId = this.views.word(H_HEAP_ID);
    const now = Date.now();
    for (const { id, lock } of candidates) {
      if (held.has(lifeLockName(heapId, lock))) {
        this.#releasedAt.delete(id);
        continue;
      }
      // Where a runtime lets go of a lock before the thread has stopped (Deno), only after a grace.
      const since = this.#releasedAt.get(id) ?? now;
      if (now - since < thisThread.lifeLockGraceMs) {
        this.#releasedAt.set(id, since);
        continue;
      }
      this.#releasedAt.delete(id);
      // By heap id: ids are never reused, so a slot freed and taken again meanwhile is left alone.
      if (this.#reclaiming(() => this.binding.core.thread_reclaim(id, 0)) > 0) reclaimed++;
    }
    return reclaimed;
  }

  /**
   * Runs a reclaim. One that met a busy lock (its holder may be a thread
   * whose end this very thread has yet to hear of) leaves its slots DEAD and
   * returns 0; they are taken up again on a timer, sooner at first, until
   * none is left.
   */
  #reclaiming(reclaim: () => number): number {
    try {
      return reclaim();
    } catch (error) {
      if (!(error instanceof ReclaimDeferred)) throw error;
      this.#retryLater();
      return 0;
    }
  }

  #retryLater(): void {
    if (this.#retryMs !== 0) return;
    this.#retryMs = RETRY_FIRST_MS;
    const retry = () => {
      if (this.#stopped) return;
      try {
        this.binding.core.thread_reclaim_dead();
        this.#retryMs = 0;
      } catch (error) {
        // Any other error (the heap was closed or collected meanwhile) ends the retries.
        if (!(error instanceof ReclaimDeferred)) {
          this.#retryMs = 0;
          return;
        }
        this.#retryMs = Math.min(this.#retryMs * 2, RETRY_MOST_MS);
        later(retry, this.#retryMs);
      }
    };
    later(retry, this.#retryMs);
  }
}
