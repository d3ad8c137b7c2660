// The size classes of heap.malloc: 8-byte steps up to 128 bytes, then 8
// classes per power of two up to 8 KiB, so a block wastes at most 12.5 %
// of its size past 128 bytes (7 bytes below). Larger blocks are large
// blocks (one chunk each, assembly/large.ts). The steps are all multiples
// of 8 up to 1 KiB, so a table indexed by ceil(bytes / 8) finds the class
// there; past it the class comes from the top bit of the size.
//
//   class:  0   1   2  ...  15 | 16  17  ... 23 | 24  ...  31 | ... | 56   ...  63
//   bytes:  8  16  24  ... 128 | 144 160 ... 256| 288 ... 512 | ... | 4608 ... 8192

/** The largest class's block size; larger requests get large blocks. */
export const LARGEST_CLASS = 8192;
/** Largest size the table serves. */
const TABLE_LIMIT = 1024;
const STEP_CLASSES = 16;
/** Classes per power of two past 128 bytes. */
const PER_DOUBLING = 8;

/** Block size of class `index`. */
export function classSize(index: number): number {
  if (index < STEP_CLASSES) return (index + 1) * 8;
  const j = index - STEP_CLASSES;
  const base = 128 << (j >> 3);
  return base + ((j & 7) + 1) * (base / PER_DOUBLING);
}

/** The class of a request for `bytes` (0..LARGEST_CLASS), by computation. */
function computedClass(bytes: number): number {
  if (bytes <= 128) return bytes <= 8 ? 0 : ((bytes + 7) >>> 3) - 1;
  const top = 31 - Math.clz32(bytes - 1); // 2^top < bytes <= 2^(top + 1)
  const step = 1 << (top - 3);
  return STEP_CLASSES + (top - 7) * PER_DOUBLING + Math.ceil((bytes - (1 << top)) / step) - 1;
}

/** Class of each request of up to TABLE_LIMIT bytes, by ceil(bytes / 8). */
const TABLE = Uint8Array.from({ length: TABLE_LIMIT / 8 + 1 }, (_, eighths) => computedClass(eighths * 8));

/** The class of a request for `bytes` (a whole number in 0..LARGEST_CLASS). */
export function classOf(bytes: number): number {
  return bytes <= TABLE_LIMIT ? TABLE[(bytes + 7) >>> 3]! : computedClass(bytes);
}

/** The class whose block size is exactly `size`, or -1 (for sizes no class has). */
export function classWithSize(size: number): number {
  if (size < 8 || size > LARGEST_CLASS || size % 8 !== 0) return -1;
  const index = classOf(size);
  return classSize(index) === size ? index : -1;
}
