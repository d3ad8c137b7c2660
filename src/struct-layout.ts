// Struct layouts: fields declared once, laid out as a C compiler lays out a
// struct (each field at the next multiple of its alignment, in declaration
// order; the size a multiple of the largest alignment), then bound to a
// heap for access (struct-binding.ts).
//
//   struct({ id: u32, lastSeen: f64, name: utf8(15) })
//
//   offset 0      4        8          16      17                 32
//          | id  | (pad)  | lastSeen | len | name: 15 bytes    |
//                                     (utf8's 1-byte length prefix)

import { tagBytes } from "./debug.js";
import { InvalidArgumentError } from "./errors.js";
import type { Heap } from "./heap.js";
import type { PoolOptions } from "./heap-types.js";
import { H_DEBUG_FLAGS } from "./layout.js";
import type { Pool } from "./pool.js";
import { bindFields, elementIndex, RESERVED_NAMES, type StructFields } from "./struct-binding.js";
import { FieldMemory, LiveObjectGuard } from "./struct-memory.js";
import { type Fields, isFieldType, type PlacedField, type StructType } from "./struct-types.js";
import { describe } from "./validate.js";

/** Options of StructLayout.bind. */
export interface BindOptions {
  /**
   * Check every access against the live object it lands in (bounds, and
   * that the object is handed out, not free). On by default for heaps made
   * with debug options, off otherwise (it costs a look at the object's
   * header per access).
   */
  checked?: boolean;
}

/** A struct bound to a heap: its field accessors, object views, and the ways to allocate it. */
export type BoundStruct<F extends Fields> = StructFields<F> & {
  /** The layout it was bound from. */
  readonly layout: StructLayout<F>;
  /** The address of element `index` of an array of these structs at `base` (base + index * size). */
  at(base: number, index: number): number;
  /** A pool of objects of this struct's size (heap.createPool). */
  createPool(name: string, options?: PoolOptions): Pool;
  /** One struct from heap.malloc (free it with heap.free). */
  malloc(): number;
  /** `count` structs in one heap.malloc block (at() reaches each; free it with heap.free). */
  mallocArray(count: number): number;
};

const MAX_STRUCT_BYTES = 1 << 30;

/** Struct layouts: use `struct(fields)`. */
export class StructLayout<F extends Fields> implements StructType<F> {
  /** What every struct layout is as a field type. */
  readonly kind = "struct";
  /** Bytes of one struct, padding included (a multiple of align). */
  readonly size: number;
  /** The largest alignment of its fields: the struct's own. */
  readonly align: number;
  readonly fields: readonly PlacedField[];
  /** Each field's byte offset, by name. */
  readonly offsets: { readonly [K in keyof F]: number };

  /** @internal */
  constructor(readonly declaration: F) {
    if (typeof declaration !== "object" || declaration === null || Array.isArray(declaration)) {
      throw new InvalidArgumentError("fields", `expected an object of field types, got ${describe(declaration)}`);
    }
    const placed: PlacedField[] = [];
    let end = 0;
    let align = 1;
    for (const [name, type] of Object.entries(declaration)) {
      if (!isFieldType(type))
        throw new InvalidArgumentError(
          `fields.${name}`,
          `expected a field type (types.u32, types.utf8(n), a struct, ...), got ${describe(type)}`,
        );
      if (RESERVED_NAMES.has(name))
        throw new InvalidArgumentError(`fields.${name}`, `"${name}" is a member of every bound struct; name the field otherwise`);
      const offset = Math.ceil(end / type.align) * type.align;
      placed.push(Object.freeze({ name, type, offset }));
      end = offset + type.size;
      align = Math.max(align, type.align);
    }
    if (placed.length === 0) throw new InvalidArgumentError("fields", "a struct needs at least one field");
    this.size = Math.ceil(end / align) * align;
    if (this.size > MAX_STRUCT_BYTES)
      throw new InvalidArgumentError("fields", `the struct would take ${this.size} bytes; at most ${MAX_STRUCT_BYTES}`);
    this.align = align;
    this.fields = Object.freeze(placed);
    this.offsets = Object.freeze(Object.fromEntries(placed.map((f) => [f.name, f.offset]))) as { readonly [K in keyof F]: number };
    Object.freeze(this);
  }

  /**
   * The accessors of this layout's fields over `heap`'s memory, for this
   * thread. Bind once (at start-up) and keep the result: each bind builds
   * its accessors.
   *
   * ```ts
   * const sessions = Session.bind(heap);
   * const p = sessions.malloc();
   * sessions.id.set(p, 7);
   * sessions.hits.add(p, 1); // atomic
   * ```
   *
   * @throws {@link InvalidArgumentError} for options of the wrong type
   */
  bind(heap: Heap, options?: BindOptions): BoundStruct<F> {
    const checked = options?.checked ?? heapHasDebugChecks(heap);
    if (typeof checked !== "boolean") throw new InvalidArgumentError("options.checked", `expected a boolean, got ${describe(checked)}`);
    const memory = new FieldMemory(heap.memory, null);
    const guarded = checked ? new FieldMemory(heap.memory, new LiveObjectGuard(memory.views, tagBytes(memory.views))) : memory;
    const fields = bindFields(this, 0, guarded) as Record<string, unknown>;
    const size = this.size;
    const bound = {
      ...fields,
      layout: this,
      at(base: number, index: number): number {
        elementIndex(index);
        const element = base + index * size;
        if (guarded.guard) {
          guarded.guard.check(base, index * size, size);
          guarded.guard.rememberElement(element, base);
        }
        return element;
      },
      createPool: (name: string, poolOptions?: PoolOptions): Pool => heap.createPool(name, size, poolOptions),
      malloc: (): number => heap.malloc(size),
      mallocArray: (count: number): number => {
        if (typeof count !== "number" || !Number.isInteger(count) || count < 1 || count * size > MAX_STRUCT_BYTES) {
          throw new InvalidArgumentError(
            "count",
            `expected a whole number from 1 up to ${MAX_STRUCT_BYTES} bytes of structs, got ${describe(count)}`,
          );
        }
        return heap.malloc(count * size);
      },
    };
    return Object.freeze(bound) as unknown as BoundStruct<F>;
  }
}

function heapHasDebugChecks(heap: Heap): boolean {
  return new Uint32Array(heap.memory.buffer, H_DEBUG_FLAGS, 1)[0] !== 0;
}

/**
 * Declares a struct layout: fields in order, each a type of `types` or
 * another struct layout (nested). Offsets follow C's rules (natural
 * alignment); `size`, `align` and `offsets` say where everything is.
 *
 * ```ts
 * const { u32, f64, utf8 } = types;
 * const Session = struct({ id: u32, hits: u32, lastSeen: f64, name: utf8(47) });
 * Session.size; // 64
 * ```
 *
 * @throws {@link InvalidArgumentError} for a field that is not a field type, a reserved field name, or no fields
 */
export function struct<const F extends Fields>(fields: F): StructLayout<F> {
  return new StructLayout(fields);
}
