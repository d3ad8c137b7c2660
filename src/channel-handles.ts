// The Channel handles a Heap gives out: by creating a channel, by finding
// one by name or id, or all of them. Any handle of a channel may close or
// destroy it: a channel has no registrations (docs/internals.md §14).

import { Channel } from "./channel.js";
import type { CoreBinding } from "./core-binding.js";
import {
  ChannelExistsError,
  ChannelNotFoundError,
  InvalidArgumentError,
  OutOfMemoryError,
  TooManyChannelsError,
  WasmPoolsError,
} from "./errors.js";
import { CHANNEL_CAPACITY_MAX, CHANNEL_NAME_MAX, ERR_NAME_TAKEN, ERR_NO_MEMORY, ERR_TOO_MANY_CHANNELS, MAX_CHANNELS } from "./layout.js";
import { channelGeneration } from "./slots.js";
import { integerIn, optionalIntegerIn, optionsObject } from "./validate.js";
import type { MemoryViews } from "./views.js";
import type { CoreExports } from "./wasm.js";

/** Options of heap.createChannel. */
export interface ChannelOptions {
  /** Most messages the channel holds (1 to 2^24; default 1024): a send waits (or trySend refuses) while it is full. */
  capacity?: number;
}

const DEFAULT_CAPACITY = 1024;
const encoder = new TextEncoder();

/** One Heap's maker of Channel handles. */
export class ChannelHandles {
  constructor(
    private readonly heap: object,
    private readonly binding: CoreBinding,
    private readonly views: MemoryViews,
    private readonly openCore: () => CoreExports,
  ) {}

  /** heap.createChannel. */
  create(name: string, options: ChannelOptions | undefined): Channel {
    const core = this.openCore();
    if (typeof name !== "string") throw new InvalidArgumentError("name", `expected a string, got ${typeof name}`);
    const encoded = encoder.encode(name);
    if (encoded.length === 0 || encoded.length > CHANNEL_NAME_MAX) {
      throw new InvalidArgumentError("name", `expected 1 to ${CHANNEL_NAME_MAX} bytes of UTF-8, got ${encoded.length}`);
    }
    const o = optionsObject("options", options);
    const capacity = optionalIntegerIn("options.capacity", o.capacity, 1, CHANNEL_CAPACITY_MAX, DEFAULT_CAPACITY);
    this.views.write(core.thread_scratch() >>> 0, encoded);
    const status = core.channel_create(encoded.length, capacity);
    if (status === ERR_NAME_TAKEN) throw new ChannelExistsError(`a channel named "${name}" exists already`);
    if (status === ERR_TOO_MANY_CHANNELS)
      throw new TooManyChannelsError(`the heap holds ${MAX_CHANNELS} channels already; destroy one first`);
    if (status === ERR_NO_MEMORY) throw new OutOfMemoryError(`no memory left for a ring of ${capacity} messages; raise maxBytes`);
    if (status < 0) throw new WasmPoolsError(`channel_create failed with status ${status}`);
    // channel_create leaves the new incarnation's generation in the first scratch word.
    return new Channel(this.heap, this.binding, this.views, status, this.binding.scratch[0]!);
  }

  /** heap.channel: the channel of that name or id. */
  find(nameOrId: string | number): Channel {
    this.openCore();
    if (typeof nameOrId === "number") {
      const id = integerIn("nameOrId", nameOrId, 0, MAX_CHANNELS - 1);
      const generation = channelGeneration(this.views, id);
      if (generation < 0) throw new ChannelNotFoundError(`no channel has id ${id}`);
      return new Channel(this.heap, this.binding, this.views, id, generation);
    }
    if (typeof nameOrId !== "string") throw new InvalidArgumentError("nameOrId", `expected a channel name or id, got ${typeof nameOrId}`);
    const found = this.list().find((channel) => channel.name === nameOrId);
    if (!found) throw new ChannelNotFoundError(`no channel is named "${nameOrId}"`);
    return found;
  }

  /** heap.channels: every channel (open or closed), by slot. */
  list(): Channel[] {
    this.openCore();
    const channels: Channel[] = [];
    for (let id = 0; id < MAX_CHANNELS; id++) {
      const generation = channelGeneration(this.views, id);
      if (generation >= 0) channels.push(new Channel(this.heap, this.binding, this.views, id, generation));
    }
    return channels;
  }
}
