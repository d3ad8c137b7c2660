// Asserts in two tiers: `invariant` runs in every build and must stay O(1)
// and off the per-object hit paths; walks run only where `EXPENSIVE` (the
// debug build). Each check has a name (ASSERT_* in layout.ts): a failed one
// records which, then traps; the wrapper lets go of every lock the thread
// held (thread_release_holds) and throws HeapCorruptError naming the check
// (src/traps.ts).

import { TRAP_INVARIANT } from "./layout";
import { recordTrap } from "./thread";

/** Whether this build runs the expensive checks (walks, and checks on the per-object paths): the debug build. */
export const EXPENSIVE: bool = !ASC_NO_ASSERT;

/** Traps when `holds` is false: a count, size or link of the heap is not what the protocol says; `check` (ASSERT_*) says which. */
@inline export function invariant(holds: bool, check: u32): void {
  if (!holds) failInvariant(check);
}

function failInvariant(check: u32): void {
  recordTrap(TRAP_INVARIANT, check, 0);
  unreachable();
}
