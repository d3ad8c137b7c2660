// A thread's transit: the chain of objects it took off one holder and is
// about to put in another, where whoever reclaims a thread that died with
// one finds it (docs/internals.md §5). Objects in transit are not in `used`.

import { invariant } from "./asserts";
import { chainAt, listPushChain } from "./freelist";
import { ASSERT_TRANSIT_EMPTY, E_COUNT, P_GENERATION, P_HEAD, T_TRANSIT, T_TRANSIT_GENERATION, T_TRANSIT_POOL } from "./layout";
import { makeToken, poolAt, poolIndexOf, tokenIndex } from "./slots";

/** The transit is a chain holder {first, count}, as a cache entry's first words. */
const COUNT: u32 = T_TRANSIT + E_COUNT;

/**
 * Makes a chain the transit of the thread of `slot`. Straight-line with the
 * caller's own record changes. The transit names the pool incarnation by
 * its token, so a reclaimer can tell that the pool was destroyed since.
 */
@inline export function holdInTransit(slot: usize, pool: usize, first: usize, count: u32): void {
  invariant(load<u32>(slot + COUNT) == 0 && count > 0, ASSERT_TRANSIT_EMPTY);
  store<u32>(slot + T_TRANSIT_POOL, poolIndexOf(pool));
  store<u32>(slot + T_TRANSIT_GENERATION, load<u32>(pool + P_GENERATION));
  store<u32>(slot + T_TRANSIT, <u32>first);
  store<u32>(slot + COUNT, count);
}

@inline export function transitCount(slot: usize): u32 {
  return load<u32>(slot + COUNT);
}

/** The token of the pool incarnation the transit of `slot` belongs to. */
@inline export function transitToken(slot: usize): u64 {
  return makeToken(load<u32>(slot + T_TRANSIT_POOL), load<u32>(slot + T_TRANSIT_GENERATION));
}

/**
 * Pushes the transit of `slot` onto its pool's list; the transit is empty
 * after. Returns false, changing nothing, when that list is retired (the
 * pool was destroyed: the caller gives the chain to the backing allocator).
 * The slot holds the transit's incarnation or a retired list: a slot is
 * reused only once every object of its old pool is back (registry.ts).
 */
export function pushTransit(slot: usize): bool {
  const count = load<u32>(slot + COUNT);
  if (count == 0) return true;
  const first = <usize>load<u32>(slot + T_TRANSIT);
  const pool = poolAt(tokenIndex(transitToken(slot)));
  if (!listPushChain(pool + P_HEAD, first, chainAt(first, count))) return false;
  store<u32>(slot + COUNT, 0);
  return true;
}
