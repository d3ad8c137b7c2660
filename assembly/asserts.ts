// Tiered asserts, as mimalloc's mi_assert_internal and mi_assert_expensive:
// `invariant` runs in every build and must stay O(1) and off the per-object
// hit paths; walks run only where `EXPENSIVE` (the debug build). A failed
// one traps without a record: the wrapper lets go of every lock the thread
// held (thread_release_holds) and throws HeapCorruptError (src/traps.ts).

/** Whether this build runs the expensive checks (walks, and checks on the per-object paths): the debug build. */
export const EXPENSIVE: bool = !ASC_NO_ASSERT;

/** Traps when `holds` is false: a count, size or link of the heap is not what the protocol says. */
@inline export function invariant(holds: bool): void {
  if (!holds) unreachable();
}
