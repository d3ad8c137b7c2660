// The names of the reference rows the tables divide by, in a module of their
// own: the case code imports them and runs in every engine (bench/engines/),
// so it may not pull in results.ts, which reads node:os.

/** The name of the glibc malloc+free reference of a single-thread group; the tables divide by it. */
export const GLIBC = "glibc malloc+free";
/** The name of the Int32Array LIFO floor of a single-thread group; the tables divide by it. */
export const FLOOR = "JS Int32Array LIFO push+pop (floor)";
/** The names of the native rows (C, each allocator's malloc and free): a group's best of them is its "best native" reference. */
export const NATIVE_ROWS: readonly string[] = ["glibc", "mimalloc", "jemalloc", "tcmalloc"].map((allocator) => `${allocator} malloc+free`);
/** The second floor of group 6: the Int32Array LIFO as an object passed as a parameter, as pattern (b) gets its pool. */
export const PARAMETER_FLOOR = "JS Int32Array LIFO as a parameter (floor)";
