// Every address and field offset of the shared heap, in one place.
//
// The one source of them: the module exports each as a global, and the
// build writes the wrapper's copies from those (scripts/layout.mjs:
// src/layout.ts and the literals of src/cache-hit.ts).
//
// Whole memory (wasm pages of 64 KiB; docs/internals.md §2):
//
//   0           HEADER_START   POOLS_START   THREADS_START  UNDO_LOG_START  CHANNELS_START  ARENA_START     memory.size
//   | static    | heap header  | pool slots  | thread slots | undo log of   | channel slots | backing        |
//   | data:     | + backing    | MAX_POOLS * | MAX_THREADS *| the backing   | MAX_CHANNELS *| allocator's    |
//   | constants | state (bins, | 128 bytes   | 64 bytes     | allocator     | 128 bytes     | chunks: objects|
//   | only      | bitmap)      |             |              |               |               | and cache      |
//   |           |              |             |              |               |               | blocks -->     |
//
// Static data is rewritten by every instantiation, so it must be constants
// and end below the header. The header sits at a fixed address, not at
// __heap_base, because __heap_base moves with the optimisation level and
// the debug and release builds must find the same header.

// ---- Format identity ------------------------------------------------------

/** "WPOL" in little-endian ASCII. */
export const HEAP_MAGIC: u32 = 0x4c4f5057;
/** Bumped whenever a byte of this file's layout changes meaning. */
export const ABI_VERSION: u32 = 14;

export const PAGE_BYTES: u32 = 65536;
export const CACHE_LINE: u32 = 64;
/** Largest memory the heap will use: 65535 pages, so `end` still fits a u32. */
export const MAX_PAGES_LIMIT: u32 = 65535;

// ---- Heap header ----------------------------------------------------------
//
//   HEADER_START
//   +0   init state  (0 empty, 1 initialising, 2 ready)   } line 0: written once,
//   +4   magic                                            } read by every attach
//   +8   ABI version                                      }
//   +12  heap id (random, from the creator)               }
//   +16  max pages                                        }
//   +20  test switches (TEST_*), test builds only         }
//   +24  next thread id                                   }
//   +28  fault injection: failure rate (ppm), seed         }
//   +36  debug flags, quarantine                           }
//   +64  registry lock (mutex: create/destroy/gc)           line 1
//   +68  stamp counter (source of pool stamps)
//   +72  failures so far; +76 ring of the last 12 failures
//   +124 pools retired so far (each thread drains its entries of retired
//        pools at its next miss once this moves; cache.ts)
//   +128 backing lock, top, free/used byte counters,        line 2
//        large blocks and their bytes
//   +192 bin bitmap (BIN_BITMAP_WORDS u32)                  line 3
//   +256 bin heads (BIN_COUNT u32)                          lines 4..

export const HEADER_START: u32 = 65536;

export const H_INIT_STATE: u32 = HEADER_START + 0;
export const H_MAGIC: u32 = HEADER_START + 4;
export const H_ABI_VERSION: u32 = HEADER_START + 8;
export const H_HEAP_ID: u32 = HEADER_START + 12;
export const H_MAX_PAGES: u32 = HEADER_START + 16;
export const H_TEST_SWITCHES: u32 = HEADER_START + 20;
export const H_NEXT_THREAD_ID: u32 = HEADER_START + 24;
/** Share of refills from the backing allocator that fail on purpose, in parts per million (0: none). */
export const H_FAIL_PPM: u32 = HEADER_START + 28;
/** Seed of every thread's fault-injection random stream. */
export const H_FAIL_SEED: u32 = HEADER_START + 32;
/** Debug checks of this heap (DEBUG_* bits), fixed at creation. */
export const H_DEBUG_FLAGS: u32 = HEADER_START + 36;
/** Address of the quarantine (debug uaf), or 0. */
export const H_QUARANTINE: u32 = HEADER_START + 40;

export const DEBUG_UAF: u32 = 1;
/** Debug tag: an owner tag (the pool's token, generation and slot) after every object, checked by free. */
export const DEBUG_TAG: u32 = 2;
/** Debug poison: objects are filled with the byte in bits 8..15 of the flags on alloc and free. */
export const DEBUG_POISON: u32 = 4;
export const DEBUG_POISON_SHIFT: u32 = 8;
/** Bytes added after each object for its tag (the u64 token, which keeps 8-byte alignment). */
export const TAG_BYTES: u32 = 8;

// The quarantine (debug uaf): a ring of chunks that flush and gc gave back,
// kept out of the backing allocator, marked CHUNK_RELEASED, as if unmapped.
// When the ring is full the oldest chunk is really freed.
//
//   +0 chunks put in so far | +4 chunk 0 | chunk 1 | ... | chunk QUARANTINE_SLOTS-1
export const QUARANTINE_SLOTS: u32 = 4096;
export const QUARANTINE_BYTES: u32 = 4 + QUARANTINE_SLOTS * 4;

export const H_REGISTRY_LOCK: u32 = HEADER_START + CACHE_LINE;
/** Every pool stamp is taken from this counter, so no two stamps are ever equal. */
export const H_STAMP_COUNTER: u32 = H_REGISTRY_LOCK + 4;
/** Allocation failures so far (every pool); entry n of the ring is at n % FAILURE_RING_SIZE. */
export const H_FAILURES: u32 = H_REGISTRY_LOCK + 8;
/**
 * The most recent allocation failures, one u32 each:
 *   bit 31 set (written) | reason << POOL_INDEX_BITS | pool slot index
 */
export const H_FAILURE_RING: u32 = H_REGISTRY_LOCK + 12;
export const FAILURE_RING_SIZE: u32 = 12;
/** Pools destroyed so far: a thread that sees it move drains its cache entries of retired pools. */
export const H_RETIRED_COUNT: u32 = H_FAILURE_RING + FAILURE_RING_SIZE * 4;
export const FAILURE_WRITTEN: u32 = 0x80000000;
/** Why an allocation failed. */
export const FAILED_LIMIT: u32 = 1;
export const FAILED_MEMORY: u32 = 2;
export const FAILED_INJECTED: u32 = 3;

export const H_BACKING_LOCK: u32 = HEADER_START + 2 * CACHE_LINE;
/** First byte past the last carved chunk; [top, memory end) is uncarved. */
export const H_BACKING_TOP: u32 = H_BACKING_LOCK + 4;
/** Bytes (headers included) of chunks sitting free in the bins. */
export const H_BACKING_FREE_BYTES: u32 = H_BACKING_LOCK + 8;
/** Bytes (headers included) of chunks handed out. */
export const H_BACKING_USED_BYTES: u32 = H_BACKING_LOCK + 12;
/** Large blocks (malloc beyond the largest size class, large.ts) handed out, and their chunks' bytes. */
export const H_LARGE_BLOCKS: u32 = H_BACKING_LOCK + 16;
export const H_LARGE_BYTES: u32 = H_BACKING_LOCK + 20;

export const INIT_EMPTY: u32 = 0;
export const INIT_BUSY: u32 = 1;
export const INIT_READY: u32 = 2;

/** Test-only switches that remove a safety mechanism (negative controls). */
export const TEST_NO_SEQUENCE: u32 = 1;
export const TEST_NO_FLUSH_LOCK: u32 = 2;
/** Threads stop dead at the death point their slot names (T_DIE_AT), as a terminated worker would. */
export const TEST_DEATH_POINTS: u32 = 4;
/** Negative control: a dead thread's half-done work is left as it is: TEST_NO_UNDO and TEST_NO_TRANSIT_RECOVERY together, and no recount of its cache chains. */
export const TEST_NO_RECOVERY: u32 = 8;
/** Waiters give up after about 20 ms without a sign of life instead of 3 s. */
export const TEST_SHORT_PATIENCE: u32 = 16;
/** Negative control: the backing allocator hands out a fitting chunk one header too large whole (malloc then misreads classes). */
export const TEST_INEXACT_CHUNKS: u32 = 32;
/** Every pool slot starts at generation GENERATION_TEST_START, a few creates below GENERATION_LAST. */
export const TEST_GENERATIONS_NEAR_TOP: u32 = 64;
/** Negative control: a dead owner's half-done backing-allocator section is not rolled back (the undo log is ignored). */
export const TEST_NO_UNDO: u32 = 128;
/** Negative control: a dead thread's transit (a chain it had taken off a holder) is not put back. */
export const TEST_NO_TRANSIT_RECOVERY: u32 = 256;
/** Negative control: a reclaim leaves the channel locks a dead thread held as they are (thread-slots.ts). */
export const TEST_NO_CHANNEL_RELEASE: u32 = 512;

// ---- Backing allocator bins -----------------------------------------------
//
// Free chunks are kept in segregated lists. Chunk sizes below 256 bytes get
// one bin per multiple of 8; above that, each power of two is split into
// 8 bins (a two-level mapping, as TLSF does).
//
//   size < 256:  bin = size / 8                                  (0..31)
//   size >= 256: fl = log2(size), sl = next 3 bits below the top bit
//                bin = 32 + (fl - 8) * 8 + sl                    (32..223)

export const SMALL_BIN_LIMIT: u32 = 256;
export const SL_BITS: u32 = 3;
/** log2(SMALL_BIN_LIMIT): sizes from 2^8 to 2^31 take the two-level bins. */
const FIRST_LEVEL: u32 = 8;
export const BIN_COUNT: u32 = SMALL_BIN_LIMIT / 8 + (32 - FIRST_LEVEL) * (1 << SL_BITS);
export const BIN_BITMAP_WORDS: u32 = (BIN_COUNT + 31) / 32;

export const H_BIN_BITMAP: u32 = HEADER_START + 3 * CACHE_LINE;
export const H_BIN_HEADS: u32 = HEADER_START + 4 * CACHE_LINE;
export const H_BIN_HEADS_END: u32 = H_BIN_HEADS + BIN_COUNT * 4;
export const HEADER_END: u32 = (H_BIN_HEADS_END + CACHE_LINE - 1) & ~(CACHE_LINE - 1);

// ---- Chunks of the backing allocator --------------------------------------
//
//   chunk                      payload (what callers get)
//   |  size | flags  | prev size |  next free | prev free | ...        |
//   |  u32           | u32       |  u32       | u32       |            |
//   +0               +4          +8 (only while the chunk is free)
//
// `size` counts the whole chunk, header included, and is a multiple of 8, so
// its low bits hold flags: CHUNK_USED (handed out by the backing allocator)
// and CHUNK_ON_FREE_LIST (a pool object sitting on its pool's free list,
// kept by pool.ts so that free() can refuse a double free). `prev size` is the size of the chunk just
// before this one in memory (0 for the first), which lets a freed chunk merge
// with a free neighbour on either side.

export const C_SIZE: u32 = 0;
export const C_PREV_SIZE: u32 = 4;
export const C_NEXT_FREE: u32 = 8;
export const C_PREV_FREE: u32 = 12;
export const CHUNK_HEADER: u32 = 8;
export const CHUNK_MIN: u32 = 16;
export const CHUNK_USED: u32 = 1;
export const CHUNK_ON_FREE_LIST: u32 = 2;
/** Debug uaf: the chunk was given back by flush or gc and sits in the quarantine. */
export const CHUNK_RELEASED: u32 = 4;
export const CHUNK_SIZE_MASK: u32 = ~7;
/** Largest payload one chunk may hold (1 GiB); larger requests fail. */
export const CHUNK_MAX_PAYLOAD: u32 = 1 << 30;

// A large block (malloc beyond the largest size class, large.ts) is one
// chunk whose payload starts with a mark; the caller gets what follows it:
//
//   chunk          payload                           the caller's pointer
//   | size | prev  | LARGE_MARK | payload ^ LARGE_KEY | bytes ...
//   +0             +8           +12                  +16
//
// The mark's low bit is clear, so the word before the caller's pointer
// tells a large block (LARGE_MARK) from a pool object (a chunk header,
// CHUNK_USED set). The key ties the mark to its address.
export const LARGE_MARK: u32 = 0x4b4c4c46;
export const LARGE_KEY: u32 = 0x9e3779b9;
export const LARGE_PREFIX: u32 = 8;

// ---- Pool slots -----------------------------------------------------------
//
// One 128-byte slot per pool, two cache lines: the words that every
// allocating thread writes apart from the read-mostly description.
//
//   line 0 (hot)                          line 1 (read-mostly)
//   +0  free-list head: u32 ptr | u32 seq +64  state (FREE, LIVE, RETIRED)
//       (seq's top bit: RETIRED, freelist.ts)
//   +8  flush_lock (writer, locks.ts)     +68  generation (bumped at create,
//                                              never reused: GENERATION_LAST)
//   +12 allocated  (objects from backing) +72  object size (multiple of 8)
//   +16 used       (objects out of the    +76  flags (POOL_SHARED)
//                   shared list: handed   +80  users
//                   out or in a thread    +84  minAvail
//                   cache)                +88  limit (0: none)
//   +20 failed     (allocations refused)  +92  stamp (see cache.ts)
//   +24 waiters    (allocs waiting for an +96  name length (u8)
//                   object: allocWait)
//   +28 returns    (bumped, with a wake-up,
//                   by a push while any waits)
//   invariant, once threads are quiet:    +97  name, UTF-8, 31 bytes
//   allocated == used + |free list| + Σ transits
//   used == handed out + Σ thread caches' counts

export const MAX_POOLS: u32 = 256;
export const POOL_SLOT_SIZE: u32 = 2 * CACHE_LINE;
export const POOLS_START: u32 = HEADER_END;
export const POOLS_END: u32 = POOLS_START + MAX_POOLS * POOL_SLOT_SIZE;

export const P_HEAD: u32 = 0;
export const P_FLUSH_LOCK: u32 = 8;
export const P_ALLOCATED: u32 = 12;
export const P_USED: u32 = 16;
export const P_FAILED: u32 = 20;
/** Threads waiting for an object of the pool now (the wrapper's allocWait counts itself here). */
export const P_WAITERS: u32 = 24;
/** Moved (and waited on) when objects come back to the free list while someone waits (freelist.ts, listPushChain). */
export const P_RETURNS: u32 = 28;
export const P_STATE: u32 = CACHE_LINE + 0;
export const P_GENERATION: u32 = CACHE_LINE + 4;
export const P_SIZE: u32 = CACHE_LINE + 8;
export const P_FLAGS: u32 = CACHE_LINE + 12;
export const P_USERS: u32 = CACHE_LINE + 16;
export const P_MIN_AVAIL: u32 = CACHE_LINE + 20;
export const P_LIMIT: u32 = CACHE_LINE + 24;
export const P_STAMP: u32 = CACHE_LINE + 28;
export const P_NAME_LEN: u32 = CACHE_LINE + 32;
export const P_NAME: u32 = CACHE_LINE + 33;
export const POOL_NAME_MAX: u32 = 31;

// A pool slot's life (registry.ts, docs/internals.md §7):
//
//   FREE --create--> LIVE --destroy--> RETIRED --last object back--> FREE
//
// A RETIRED pool can no longer be found or allocated from; objects of it
// that are still out (in other threads' caches, in transit, or handed out
// by an alloc that overlapped the destroy) come back to it and go on to the
// backing allocator. Its slot is reused only once `allocated` is 0, so a
// thread that still works on the old incarnation never reaches a new one.
export const POOL_FREE: u32 = 0;
export const POOL_LIVE: u32 = 1;
export const POOL_RETIRED: u32 = 2;
export const POOL_SHARED: u32 = 1;
/**
 * Flag: a free list of the pool held a link that is no free object of it (a
 * write after free, or a stray write). Its allocations then throw
 * HeapCorruptError until it is destroyed with force; other pools go on.
 */
export const POOL_CORRUPT: u32 = 2;

// A pool token names one incarnation of a slot: {generation, slot index}.
// The core holds it as a u64, `generation << 32 | slot index` (slots.ts),
// the ABI passes the two halves, and a cache entry holds the generation
// alone (its place in the block names the slot), which is what the JS hit
// path compares. A slot's generation counts its creates and is never
// reused: a slot whose generation reached GENERATION_LAST stays free for
// good (docs/internals.md §7), so no stale token ever names a later
// incarnation, and a handle compares one word.

/** Bits of a slot index (in the failure ring's words, beside other fields). */
export const POOL_INDEX_BITS: u32 = 8;
/** The last generation a slot takes; once that incarnation ends the slot is spent and never taken again. */
export const GENERATION_LAST: u32 = 0xffffffff;
/** With TEST_GENERATIONS_NEAR_TOP, the generation every slot starts at (its next create takes GENERATION_TEST_START + 1). */
export const GENERATION_TEST_START: u32 = GENERATION_LAST - 3;

// ---- Thread slots and thread caches ---------------------------------------
//
// Every attached thread holds one slot (claimed by CAS, freed by close or by
// reclaim) and one cache block, taken from the backing allocator at attach.
// Only its owner writes a slot or a block, with plain stores, until the
// thread is known dead; then the thread that reclaims it does (thread-slots.ts).
// A slot is one cache line, so lock holders and readers that scan the slots
// never share a line with another thread's hot words.
//
//   thread slot (64 bytes)
//   +0  state (FREE, LIVE, BUSY, DEAD, RECLAIMING)
//   +4  thread id (never reused)
//   +8  cache block
//   +12 pool whose flush_lock it holds for reading (0: none)
//   +16 Node threadId + 1 (0: not a Node thread, or unknown)
//   +20 heartbeat: bumped by long operations under a lock, by unlocks, and
//       by waits that see the lock they wait for move, so that waiters tell
//       a slow holder from a dead one (lock-words.ts, beat)
//   +24 transit: slot of the chain's pool    } objects this thread took off
//   +28 transit: first object of the chain   } a holder and has not yet put
//   +32 transit: objects in the chain        } in another (transit.ts)
//   +36 death point to stop at (test switch)
//   +40 death points passed so far (test switch)
//   +44 1 once the thread holds its life lock (a Web Lock the browser
//       releases when the thread ends; written by the wrapper)
//   +48 the slot this thread is reclaiming now, + 1 (0: none)
//   +52 transit: generation of the chain's pool (with +24, its token)
//   +56 } the Node threadIds + 1 of the threads that started this one: its
//   +60 } parent and grandparent (0: none or unknown). A runtime stops a
//         thread's workers with it: when one of these is known to be gone,
//         so is this thread (thread-slots.ts)
//
//   cache block
//   | header | entry 0 | ... | entry 255 | batch scratch       |
//   | 64 B   | 64 bytes each, one per    | BATCH_MAX u32 words |
//   |        | pool slot                 |                     |
//
//   block header (64 bytes)
//   +0  bytes of cached objects
//   +4  bound in bytes (0: the cache is off)
//   +8  list head entry index (-1: none)
//   +12 list tail entry index (-1: none)
//   +16 why the last core call gave up (TRAP_*)  +20 its lock or pool
//   +24 its object, or the lock's owner          +28 an offset in the object
//
//   cache entry (64 bytes: one cache line)
//   +0  first cached object (a chain linked through the objects' first word)
//   +4  objects in the chain
//   +8  generation of the pool incarnation the objects belong to (0: never
//       used; the entry's place names the slot)
//   +12 stamp of that pool when the entry was last synchronised
//   +16 object size
//   +20 previous entry on the list (-1: none)
//   +24 next entry on the list (-1: none)
//   +28 flags: ENTRY_LINKED (on the list), ENTRY_USED (a hit since
//       eviction last looked at it)
//   +32 objects in the front                } the front: the top of the
//   +36 most objects the front may hold     } entry's stack, a few pointers
//   +40 front objects already folded        } outside the objects, pushed and
//   +44 front[0] ... +60 front[4]           } popped by the JS hit paths only
//       (src/cache-hit.ts). The core folds it into the chain before it uses
//       the entry (cache-block.ts, foldFront), so the stack stays LIFO. The
//       block's cached bytes count the front's whole capacity, reserved
//       when the entry is synchronised, so the bound holds for both.
//
// The wrapper's Pool.alloc/free read and write the header and entries too
// (src/cache-hit.ts): only the hit case, everything else comes here.

export const MAX_THREADS: u32 = 256;
export const THREAD_SLOT_SIZE: u32 = CACHE_LINE;
export const THREADS_START: u32 = POOLS_END;
export const THREADS_END: u32 = THREADS_START + MAX_THREADS * THREAD_SLOT_SIZE;

export const T_STATE: u32 = 0;
export const T_ID: u32 = 4;
export const T_CACHE: u32 = 8;
/** The pool whose flush_lock the thread holds for reading now (0: none). */
export const T_READ_HOLD: u32 = 12;
export const T_NODE_ID: u32 = 16;
export const T_HEARTBEAT: u32 = 20;
export const T_TRANSIT_POOL: u32 = 24;
/** A chain holder: a {first, count} pair of words (as a cache entry's E_FIRST, E_COUNT). */
export const T_TRANSIT: u32 = 28;
export const T_DIE_AT: u32 = 36;
export const T_DEATH_POINTS: u32 = 40;
/**
 * The id of the life lock the thread took before it attached (browsers and
 * Deno: the Web Lock `wasm-pools:<heap id>:<this id>`, src/life-lock.ts), set
 * before the slot is LIVE; 0 where exit events tell of a thread's end.
 */
export const T_LIFE_LOCK: u32 = 44;
export const T_RECLAIMING: u32 = 48;
/** With T_TRANSIT_POOL (the slot index), the token of the transit's pool incarnation. */
export const T_TRANSIT_GENERATION: u32 = 52;
/** The first of T_ANCESTOR_COUNT words: Node threadIds + 1 of the threads that started this one, nearest first. */
export const T_ANCESTORS: u32 = 56;
export const T_ANCESTOR_COUNT: u32 = 2;
export const THREAD_FREE: u32 = 0;
export const THREAD_LIVE: u32 = 1;
/** Being set up or closed by its own thread: alive, but nobody else may touch the block. */
export const THREAD_BUSY: u32 = 2;
/** Known to be gone for good (its worker exited): its locks may be taken over. */
export const THREAD_DEAD: u32 = 3;
/** Dead, and a live thread is giving back what it left. */
export const THREAD_RECLAIMING: u32 = 4;

export const B_CACHED_BYTES: u32 = 0;
export const B_LIMIT_BYTES: u32 = 4;
export const B_LIST_HEAD: u32 = 8;
export const B_LIST_TAIL: u32 = 12;
/** Why this thread's last core call gave up (TRAP_*), written just before it unwound, and its details. */
export const B_TRAP: u32 = 16;
export const B_TRAP_WHERE: u32 = 20;
export const B_TRAP_OBJECT: u32 = 24;
export const B_TRAP_OFFSET: u32 = 28;
export const TRAP_USE_AFTER_FREE: u32 = 1;
export const TRAP_LOCK_TIMEOUT: u32 = 2;
/** Test switch: the thread stopped dead at a death point and must never run again. */
export const TRAP_DIED: u32 = 3;
/** A free list held a link that is no free object of its pool (the pool is marked POOL_CORRUPT). */
export const TRAP_CORRUPT_LIST: u32 = 4;
/** Debug poison: an object about to be handed out no longer held the poison (written after it was freed). */
export const TRAP_WRITE_AFTER_FREE: u32 = 5;
/**
 * A reclaim met a lock whose holder showed no sign of life for a short
 * while: it stopped, left the dead slot DEAD, and is retried later (a
 * reclaim never waits out a holder whose own death may not be known yet).
 */
export const TRAP_RECLAIM_DEFERRED: u32 = 6;
/** An internal check failed (asserts.ts, invariant): the trap's `where` names which one (ASSERT_*). */
export const TRAP_INVARIANT: u32 = 7;
// The internal checks, each named so that a failed one says which it was
// (src/traps.ts words them for HeapCorruptError).
/** cache-block.ts, addCachedBytes: the cache's byte count would go below 0. */
export const ASSERT_CACHED_BYTES: u32 = 1;
/** cache-block.ts, listIndex: a link of the block's list of entries is out of range. */
export const ASSERT_LIST_LINK: u32 = 2;
/** cache-block.ts, listConsistent (debug build): the list of entries does not walk the same both ways. */
export const ASSERT_LIST_CONSISTENT: u32 = 3;
/** cache-miss.ts, fillEntry (debug build): a refill's chain does not hold the count it says. */
export const ASSERT_REFILL_CHAIN: u32 = 4;
/** cache.ts, takeCached (debug build): an object taken from an entry that counts none. */
export const ASSERT_TAKE_COUNT: u32 = 5;
/** pool.ts, popIntoEntry: a cluster popped into an entry that is not empty. */
export const ASSERT_POP_INTO_EMPTY: u32 = 6;
/** pool.ts, pushFromEntry: more objects pushed than the entry holds. */
export const ASSERT_PUSH_COUNT: u32 = 7;
/** transit.ts: a transit started while another is under way, or an empty one. */
export const ASSERT_TRANSIT_EMPTY: u32 = 8;
/** undo.ts: the backing allocator's undo log is full. */
export const ASSERT_UNDO_LOG_ROOM: u32 = 9;
export const CACHE_ENTRIES: u32 = CACHE_LINE;
export const CACHE_ENTRY_SIZE: u32 = 64;
export const CACHE_ENTRY_SHIFT: u32 = 6;
export const E_FIRST: u32 = 0;
export const E_COUNT: u32 = 4;
export const E_TOKEN: u32 = 8;
export const E_STAMP: u32 = 12;
export const E_SIZE: u32 = 16;
export const E_LIST_PREV: u32 = 20;
export const E_LIST_NEXT: u32 = 24;
export const E_FLAGS: u32 = 28;
export const E_FRONT_COUNT: u32 = 32;
export const E_FRONT_CAPACITY: u32 = 36;
export const E_FRONT_FOLDED: u32 = 40;
export const E_FRONT: u32 = 44;
/** Slots of an entry's front. */
export const FRONT_SLOTS: u32 = 5;
/** Most bytes of objects an entry's front holds: its capacity is min(FRONT_SLOTS, FRONT_BYTES / size). */
export const FRONT_BYTES: u32 = 2048;
/** The entry is on its block's list (every entry whose token and stamp are current is). */
export const ENTRY_LINKED: u32 = 1;
/** A hit used the entry since eviction last looked at it (second chance: cache-miss.ts, evict). */
export const ENTRY_USED: u32 = 2;
/** Most pointers one allocMany / freeMany call moves through the scratch words. */
export const BATCH_MAX: u32 = 256;
export const CACHE_SCRATCH: u32 = CACHE_ENTRIES + MAX_POOLS * CACHE_ENTRY_SIZE;
export const CACHE_BLOCK_BYTES: u32 = CACHE_SCRATCH + BATCH_MAX * 4;

// ---- Undo log of the backing allocator ------------------------------------
//
// Every store under the backing lock goes through the log (undo.ts): the
// address and the old value are written before the new value. Unlocking
// empties the log; a thread that takes the lock over from a dead owner
// writes the old values back, newest first, so the dead owner's half-done
// section never happened.
//
//   UNDO_LOG_START
//   +0 entries in use | +8 entry 0: address, old value | entry 1 | ...

export const UNDO_LOG_START: u32 = THREADS_END;
export const UNDO_LOG_CAPACITY: u32 = 2048;
export const UNDO_LOG_ENTRIES: u32 = UNDO_LOG_START + 8;
export const UNDO_LOG_END: u32 = UNDO_LOG_ENTRIES + UNDO_LOG_CAPACITY * 8;

// ---- Channel slots ----------------------------------------------------------
//
// One 128-byte slot per channel (channels.ts, docs/internals.md §14): a
// bounded FIFO of u32 pointers in a ring taken from the backing allocator.
// Every operation is one section under the channel's robust mutex that
// commits with one store (the u64 count it moves), so a dead holder's
// section needs no repair.
//
//   line 0                                  line 1
//   +0  state (FREE, OPEN, CLOSED)          +64 name length (u8)
//   +4  generation (bumped at create;       +65 name, UTF-8, 31 bytes
//       never reused: GENERATION_LAST)
//   +8  lock (robust mutex, tagged owner)
//   +12 capacity (messages)
//   +16 received so far (u64): senders wait on its low word while full
//   +24 sent so far (u64): receivers wait on its low word while empty
//   +32 ring: payload of `capacity` u32 words (0: none)
//   +36 receivers waiting now  } advisory: a sender (receiver) wakes a
//   +40 senders waiting now    } waiter only when one is counted here
//
//   queued == sent - received, 0 <= queued <= capacity; message n sits in
//   ring[n % capacity]

export const MAX_CHANNELS: u32 = 64;
export const CHANNEL_SLOT_SIZE: u32 = 2 * CACHE_LINE;
export const CHANNELS_START: u32 = (UNDO_LOG_END + CACHE_LINE - 1) & ~(CACHE_LINE - 1);
export const CHANNELS_END: u32 = CHANNELS_START + MAX_CHANNELS * CHANNEL_SLOT_SIZE;
export const CH_STATE: u32 = 0;
export const CH_GENERATION: u32 = 4;
export const CH_LOCK: u32 = 8;
export const CH_CAPACITY: u32 = 12;
export const CH_RECEIVED: u32 = 16;
export const CH_SENT: u32 = 24;
export const CH_RING: u32 = 32;
export const CH_RECEIVERS_WAITING: u32 = 36;
export const CH_SENDERS_WAITING: u32 = 40;
export const CH_NAME_LEN: u32 = CACHE_LINE + 0;
export const CH_NAME: u32 = CACHE_LINE + 1;
export const CHANNEL_NAME_MAX: u32 = 31;
/** Most messages a channel holds. */
export const CHANNEL_CAPACITY_MAX: u32 = 1 << 24;
// A channel slot's life: FREE --create--> OPEN --close--> CLOSED --destroy (empty)--> FREE
// (destroy also takes an OPEN channel that is empty).
export const CHANNEL_FREE: u32 = 0;
export const CHANNEL_OPEN: u32 = 1;
/** Sends are refused; receivers take what is left, then learn that it is closed. */
export const CHANNEL_CLOSED: u32 = 2;

// ---- Arena ----------------------------------------------------------------

export const ARENA_START: u32 = CHANNELS_END;
/** The smallest memory a heap can live in: header, pool slots, one page of arena. */
export const MIN_PAGES: u32 = (ARENA_START + PAGE_BYTES - 1) / PAGE_BYTES + 1;

// ---- Status codes returned through the ABI --------------------------------
// Pointers are multiples of 8 and at least ARENA_START, so alloc can return
// small codes in place of a pointer.

export const ALLOC_FAILED: u32 = 0;
export const ALLOC_STALE_POOL: u32 = 1;
export const ALLOC_NOT_ATTACHED: u32 = 2;

export const OK: i32 = 0;
export const ERR_STALE_POOL: i32 = -1;
export const ERR_BAD_POINTER: i32 = -2;
export const ERR_NAME_TAKEN: i32 = -3;
export const ERR_TOO_MANY_POOLS: i32 = -4;
export const ERR_POOL_IN_USE: i32 = -5;
export const ERR_FREE_UNDERFLOW: i32 = -6;
export const ERR_NOT_READY: i32 = -7;
export const ERR_BAD_MAGIC: i32 = -8;
export const ERR_ABI_MISMATCH: i32 = -9;
export const ERR_ALREADY_INITIALISED: i32 = -10;
export const ERR_STATIC_DATA_TOO_LARGE: i32 = -11;
export const ERR_SIZE_MISMATCH: i32 = -12;
export const ERR_DOUBLE_FREE: i32 = -13;
export const ERR_TOO_MANY_THREADS: i32 = -14;
export const ERR_NO_MEMORY: i32 = -15;
export const ERR_UNKNOWN_THREAD: i32 = -16;
/** Debug tag: the object belongs to another pool. */
export const ERR_POOL_MISMATCH: i32 = -17;
/** Debug tag: the address is a used chunk that no pool handed out. */
export const ERR_NEVER_ALLOCATED: i32 = -18;
/** A channel token names a destroyed incarnation (or no channel). */
export const ERR_STALE_CHANNEL: i32 = -19;
/** A send found the channel holding `capacity` messages. */
export const ERR_CHANNEL_FULL: i32 = -20;
/** A send found the channel closed. */
export const ERR_CHANNEL_CLOSED: i32 = -21;
/** Every channel slot is taken. */
export const ERR_TOO_MANY_CHANNELS: i32 = -22;
/** A destroy found messages still in the channel. */
export const ERR_CHANNEL_NOT_EMPTY: i32 = -23;

// What channel_receive returns in place of a pointer (pointers are at least ARENA_START).
/** Nothing to take now. */
export const RECEIVE_EMPTY: u32 = 0;
/** The channel was destroyed (the token is stale). */
export const RECEIVE_STALE: u32 = 1;
/** Closed, and every message was taken. */
export const RECEIVE_CLOSED: u32 = 3;
