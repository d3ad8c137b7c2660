// The Pool handles a Heap gives out: made by creating a pool (createPool,
// and malloc's size classes), by finding a live one (pool, pools), or by
// adopting a registration whose owner is gone (adoptPool). Only a created
// or adopted handle holds a registration, and so may destroy the pool
// (docs/internals.md §7, "Registrations").

import type { CoreBinding } from "./core-binding.js";
import { InvalidArgumentError, PoolNotFoundError, PoolNotOwnedError } from "./errors.js";
import { createdPoolId } from "./heap-statuses.js";
import type { PoolOptions } from "./heap-types.js";
import { CHUNK_MAX_PAYLOAD, MAX_POOLS, POOL_NAME_MAX, POOL_SHARED } from "./layout.js";
import { CLASS_NAME_PREFIX } from "./malloc.js";
import { Pool } from "./pool.js";
import { liveGeneration } from "./slots.js";
import { integerIn, optionalBoolean, optionalIntegerIn, optionsObject } from "./validate.js";
import type { MemoryViews } from "./views.js";
import type { CoreExports } from "./wasm.js";

const MAX_UINT32 = 2 ** 32 - 1;
const encoder = new TextEncoder();

/** One Heap's maker of Pool handles. */
export class PoolHandles {
  constructor(
    /** The Heap: every Pool holds it, so that a pool in use keeps its heap from being collected. */
    private readonly heap: object,
    private readonly binding: CoreBinding,
    private readonly views: MemoryViews,
    /** This thread's core, or HeapClosedError once the heap is closed on this thread. */
    private readonly openCore: () => CoreExports,
  ) {}

  /** heap.createPool: its arguments checked, the size rounded up to a multiple of 8. */
  create(name: string, size: number, options: PoolOptions | undefined): Pool {
    this.openCore();
    if (typeof name !== "string") throw new InvalidArgumentError("name", `expected a string, got ${typeof name}`);
    const encoded = encoder.encode(name);
    if (encoded.length === 0 || encoded.length > POOL_NAME_MAX) {
      throw new InvalidArgumentError("name", `expected 1 to ${POOL_NAME_MAX} bytes of UTF-8, got ${encoded.length}`);
    }
    integerIn("size", size, 1, CHUNK_MAX_PAYLOAD);
    const o = optionsObject("options", options);
    const shared = optionalBoolean("options.shared", o.shared, false);
    const minAvail = optionalIntegerIn("options.minAvail", o.minAvail, 0, MAX_UINT32, 0);
    const limit = optionalIntegerIn("options.limit", o.limit, 0, MAX_UINT32, 0);
    if (name.startsWith(CLASS_NAME_PREFIX)) {
      throw new InvalidArgumentError("name", `names starting with "${CLASS_NAME_PREFIX}" are heap.malloc's size classes`);
    }
    return this.createRounded(name, Math.max(8, Math.ceil(size / 8) * 8), shared, minAvail, limit);
  }

  /** Creates a pool of `rounded`-byte objects (createPool, and malloc's size classes). */
  createRounded(name: string, rounded: number, shared: boolean, minAvail: number, limit: number): Pool {
    const core = this.openCore();
    const encoded = encoder.encode(name);
    // The name goes through this thread's scratch words: nothing to allocate, nothing to leak.
    this.views.write(core.thread_scratch() >>> 0, encoded);
    const id = createdPoolId(core.pool_create(encoded.length, rounded, shared ? POOL_SHARED : 0, minAvail, limit), name, shared);
    // pool_create leaves the new incarnation's generation in the first scratch word.
    return new Pool(this.heap, this.binding, this.views, id, this.binding.scratch[0]!, true);
  }

  /** heap.pool: the live pool of that name or id, as a handle that holds no registration. */
  find(nameOrId: string | number): Pool {
    this.openCore();
    if (typeof nameOrId === "number") {
      const id = integerIn("nameOrId", nameOrId, 0, MAX_POOLS - 1);
      const generation = liveGeneration(this.views, id);
      if (generation < 0) throw new PoolNotFoundError(`no live pool has id ${id}`);
      return new Pool(this.heap, this.binding, this.views, id, generation, false);
    }
    if (typeof nameOrId !== "string") throw new InvalidArgumentError("nameOrId", `expected a pool name or id, got ${typeof nameOrId}`);
    const found = this.list().find((pool) => pool.name === nameOrId);
    if (!found) throw new PoolNotFoundError(`no live pool is named "${nameOrId}"`);
    return found;
  }

  /** heap.adoptPool: a handle that holds one registration of the live pool (never a size class's). */
  adopt(nameOrId: string | number): Pool {
    const found = this.find(nameOrId);
    if (found.name.startsWith(CLASS_NAME_PREFIX)) {
      throw new PoolNotOwnedError(`pool "${found.name}" is a size class of heap.malloc: the heap keeps it for its whole life`);
    }
    return new Pool(this.heap, this.binding, this.views, found.id, found.token, true);
  }

  /** heap.pools: every live pool, by slot, as handles that hold no registration. */
  list(): Pool[] {
    this.openCore();
    const pools: Pool[] = [];
    for (let id = 0; id < MAX_POOLS; id++) {
      const generation = liveGeneration(this.views, id);
      if (generation >= 0) pools.push(new Pool(this.heap, this.binding, this.views, id, generation, false));
    }
    return pools;
  }
}
