// Heap options `debug` (HAProxy's -dM flags, off by default): what they
// are and which of them keep every operation in the core.

import { DEBUG_POISON, DEBUG_POISON_SHIFT, DEBUG_TAG, DEBUG_UAF, H_DEBUG_FLAGS, TAG_BYTES } from "./layout.js";
import { integerIn, optionalBoolean, optionsObject } from "./validate.js";
import type { MemoryViews } from "./views.js";

/** Debug checks of a heap, chosen at Heap.create for every thread. */
export interface DebugOptions {
  /**
   * Emulate unmapping: objects that flush and gc give back wait in a
   * quarantine (4,096 chunks, still counted as used memory) marked released,
   * and a pop that reads one throws UseAfterFreeError naming the pool.
   */
  uaf?: boolean;
  /**
   * Write an owner tag after each object (8 more bytes per object) and check
   * it on free: an object of another pool throws PoolMismatchError, an
   * address no pool handed out throws InvalidPointerError.
   */
  tag?: boolean;
  /** Fill every object with this byte (0 to 255) when it is allocated and when it is freed. */
  poison?: number;
}

export function debugFlags(value: unknown): number {
  const o = optionsObject("options.debug", value as DebugOptions | undefined);
  const poison = o.poison === undefined ? -1 : integerIn("options.debug.poison", o.poison, 0, 255);
  return (
    (optionalBoolean("options.debug.uaf", o.uaf, false) ? DEBUG_UAF : 0) |
    (optionalBoolean("options.debug.tag", o.tag, false) ? DEBUG_TAG : 0) |
    (poison >= 0 ? DEBUG_POISON | (poison << DEBUG_POISON_SHIFT) : 0)
  );
}

/** Whether every operation must reach the core (its checks run there, not in the JS hit paths). */
export function coreOnly(views: MemoryViews): boolean {
  return (views.word(H_DEBUG_FLAGS) & (DEBUG_TAG | DEBUG_POISON)) !== 0;
}

/** Bytes the debug tag adds after every pool object of this heap's chunks (0 without the tag). */
export function tagBytes(views: MemoryViews): number {
  return (views.word(H_DEBUG_FLAGS) & DEBUG_TAG) !== 0 ? TAG_BYTES : 0;
}
