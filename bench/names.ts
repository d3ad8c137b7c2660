// The names of the reference rows the tables divide by, in a module of their
// own: the case code imports them and runs in every engine (bench/engines/),
// so it may not pull in results.ts, which reads node:os.

/** The name of the glibc malloc+free reference of a single-thread group; the tables divide by it. */
export const GLIBC = "glibc malloc+free";
/** The name of the Int32Array LIFO floor of a single-thread group; the tables divide by it. */
export const FLOOR = "JS Int32Array LIFO push+pop (floor)";
