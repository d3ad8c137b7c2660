// Struct layouts in every engine: each field type written and read back
// through accessors and an object view, an object past the memory the
// accessors first saw (growth), typed errors for bad addresses and values,
// checked mode catching a freed object, and waitAsync's outcomes.

import type { Heap } from "../../dist/index.js";
import type { ConformanceReport } from "./conformance-protocol.js";
import { errorName } from "./error-name.js";
import { wasmPools } from "./library.js";

const { struct, types } = wasmPools;
const { u8, i16, u32, f64, u64, i64, bool, utf8, array, f32 } = types;
const Point = struct({ x: f64, y: f64 });
const Record = struct({
  tiny: u8,
  small: i16,
  id: u32,
  when: f64,
  name: utf8(20),
  on: bool,
  big: u64,
  debt: i64,
  where: Point,
  weights: array(f32, 3),
});

export async function structChecks(heap: Heap): Promise<ConformanceReport["structs"]> {
  const records = Record.bind(heap, { checked: false });
  const p = records.malloc();
  records.tiny.set(p, 200);
  records.small.set(p, -2);
  records.id.set(p, 4_000_000_000);
  records.when.set(p, Math.E);
  records.name.set(p, "Zoë 🦀");
  records.on.set(p, true);
  records.big.set(p, 2n ** 64n - 1n);
  records.debt.set(p, 0n);
  records.debt.add(p, -5n);
  records.where.y.set(p, 1.5);
  records.weights.set(p, 2, 0.25);
  records.id.add(p, 1);
  const v = records.view(p);
  const fields =
    v.tiny === 200 &&
    v.small === -2 &&
    v.id === 4_000_000_001 &&
    v.when === Math.E &&
    v.name === "Zoë 🦀" &&
    v.on === true &&
    v.big === 2n ** 64n - 1n &&
    v.debt === -5n &&
    v.where.y === 1.5 &&
    v.weights[2] === 0.25 &&
    heap.dataView(p, Record.size).getUint32(Record.offsets.id, true) === 4_000_000_001;
  const points = Point.bind(heap, { checked: false });
  const before = heap.memory.buffer.byteLength;
  const far = points.mallocArray(Math.ceil(before / Point.size) + 1);
  const last = points.at(far, Math.ceil(before / Point.size));
  points.x.set(last, 7.5);
  const growth = last >= before && points.x.get(last) === 7.5;
  const errors = [
    errorName(() => records.id.get(0)),
    errorName(() => records.id.get(p + 1)),
    errorName(() => records.big.set(p, 1 as never)),
    errorName(() => records.name.set(p, "x".repeat(21))),
  ];
  const checked = Point.bind(heap, { checked: true });
  const pool = checked.createPool("structs");
  const freed = pool.alloc();
  pool.free(freed);
  const checkedCatches = errorName(() => checked.x.get(freed));
  const waits = [await records.id.waitAsync(p, 0, 10), await records.id.waitAsync(p, 4_000_000_001, 10)];
  heap.free(p);
  heap.free(far);
  pool.destroy();
  return { fields, growth, errors, checkedCatches, waits };
}
