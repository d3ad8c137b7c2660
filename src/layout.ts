// Generated from assembly/layout.ts by scripts/layout.mjs at build time: do not
// edit. Each constant's meaning, the diagrams and the arithmetic behind
// each value are in assembly/layout.ts; the values here are the built module's.

// ---- Format identity

/** "WPOL" in little-endian ASCII. */
export const HEAP_MAGIC = 1280266327;
/** Bumped whenever a byte of this file's layout changes meaning. */
export const ABI_VERSION = 14;
export const PAGE_BYTES = 65536;
export const CACHE_LINE = 64;
/** Largest memory the heap will use: 65535 pages, so `end` still fits a u32. */
export const MAX_PAGES_LIMIT = 65535;

// ---- Heap header

export const HEADER_START = 65536;
export const H_INIT_STATE = 65536;
export const H_MAGIC = 65540;
export const H_ABI_VERSION = 65544;
export const H_HEAP_ID = 65548;
export const H_MAX_PAGES = 65552;
export const H_TEST_SWITCHES = 65556;
export const H_NEXT_THREAD_ID = 65560;
/** Share of refills from the backing allocator that fail on purpose, in parts per million (0: none). */
export const H_FAIL_PPM = 65564;
/** Seed of every thread's fault-injection random stream. */
export const H_FAIL_SEED = 65568;
/** Debug checks of this heap (DEBUG_* bits), fixed at creation. */
export const H_DEBUG_FLAGS = 65572;
/** Address of the quarantine (debug uaf), or 0. */
export const H_QUARANTINE = 65576;
export const DEBUG_UAF = 1;
/** Debug tag: an owner tag (the pool's token, generation and slot) after every object, checked by free. */
export const DEBUG_TAG = 2;
/** Debug poison: objects are filled with the byte in bits 8..15 of the flags on alloc and free. */
export const DEBUG_POISON = 4;
export const DEBUG_POISON_SHIFT = 8;
/** Bytes added after each object for its tag (the u64 token, which keeps 8-byte alignment). */
export const TAG_BYTES = 8;
export const QUARANTINE_SLOTS = 4096;
export const QUARANTINE_BYTES = 16388;
export const H_REGISTRY_LOCK = 65600;
/** Every pool stamp is taken from this counter, so no two stamps are ever equal. */
export const H_STAMP_COUNTER = 65604;
/** Allocation failures so far (every pool); entry n of the ring is at n % FAILURE_RING_SIZE. */
export const H_FAILURES = 65608;
/**
 * The most recent allocation failures, one u32 each:
 *   bit 31 set (written) | reason << POOL_INDEX_BITS | pool slot index
 */
export const H_FAILURE_RING = 65612;
export const FAILURE_RING_SIZE = 12;
/** Pools destroyed so far: a thread that sees it move drains its cache entries of retired pools. */
export const H_RETIRED_COUNT = 65660;
export const FAILURE_WRITTEN = 2147483648;
/** Why an allocation failed. */
export const FAILED_LIMIT = 1;
export const FAILED_MEMORY = 2;
export const FAILED_INJECTED = 3;
export const H_BACKING_LOCK = 65664;
/** First byte past the last carved chunk; [top, memory end) is uncarved. */
export const H_BACKING_TOP = 65668;
/** Bytes (headers included) of chunks sitting free in the bins. */
export const H_BACKING_FREE_BYTES = 65672;
/** Bytes (headers included) of chunks handed out. */
export const H_BACKING_USED_BYTES = 65676;
/** Large blocks (malloc beyond the largest size class, large.ts) handed out, and their chunks' bytes. */
export const H_LARGE_BLOCKS = 65680;
export const H_LARGE_BYTES = 65684;
export const INIT_EMPTY = 0;
export const INIT_BUSY = 1;
export const INIT_READY = 2;
/** Test-only switches that remove a safety mechanism (negative controls). */
export const TEST_NO_SEQUENCE = 1;
export const TEST_NO_FLUSH_LOCK = 2;
/** Threads stop dead at the death point their slot names (T_DIE_AT), as a terminated worker would. */
export const TEST_DEATH_POINTS = 4;
/** Negative control: a dead thread's half-done work is left as it is: TEST_NO_UNDO and TEST_NO_TRANSIT_RECOVERY together, and no recount of its cache chains. */
export const TEST_NO_RECOVERY = 8;
/** Waiters give up after about 20 ms without a sign of life instead of 3 s. */
export const TEST_SHORT_PATIENCE = 16;
/** Negative control: the backing allocator hands out a fitting chunk one header too large whole (malloc then misreads classes). */
export const TEST_INEXACT_CHUNKS = 32;
/** Every pool slot starts at generation GENERATION_TEST_START, a few creates below GENERATION_LAST. */
export const TEST_GENERATIONS_NEAR_TOP = 64;
/** Negative control: a dead owner's half-done backing-allocator section is not rolled back (the undo log is ignored). */
export const TEST_NO_UNDO = 128;
/** Negative control: a dead thread's transit (a chain it had taken off a holder) is not put back. */
export const TEST_NO_TRANSIT_RECOVERY = 256;
/** Negative control: a reclaim leaves the channel locks a dead thread held as they are (thread-slots.ts). */
export const TEST_NO_CHANNEL_RELEASE = 512;

// ---- Backing allocator bins

export const SMALL_BIN_LIMIT = 256;
export const SL_BITS = 3;
export const BIN_COUNT = 224;
export const BIN_BITMAP_WORDS = 7;
export const H_BIN_BITMAP = 65728;
export const H_BIN_HEADS = 65792;
export const H_BIN_HEADS_END = 66688;
export const HEADER_END = 66688;

// ---- Chunks of the backing allocator

export const C_SIZE = 0;
export const C_PREV_SIZE = 4;
export const C_NEXT_FREE = 8;
export const C_PREV_FREE = 12;
export const CHUNK_HEADER = 8;
export const CHUNK_MIN = 16;
export const CHUNK_USED = 1;
export const CHUNK_ON_FREE_LIST = 2;
/** Debug uaf: the chunk was given back by flush or gc and sits in the quarantine. */
export const CHUNK_RELEASED = 4;
export const CHUNK_SIZE_MASK = 4294967288;
/** Largest payload one chunk may hold (1 GiB); larger requests fail. */
export const CHUNK_MAX_PAYLOAD = 1073741824;
export const LARGE_MARK = 1263291462;
export const LARGE_KEY = 2654435769;
export const LARGE_PREFIX = 8;

// ---- Pool slots

export const MAX_POOLS = 256;
export const POOL_SLOT_SIZE = 128;
export const POOLS_START = 66688;
export const POOLS_END = 99456;
export const P_HEAD = 0;
export const P_FLUSH_LOCK = 8;
export const P_ALLOCATED = 12;
export const P_USED = 16;
export const P_FAILED = 20;
/** Threads waiting for an object of the pool now (the wrapper's allocWait counts itself here). */
export const P_WAITERS = 24;
/** Moved (and waited on) when objects come back to the free list while someone waits (freelist.ts, listPushChain). */
export const P_RETURNS = 28;
export const P_STATE = 64;
export const P_GENERATION = 68;
export const P_SIZE = 72;
export const P_FLAGS = 76;
export const P_USERS = 80;
export const P_MIN_AVAIL = 84;
export const P_LIMIT = 88;
export const P_STAMP = 92;
export const P_NAME_LEN = 96;
export const P_NAME = 97;
export const POOL_NAME_MAX = 31;
export const POOL_FREE = 0;
export const POOL_LIVE = 1;
export const POOL_RETIRED = 2;
export const POOL_SHARED = 1;
/**
 * Flag: a free list of the pool held a link that is no free object of it (a
 * write after free, or a stray write). Its allocations then throw
 * HeapCorruptError until it is destroyed with force; other pools go on.
 */
export const POOL_CORRUPT = 2;
/** Bits of a slot index (in the failure ring's words, beside other fields). */
export const POOL_INDEX_BITS = 8;
/** The last generation a slot takes; once that incarnation ends the slot is spent and never taken again. */
export const GENERATION_LAST = 4294967295;
/** With TEST_GENERATIONS_NEAR_TOP, the generation every slot starts at (its next create takes GENERATION_TEST_START + 1). */
export const GENERATION_TEST_START = 4294967292;

// ---- Thread slots and thread caches

export const MAX_THREADS = 256;
export const THREAD_SLOT_SIZE = 64;
export const THREADS_START = 99456;
export const THREADS_END = 115840;
export const T_STATE = 0;
export const T_ID = 4;
export const T_CACHE = 8;
/** The pool whose flush_lock the thread holds for reading now (0: none). */
export const T_READ_HOLD = 12;
export const T_NODE_ID = 16;
export const T_HEARTBEAT = 20;
export const T_TRANSIT_POOL = 24;
/** A chain holder: a {first, count} pair of words (as a cache entry's E_FIRST, E_COUNT). */
export const T_TRANSIT = 28;
export const T_DIE_AT = 36;
export const T_DEATH_POINTS = 40;
/**
 * The id of the life lock the thread took before it attached (browsers and
 * Deno: the Web Lock `wasm-pools:<heap id>:<this id>`, src/life-lock.ts), set
 * before the slot is LIVE; 0 where exit events tell of a thread's end.
 */
export const T_LIFE_LOCK = 44;
export const T_RECLAIMING = 48;
/** With T_TRANSIT_POOL (the slot index), the token of the transit's pool incarnation. */
export const T_TRANSIT_GENERATION = 52;
/** The first of T_ANCESTOR_COUNT words: Node threadIds + 1 of the threads that started this one, nearest first. */
export const T_ANCESTORS = 56;
export const T_ANCESTOR_COUNT = 2;
export const THREAD_FREE = 0;
export const THREAD_LIVE = 1;
/** Being set up or closed by its own thread: alive, but nobody else may touch the block. */
export const THREAD_BUSY = 2;
/** Known to be gone for good (its worker exited): its locks may be taken over. */
export const THREAD_DEAD = 3;
/** Dead, and a live thread is giving back what it left. */
export const THREAD_RECLAIMING = 4;
export const B_CACHED_BYTES = 0;
export const B_LIMIT_BYTES = 4;
export const B_LIST_HEAD = 8;
export const B_LIST_TAIL = 12;
/** Why this thread's last core call gave up (TRAP_*), written just before it unwound, and its details. */
export const B_TRAP = 16;
export const B_TRAP_WHERE = 20;
export const B_TRAP_OBJECT = 24;
export const B_TRAP_OFFSET = 28;
export const TRAP_USE_AFTER_FREE = 1;
export const TRAP_LOCK_TIMEOUT = 2;
/** Test switch: the thread stopped dead at a death point and must never run again. */
export const TRAP_DIED = 3;
/** A free list held a link that is no free object of its pool (the pool is marked POOL_CORRUPT). */
export const TRAP_CORRUPT_LIST = 4;
/** Debug poison: an object about to be handed out no longer held the poison (written after it was freed). */
export const TRAP_WRITE_AFTER_FREE = 5;
/**
 * A reclaim met a lock whose holder showed no sign of life for a short
 * while: it stopped, left the dead slot DEAD, and is retried later (a
 * reclaim never waits out a holder whose own death may not be known yet).
 */
export const TRAP_RECLAIM_DEFERRED = 6;
/** An internal check failed (asserts.ts, invariant): the trap's `where` names which one (ASSERT_*). */
export const TRAP_INVARIANT = 7;
/** cache-block.ts, addCachedBytes: the cache's byte count would go below 0. */
export const ASSERT_CACHED_BYTES = 1;
/** cache-block.ts, listIndex: a link of the block's list of entries is out of range. */
export const ASSERT_LIST_LINK = 2;
/** cache-block.ts, listConsistent (debug build): the list of entries does not walk the same both ways. */
export const ASSERT_LIST_CONSISTENT = 3;
/** cache-miss.ts, fillEntry (debug build): a refill's chain does not hold the count it says. */
export const ASSERT_REFILL_CHAIN = 4;
/** cache.ts, takeCached (debug build): an object taken from an entry that counts none. */
export const ASSERT_TAKE_COUNT = 5;
/** pool.ts, popIntoEntry: a cluster popped into an entry that is not empty. */
export const ASSERT_POP_INTO_EMPTY = 6;
/** pool.ts, pushFromEntry: more objects pushed than the entry holds. */
export const ASSERT_PUSH_COUNT = 7;
/** transit.ts: a transit started while another is under way, or an empty one. */
export const ASSERT_TRANSIT_EMPTY = 8;
/** undo.ts: the backing allocator's undo log is full. */
export const ASSERT_UNDO_LOG_ROOM = 9;
export const CACHE_ENTRIES = 64;
export const CACHE_ENTRY_SIZE = 64;
export const CACHE_ENTRY_SHIFT = 6;
export const E_FIRST = 0;
export const E_COUNT = 4;
export const E_TOKEN = 8;
export const E_STAMP = 12;
export const E_SIZE = 16;
export const E_LIST_PREV = 20;
export const E_LIST_NEXT = 24;
export const E_FLAGS = 28;
export const E_FRONT_COUNT = 32;
export const E_FRONT_CAPACITY = 36;
export const E_FRONT_FOLDED = 40;
export const E_FRONT = 44;
/** Slots of an entry's front. */
export const FRONT_SLOTS = 5;
/** Most bytes of objects an entry's front holds: its capacity is min(FRONT_SLOTS, FRONT_BYTES / size). */
export const FRONT_BYTES = 2048;
/** The entry is on its block's list (every entry whose token and stamp are current is). */
export const ENTRY_LINKED = 1;
/** A hit used the entry since eviction last looked at it (second chance: cache-miss.ts, evict). */
export const ENTRY_USED = 2;
/** Most pointers one allocMany / freeMany call moves through the scratch words. */
export const BATCH_MAX = 256;
export const CACHE_SCRATCH = 16448;
export const CACHE_BLOCK_BYTES = 17472;

// ---- Undo log of the backing allocator

export const UNDO_LOG_START = 115840;
export const UNDO_LOG_CAPACITY = 2048;
export const UNDO_LOG_ENTRIES = 115848;
export const UNDO_LOG_END = 132232;

// ---- Channel slots

export const MAX_CHANNELS = 64;
export const CHANNEL_SLOT_SIZE = 128;
export const CHANNELS_START = 132288;
export const CHANNELS_END = 140480;
export const CH_STATE = 0;
export const CH_GENERATION = 4;
export const CH_LOCK = 8;
export const CH_CAPACITY = 12;
export const CH_RECEIVED = 16;
export const CH_SENT = 24;
export const CH_RING = 32;
export const CH_RECEIVERS_WAITING = 36;
export const CH_SENDERS_WAITING = 40;
export const CH_NAME_LEN = 64;
export const CH_NAME = 65;
export const CHANNEL_NAME_MAX = 31;
/** Most messages a channel holds. */
export const CHANNEL_CAPACITY_MAX = 16777216;
export const CHANNEL_FREE = 0;
export const CHANNEL_OPEN = 1;
/** Sends are refused; receivers take what is left, then learn that it is closed. */
export const CHANNEL_CLOSED = 2;

// ---- Arena

export const ARENA_START = 140480;
/** The smallest memory a heap can live in: header, pool slots, one page of arena. */
export const MIN_PAGES = 4;

// ---- Status codes returned through the ABI

export const ALLOC_FAILED = 0;
export const ALLOC_STALE_POOL = 1;
export const ALLOC_NOT_ATTACHED = 2;
export const OK = 0;
export const ERR_STALE_POOL = -1;
export const ERR_BAD_POINTER = -2;
export const ERR_NAME_TAKEN = -3;
export const ERR_TOO_MANY_POOLS = -4;
export const ERR_POOL_IN_USE = -5;
export const ERR_FREE_UNDERFLOW = -6;
export const ERR_NOT_READY = -7;
export const ERR_BAD_MAGIC = -8;
export const ERR_ABI_MISMATCH = -9;
export const ERR_ALREADY_INITIALISED = -10;
export const ERR_STATIC_DATA_TOO_LARGE = -11;
export const ERR_SIZE_MISMATCH = -12;
export const ERR_DOUBLE_FREE = -13;
export const ERR_TOO_MANY_THREADS = -14;
export const ERR_NO_MEMORY = -15;
export const ERR_UNKNOWN_THREAD = -16;
/** Debug tag: the object belongs to another pool. */
export const ERR_POOL_MISMATCH = -17;
/** Debug tag: the address is a used chunk that no pool handed out. */
export const ERR_NEVER_ALLOCATED = -18;
/** A channel token names a destroyed incarnation (or no channel). */
export const ERR_STALE_CHANNEL = -19;
/** A send found the channel holding `capacity` messages. */
export const ERR_CHANNEL_FULL = -20;
/** A send found the channel closed. */
export const ERR_CHANNEL_CLOSED = -21;
/** Every channel slot is taken. */
export const ERR_TOO_MANY_CHANNELS = -22;
/** A destroy found messages still in the channel. */
export const ERR_CHANNEL_NOT_EMPTY = -23;
/** Nothing to take now. */
export const RECEIVE_EMPTY = 0;
/** The channel was destroyed (the token is stale). */
export const RECEIVE_STALE = 1;
/** Closed, and every message was taken. */
export const RECEIVE_CLOSED = 3;
