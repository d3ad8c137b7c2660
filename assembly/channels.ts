// Channels: bounded FIFO queues of pointers in the heap, found by name, for
// many senders and many receivers. Every send and receive is one short
// section under the channel's robust mutex that commits with one store (the
// u64 count it moves), so a thread that stops anywhere leaves either the
// whole step or none of it, and whoever takes its lock over has nothing to
// repair. Waiting (while empty or full) is the wrapper's: it sleeps on the
// low word of those counts. The protocol: docs/internals.md §14.

import { backingAllocZeroed, backingFree } from "./backing";
import {
  CH_CAPACITY,
  CH_GENERATION,
  CH_LOCK,
  CH_NAME,
  CH_NAME_LEN,
  CH_RECEIVED,
  CH_RECEIVERS_WAITING,
  CH_RING,
  CH_SENDERS_WAITING,
  CH_SENT,
  CH_STATE,
  CHANNEL_CLOSED,
  CHANNEL_FREE,
  CHANNEL_OPEN,
  ERR_CHANNEL_CLOSED,
  ERR_CHANNEL_FULL,
  ERR_CHANNEL_NOT_EMPTY,
  ERR_NAME_TAKEN,
  ERR_NO_MEMORY,
  ERR_STALE_CHANNEL,
  ERR_TOO_MANY_CHANNELS,
  GENERATION_LAST,
  MAX_CHANNELS,
  OK,
  RECEIVE_CLOSED,
  RECEIVE_EMPTY,
  RECEIVE_STALE,
} from "./layout";
import { mutexUnlock } from "./lock-words";
import { mutexLock } from "./locks";
import { registryLock, registryUnlock } from "./registry";
import { channelAt } from "./slots";
import { deathPoint, taggedOwner } from "./thread";

function channelLock(channel: usize): void {
  deathPoint();
  mutexLock(channel + CH_LOCK, taggedOwner); // a dead holder's section needs no repair: each commits with one store
}

@inline function channelUnlock(channel: usize): void {
  mutexUnlock(channel + CH_LOCK);
}

/** The channel incarnation a token names, locked; 0 (nothing locked) once it is destroyed. */
function lockIncarnation(index: u32, generation: u32): usize {
  if (index >= MAX_CHANNELS) return 0;
  const channel = channelAt(index);
  channelLock(channel);
  if (atomic.load<u32>(channel + CH_STATE) == CHANNEL_FREE || load<u32>(channel + CH_GENERATION) != generation) {
    channelUnlock(channel);
    return 0;
  }
  deathPoint();
  return channel;
}

/** Wakes `count` threads sleeping on the low word of the u64 at `word` when `waiting` counts any. */
@inline function wake(channel: usize, word: u32, waiting: u32, count: u32): void {
  if (atomic.load<u32>(channel + waiting) != 0) atomic.notify(channel + word, count);
}

function nameEquals(channel: usize, name: usize, length: u32): bool {
  return <u32>load<u8>(channel + CH_NAME_LEN) == length && memory.compare(channel + CH_NAME, name, length) == 0;
}

/**
 * Makes a channel of `capacity` messages. Returns its slot index (and
 * stores its generation at `generationOut`), or ERR_NAME_TAKEN,
 * ERR_TOO_MANY_CHANNELS, ERR_NO_MEMORY. The ring is named by the slot from
 * the backing allocator's own section (a creator that stops leaves it
 * there, and the next create of that slot frees it); the slot opens with
 * its last store.
 */
export function channelCreate(name: usize, nameLength: u32, capacity: u32, generationOut: usize): i32 {
  registryLock();
  let free: i32 = -1;
  for (let index: u32 = 0; index < MAX_CHANNELS; index++) {
    deathPoint();
    const channel = channelAt(index);
    if (atomic.load<u32>(channel + CH_STATE) != CHANNEL_FREE) {
      if (nameEquals(channel, name, nameLength)) {
        registryUnlock();
        return ERR_NAME_TAKEN;
      }
    } else if (free < 0 && load<u32>(channel + CH_GENERATION) != GENERATION_LAST) {
      free = <i32>index;
    }
  }
  if (free < 0) {
    registryUnlock();
    return ERR_TOO_MANY_CHANNELS;
  }
  const channel = channelAt(<u32>free);
  if (load<u32>(channel + CH_RING) != 0) backingFree(channel + CH_RING);
  if (backingAllocZeroed(max<u32>(capacity * 4, 8), channel + CH_RING) == 0) {
    registryUnlock();
    return ERR_NO_MEMORY;
  }
  store<u32>(channel + CH_CAPACITY, capacity);
  atomic.store<u64>(channel + CH_RECEIVED, 0);
  atomic.store<u64>(channel + CH_SENT, 0);
  store<u8>(channel + CH_NAME_LEN, <u8>nameLength);
  memory.copy(channel + CH_NAME, name, nameLength);
  const generation = load<u32>(channel + CH_GENERATION) + 1;
  store<u32>(channel + CH_GENERATION, generation);
  deathPoint();
  atomic.store<u32>(channel + CH_STATE, CHANNEL_OPEN);
  registryUnlock();
  // Last: `generationOut` may be where the name was read from.
  store<u32>(generationOut, generation);
  return free;
}

/** Puts `object` last in the channel: OK, or ERR_CHANNEL_FULL, ERR_CHANNEL_CLOSED, ERR_STALE_CHANNEL. */
export function channelSend(index: u32, generation: u32, object: u32): i32 {
  const channel = lockIncarnation(index, generation);
  if (channel == 0) return ERR_STALE_CHANNEL;
  if (atomic.load<u32>(channel + CH_STATE) == CHANNEL_CLOSED) {
    channelUnlock(channel);
    return ERR_CHANNEL_CLOSED;
  }
  const sent = load<u64>(channel + CH_SENT);
  const capacity = load<u32>(channel + CH_CAPACITY);
  if (sent - load<u64>(channel + CH_RECEIVED) >= <u64>capacity) {
    channelUnlock(channel);
    return ERR_CHANNEL_FULL;
  }
  store<u32>(<usize>load<u32>(channel + CH_RING) + <usize>(sent % <u64>capacity) * 4, object);
  deathPoint();
  atomic.store<u64>(channel + CH_SENT, sent + 1); // the commit: from here the channel holds the object
  deathPoint();
  channelUnlock(channel);
  wake(channel, CH_SENT, CH_RECEIVERS_WAITING, 1);
  return OK;
}

/**
 * Takes the first message: a pointer, or RECEIVE_EMPTY, RECEIVE_CLOSED
 * (closed and empty), RECEIVE_STALE.
 */
export function channelReceive(index: u32, generation: u32): u32 {
  const channel = lockIncarnation(index, generation);
  if (channel == 0) return RECEIVE_STALE;
  const received = load<u64>(channel + CH_RECEIVED);
  if (load<u64>(channel + CH_SENT) == received) {
    const closed = atomic.load<u32>(channel + CH_STATE) == CHANNEL_CLOSED;
    channelUnlock(channel);
    return closed ? RECEIVE_CLOSED : RECEIVE_EMPTY;
  }
  const capacity = load<u32>(channel + CH_CAPACITY);
  const object = load<u32>(<usize>load<u32>(channel + CH_RING) + <usize>(received % <u64>capacity) * 4);
  deathPoint();
  atomic.store<u64>(channel + CH_RECEIVED, received + 1); // the commit: from here the receiver holds the object
  deathPoint();
  channelUnlock(channel);
  wake(channel, CH_RECEIVED, CH_SENDERS_WAITING, 1);
  return object;
}

/** Closes the channel: sends are refused from now on, receivers take what is left. OK or ERR_STALE_CHANNEL. */
export function channelClose(index: u32, generation: u32): i32 {
  const channel = lockIncarnation(index, generation);
  if (channel == 0) return ERR_STALE_CHANNEL;
  atomic.store<u32>(channel + CH_STATE, CHANNEL_CLOSED);
  channelUnlock(channel);
  atomic.notify(channel + CH_SENT);
  atomic.notify(channel + CH_RECEIVED);
  return OK;
}

/**
 * Destroys an empty channel (open or closed): its slot becomes FREE first,
 * then its ring goes back (a destroyer that stops between leaves the ring
 * named by a free slot, which the slot's next create frees). OK,
 * ERR_CHANNEL_NOT_EMPTY or ERR_STALE_CHANNEL.
 */
export function channelDestroy(index: u32, generation: u32): i32 {
  registryLock();
  const channel = lockIncarnation(index, generation);
  if (channel == 0) {
    registryUnlock();
    return ERR_STALE_CHANNEL;
  }
  if (load<u64>(channel + CH_SENT) != load<u64>(channel + CH_RECEIVED)) {
    channelUnlock(channel);
    registryUnlock();
    return ERR_CHANNEL_NOT_EMPTY;
  }
  atomic.store<u32>(channel + CH_STATE, CHANNEL_FREE);
  channelUnlock(channel);
  deathPoint();
  backingFree(channel + CH_RING);
  registryUnlock();
  // Waiters of this incarnation learn that it is gone at their next try.
  atomic.notify(channel + CH_SENT);
  atomic.notify(channel + CH_RECEIVED);
  return OK;
}
