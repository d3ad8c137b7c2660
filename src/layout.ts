// The numbers of assembly/layout.ts that the wrapper reads. The module
// exports every layout constant as a global; test/layout.test.ts checks that
// each number here equals the module's, so the two sides cannot drift.

export const ABI_VERSION = 3;
export const PAGE_BYTES = 65536;
export const MAX_PAGES_LIMIT = 65535;
export const MIN_PAGES = 3;

export const H_HEAP_ID = 65536 + 12;
export const H_MAX_PAGES = 65536 + 16;
export const H_NEXT_THREAD_ID = 65536 + 24;
export const H_FAIL_PPM = 65536 + 28;
export const H_FAIL_SEED = 65536 + 32;
export const H_DEBUG_FLAGS = 65536 + 36;
export const H_REGISTRY_LOCK = 65536 + 64;
export const H_BACKING_LOCK = 65536 + 128;
export const DEBUG_UAF = 1;
export const DEBUG_TAG = 2;
export const DEBUG_POISON = 4;
export const DEBUG_POISON_SHIFT = 8;
export const H_FAILURES = 65536 + 64 + 8;
export const H_FAILURE_RING = 65536 + 64 + 12;
export const FAILURE_RING_SIZE = 12;
export const FAILURE_WRITTEN = 0x80000000;
export const FAILED_LIMIT = 1;
export const FAILED_MEMORY = 2;
export const FAILED_INJECTED = 3;
export const H_BACKING_TOP = 65536 + 128 + 4;
export const H_BACKING_FREE_BYTES = 65536 + 128 + 8;
export const H_BACKING_USED_BYTES = 65536 + 128 + 12;

export const MAX_POOLS = 256;
export const POOL_SLOT_SIZE = 128;
export const POOLS_START = 65536 + 1152;
export const THREADS_START = POOLS_START + MAX_POOLS * POOL_SLOT_SIZE;
export const MAX_THREADS = 256;
export const THREAD_SLOT_SIZE = 16;
export const T_STATE = 0;
export const T_ID = 4;
export const T_CACHE = 8;
export const THREAD_LIVE = 1;
export const T_READ_HOLD = 12;
export const ARENA_START = THREADS_START + MAX_THREADS * THREAD_SLOT_SIZE;
export const BATCH_MAX = 256;

export const B_CACHED_BYTES = 0;
export const B_LIMIT_BYTES = 4;
export const B_LRU_HEAD = 8;
export const B_TRAP = 16;
export const B_TRAP_WHERE = 20;
export const B_TRAP_OBJECT = 24;
export const TRAP_USE_AFTER_FREE = 1;
export const TRAP_LOCK_TIMEOUT = 2;
export const CACHE_ENTRIES = 64;
export const CACHE_ENTRY_SIZE = 32;
export const CACHE_SCRATCH = CACHE_ENTRIES + MAX_POOLS * CACHE_ENTRY_SIZE;
export const E_FIRST = 0;
export const E_COUNT = 4;
export const E_TOKEN = 8;
export const E_STAMP = 12;
export const E_SIZE = 16;

export const P_HEAD = 0;
export const P_FLUSH_LOCK = 8;
export const P_ALLOCATED = 12;
export const P_USED = 16;
export const P_FAILED = 20;
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
export const POOL_LIVE = 1;
export const POOL_SHARED = 1;
export const POOL_INDEX_BITS = 8;

export const CHUNK_MAX_PAYLOAD = 1 << 30;
export const C_SIZE = 0;
export const C_PREV_SIZE = 4;
export const CHUNK_HEADER = 8;
export const CHUNK_MIN = 16;
export const CHUNK_USED = 1;
export const CHUNK_ON_FREE_LIST = 2;

export const TEST_NO_SEQUENCE = 1;
export const TEST_NO_FLUSH_LOCK = 2;

export const ALLOC_STALE_POOL = 1;

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
export const ERR_POOL_MISMATCH = -17;
export const ERR_NEVER_ALLOCATED = -18;
