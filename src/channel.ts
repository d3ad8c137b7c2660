// A channel of the shared heap, as seen from one thread: a bounded FIFO of
// pointers that any thread finds by name. Each try is one core call (one
// section under the channel's lock, assembly/channels.ts); waiting while it
// is empty or full happens here, on the low word of its received and sent
// counts, blocking in workers and with a promise anywhere
// (docs/internals.md §14).

import type { CoreBinding } from "./core-binding.js";
import {
  ChannelClosedError,
  ChannelDestroyedError,
  ChannelNotEmptyError,
  InvalidPointerError,
  WaitTimeoutError,
  WasmPoolsError,
} from "./errors.js";
import {
  ARENA_START,
  CH_CAPACITY,
  CH_RECEIVED,
  CH_RECEIVERS_WAITING,
  CH_SENDERS_WAITING,
  CH_SENT,
  CH_STATE,
  CHANNEL_CLOSED,
  CHUNK_HEADER,
  ERR_CHANNEL_CLOSED,
  ERR_CHANNEL_FULL,
  ERR_CHANNEL_NOT_EMPTY,
  ERR_STALE_CHANNEL,
  OK,
  RECEIVE_CLOSED,
  RECEIVE_EMPTY,
  RECEIVE_STALE,
} from "./layout.js";
import { channelGeneration, channelName, channelSlotAddress, u64At } from "./slots.js";
import { pointer } from "./validate.js";
import type { MemoryViews } from "./views.js";
import { deadlineOf, requireBlocking, timeLeft, type WaitOptions, waitBlocking, waitWithPromise } from "./wait.js";

/** A channel's counters, read without its lock (each is exact once senders and receivers are quiet). */
export interface ChannelStats {
  /** Slot number of the channel in its heap. */
  id: number;
  /** The name given to createChannel. */
  name: string;
  /** Most messages it holds. */
  capacity: number;
  /** Messages in it now. */
  queued: number;
  /** Messages sent so far. */
  sent: number;
  /** Messages received so far. */
  received: number;
  /** Whether close() was called: sends are refused, receivers take what is left. */
  closed: boolean;
}

/**
 * Loads of the count word a blocking call makes, waiting for it to move,
 * before it sleeps (a few microseconds): a message that close costs no
 * sleep and no wake-up, and plain loads leave the channel's cache line to
 * the threads that work on it.
 */
const SPINS_BEFORE_SLEEP = 2000;
/**
 * Longest sleep between two looks: a sleeper gives back its cached objects
 * of pools someone waits for (who may have started waiting after it fell
 * asleep) at least this often.
 */
const SLEEP_SLICE_MS = 20;
const LOWEST_OBJECT = ARENA_START + CHUNK_HEADER;

/** What tryReceive answers while the channel is empty (null: closed and drained). */
const EMPTY = undefined;

/**
 * A bounded queue of pointers between threads: `send` puts an object's
 * pointer last, `receive` takes the first. The object's ownership goes with
 * its pointer: the sender lets go of it, the receiver frees it (or sends it
 * on). Found from any thread by name (`heap.channel(name)`).
 *
 * ```ts
 * // a worker
 * for (const ptr of heap.channel("jobs")) {   // blocks while empty, ends once closed and drained
 *   handle(ptr);
 *   heap.free(ptr);
 * }
 * ```
 */
export class Channel implements Iterable<number>, AsyncIterable<number> {
  readonly #binding: CoreBinding;
  readonly #views: MemoryViews;
  /** The heap: a channel in use keeps its heap from being collected (heap.ts, #dropped). */
  // biome-ignore lint/correctness/noUnusedPrivateClassMembers: held, never read: it keeps the heap alive
  readonly #heap: object;
  readonly #generation: number;
  readonly #slot: number;
  /** The words below the arena (the channel slots never move), for Atomics.wait. */
  readonly #words: Int32Array;

  /** @internal */
  constructor(heap: object, binding: CoreBinding, views: MemoryViews, id: number, generation: number) {
    this.#heap = heap;
    this.#binding = binding;
    this.#views = views;
    this.id = id;
    this.#generation = generation;
    this.#slot = channelSlotAddress(id);
    this.#words = views.waitable;
    this.name = channelName(views, id);
    this.capacity = views.word(this.#slot + CH_CAPACITY);
  }

  /** Slot number of the channel, the same in every thread. */
  readonly id: number;
  /** The name given to createChannel, by which every thread finds it. */
  readonly name: string;
  /** Most messages the channel holds. */
  readonly capacity: number;

  // ---- Sending --------------------------------------------------------------

  /**
   * Puts `ptr` last, if there is room: true when sent, false when full.
   *
   * @throws {@link ChannelClosedError} once the channel is closed
   * @throws {@link ChannelDestroyedError} once it is destroyed
   * @throws {@link InvalidPointerError} for a value that is no object of the heap's arena
   */
  trySend(ptr: number): boolean {
    const status = this.#binding.core.channel_send(this.id, this.#generation, checkedPointer(ptr));
    if (status === OK) return true;
    if (status === ERR_CHANNEL_FULL) return false;
    throw this.#refusal(status);
  }

  /**
   * Puts `ptr` last, waiting while the channel is full. Blocks the thread:
   * in workers; on a browser's main thread use sendAsync.
   *
   * @throws {@link WaitTimeoutError} when `timeoutMs` passed and the channel was still full
   * @throws {@link CannotBlockError} on a thread that may not block (whether or not it would have waited)
   * @throws {@link ChannelClosedError} once the channel is closed (also while waiting)
   * @throws {@link ChannelDestroyedError} once it is destroyed
   */
  send(ptr: number, options?: WaitOptions): void {
    requireBlocking("channel.send");
    const object = checkedPointer(ptr);
    const deadline = deadlineOf(options);
    // The first try alone: reading the count before it would fetch the channel's line twice.
    if (this.trySend(object)) return;
    const word = (this.#slot + CH_RECEIVED) >>> 2;
    while (true) {
      const seen = Atomics.load(this.#words, word);
      const left = timeLeft(deadline, "send: the channel stayed full");
      // Try again once the count moves, or before sleeping: `seen` was read before
      // this try, so a receive after it ends the sleep at once.
      const moved = this.#spin(word, seen);
      if (this.trySend(object)) return;
      if (!moved) this.#sleep(CH_SENDERS_WAITING, CH_RECEIVED, seen, Math.min(left, SLEEP_SLICE_MS));
    }
  }

  /**
   * sendAsync: send, as a promise that settles once `ptr` is in the
   * channel. Never blocks the thread: for a browser's main thread, or a
   * worker that must keep its event loop turning.
   */
  async sendAsync(ptr: number, options?: WaitOptions): Promise<void> {
    const object = checkedPointer(ptr);
    const deadline = deadlineOf(options);
    while (true) {
      const seen = Atomics.load(this.#words, (this.#slot + CH_RECEIVED) >>> 2);
      if (this.trySend(object)) return;
      const left = timeLeft(deadline, "sendAsync: the channel stayed full");
      await this.#sleepAsync(CH_SENDERS_WAITING, CH_RECEIVED, seen, Math.min(left, SLEEP_SLICE_MS));
    }
  }

  // ---- Receiving ------------------------------------------------------------

  /**
   * Takes the first message: its pointer; `undefined` when the channel is
   * empty now; `null` once it is closed and every message was taken.
   *
   * @throws {@link ChannelDestroyedError} once the channel is destroyed
   */
  tryReceive(): number | undefined | null {
    const result = this.#binding.core.channel_receive(this.id, this.#generation) >>> 0;
    if (result >= LOWEST_OBJECT) return result;
    if (result === RECEIVE_EMPTY) return EMPTY;
    if (result === RECEIVE_CLOSED) return null;
    if (result === RECEIVE_STALE) throw this.#destroyed();
    throw new WasmPoolsError(`channel "${this.name}": the core answered ${result} to a receive`);
  }

  /**
   * Takes the first message, waiting while the channel is empty: its
   * pointer, or `null` once the channel is closed and drained. Blocks the
   * thread: in workers; on a browser's main thread use receiveAsync.
   *
   * @throws {@link WaitTimeoutError} when `timeoutMs` passed and the channel was still empty
   * @throws {@link CannotBlockError} on a thread that may not block (whether or not it would have waited)
   * @throws {@link ChannelDestroyedError} once the channel is destroyed (also while waiting)
   */
  receive(options?: WaitOptions): number | null {
    requireBlocking("channel.receive");
    const deadline = deadlineOf(options);
    // The first try alone, as in send.
    const first = this.tryReceive();
    if (first !== EMPTY) return first;
    const word = (this.#slot + CH_SENT) >>> 2;
    while (true) {
      const seen = Atomics.load(this.#words, word);
      const left = timeLeft(deadline, "receive: the channel stayed empty");
      // As in send.
      const moved = this.#spin(word, seen);
      const message = this.tryReceive();
      if (message !== EMPTY) return message;
      if (!moved) this.#sleep(CH_RECEIVERS_WAITING, CH_SENT, seen, Math.min(left, SLEEP_SLICE_MS));
    }
  }

  /** receive, as a promise; never blocks the thread. */
  async receiveAsync(options?: WaitOptions): Promise<number | null> {
    const deadline = deadlineOf(options);
    while (true) {
      const seen = Atomics.load(this.#words, (this.#slot + CH_SENT) >>> 2);
      const message = this.tryReceive();
      if (message !== EMPTY) return message;
      const left = timeLeft(deadline, "receiveAsync: the channel stayed empty");
      await this.#sleepAsync(CH_RECEIVERS_WAITING, CH_SENT, seen, Math.min(left, SLEEP_SLICE_MS));
    }
  }

  /** Receives (blocking) until the channel is closed and drained. For workers. */
  *[Symbol.iterator](): Iterator<number> {
    for (let message = this.receive(); message !== null; message = this.receive()) yield message;
  }

  /** Receives (with promises) until the channel is closed and drained. */
  async *[Symbol.asyncIterator](): AsyncIterator<number> {
    for (let message = await this.receiveAsync(); message !== null; message = await this.receiveAsync()) yield message;
  }

  // ---- Its life ---------------------------------------------------------------

  /**
   * Closes the channel, for every thread: sends are refused from now on
   * (waiting senders get ChannelClosedError); receivers take what it holds,
   * then get `null` (iterations end). Closing twice does nothing more.
   *
   * @throws {@link ChannelDestroyedError} once it is destroyed
   */
  close(): void {
    const status = this.#binding.core.channel_close(this.id, this.#generation);
    if (status !== OK) throw this.#refusal(status);
  }

  /** Whether the channel is closed (or destroyed). */
  get closed(): boolean {
    return this.#views.word(this.#slot + CH_STATE) === CHANNEL_CLOSED || !this.#current();
  }

  /**
   * Destroys the channel, for every thread, and gives its ring back to the
   * heap. Only an empty channel: receive what it holds first (the pointers
   * are objects someone must free).
   *
   * @throws {@link ChannelNotEmptyError} while messages are in it
   * @throws {@link ChannelDestroyedError} once it is destroyed
   */
  destroy(): void {
    const status = this.#binding.core.channel_destroy(this.id, this.#generation);
    if (status !== OK) throw this.#refusal(status);
  }

  /** The channel's counters. @throws {@link ChannelDestroyedError} once it is destroyed */
  stats(): ChannelStats {
    if (!this.#current()) throw this.#destroyed();
    const received = u64At(this.#views, this.#slot + CH_RECEIVED);
    const sent = u64At(this.#views, this.#slot + CH_SENT);
    return {
      id: this.id,
      name: this.name,
      capacity: this.capacity,
      queued: sent - received,
      sent,
      received,
      closed: this.#views.word(this.#slot + CH_STATE) === CHANNEL_CLOSED,
    };
  }

  // ---- Inside -----------------------------------------------------------------

  #current(): boolean {
    return channelGeneration(this.#views, this.id) === this.#generation;
  }

  /** Whether the word at `index` moved from `seen` within SPINS_BEFORE_SLEEP loads. */
  #spin(index: number, seen: number): boolean {
    for (let i = 0; i < SPINS_BEFORE_SLEEP; i++) if (Atomics.load(this.#words, index) !== seen) return true;
    return false;
  }

  /**
   * Sleeps on `word`'s low half while it reads `seen`, counted in `waiting`
   * (so that the other side wakes it); first gives back this thread's
   * cached objects of pools someone waits for (src/pool-waits.ts).
   */
  #sleep(waiting: number, word: number, seen: number, timeoutMs: number): void {
    const count = (this.#slot + waiting) >>> 2;
    this.#binding.core.thread_give_back();
    Atomics.add(this.#words, count, 1);
    try {
      waitBlocking(this.#words, (this.#slot + word) >>> 2, seen, timeoutMs);
    } finally {
      Atomics.sub(this.#words, count, 1);
    }
  }

  async #sleepAsync(waiting: number, word: number, seen: number, timeoutMs: number): Promise<void> {
    const count = (this.#slot + waiting) >>> 2;
    this.#binding.core.thread_give_back();
    Atomics.add(this.#words, count, 1);
    try {
      await waitWithPromise(this.#words, (this.#slot + word) >>> 2, seen, timeoutMs);
    } finally {
      Atomics.sub(this.#words, count, 1);
    }
  }

  #destroyed(): ChannelDestroyedError {
    return new ChannelDestroyedError(`channel "${this.name}" (id ${this.id}) was destroyed`);
  }

  #refusal(status: number): Error {
    if (status === ERR_CHANNEL_CLOSED) return new ChannelClosedError(`channel "${this.name}" is closed: it takes no more messages`);
    if (status === ERR_STALE_CHANNEL) return this.#destroyed();
    if (status === ERR_CHANNEL_NOT_EMPTY) {
      return new ChannelNotEmptyError(
        `channel "${this.name}" still holds ${this.stats().queued} messages: receive them (and free the objects) before destroy()`,
      );
    }
    return new WasmPoolsError(`channel "${this.name}": the core answered ${status}`);
  }
}

/** A pointer the heap could have handed out: non-zero, 8-aligned, in the arena. */
function checkedPointer(ptr: number): number {
  const object = pointer("ptr", ptr);
  if (object < LOWEST_OBJECT) throw new InvalidPointerError(`ptr: ${object} is below the heap's arena (${LOWEST_OBJECT})`);
  return object;
}
