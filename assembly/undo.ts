// The backing allocator's undo log (layout.ts, "Undo log"; docs/internals.md
// §5): each logged store appends {address, old value} first, so rolling
// back (twice gives the same as once) restores the section's start.

import { invariant } from "./asserts";
import { ASSERT_UNDO_LOG_ROOM, UNDO_LOG_CAPACITY, UNDO_LOG_ENTRIES, UNDO_LOG_START } from "./layout";

/** Log entries a caller must leave free before it starts another step (one chunk's worth, with margin). */
export const UNDO_STEP_ENTRIES: u32 = 64;

/** Stores `value` at `address` (a u32 word), logging the old value first. Backing lock held. */
@inline export function loggedStore(address: usize, value: u32): void {
  const used = load<u32>(UNDO_LOG_START);
  invariant(used < UNDO_LOG_CAPACITY, ASSERT_UNDO_LOG_ROOM);
  const entry = <usize>UNDO_LOG_ENTRIES + ((<usize>used) << 3);
  store<u32>(entry, <u32>address);
  store<u32>(entry, load<u32>(address), 4);
  store<u32>(UNDO_LOG_START, used + 1);
  store<u32>(address, value);
}

/** Whether the log has room for another step of UNDO_STEP_ENTRIES stores. */
@inline export function undoRoomForStep(): bool {
  return load<u32>(UNDO_LOG_START) + UNDO_STEP_ENTRIES <= UNDO_LOG_CAPACITY;
}

/** Makes every logged store final: the section is complete. */
@inline export function undoCommit(): void {
  store<u32>(UNDO_LOG_START, 0);
}

/** Writes back the old values of a dead holder's section, newest first, then empties the log. */
export function undoRollBack(): void {
  let used = load<u32>(UNDO_LOG_START);
  while (used > 0) {
    used--;
    const entry = <usize>UNDO_LOG_ENTRIES + ((<usize>used) << 3);
    store<u32>(<usize>load<u32>(entry), load<u32>(entry, 4));
  }
  store<u32>(UNDO_LOG_START, 0);
}
