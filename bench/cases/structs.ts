// Case 12: struct field access through a bound layout (src/struct-*.ts),
// against the same fields written by hand over typed arrays and a DataView,
// and plain JS objects. Each operation touches one session: reads its id
// and lastSeen, writes lastSeen, adds 1 to hits (plain, not atomic). The
// layout is bound once at start-up, as a program binds it, and the loop
// reads the accessors from the bound struct at each use, as users write it.

import { Heap, struct, types } from "wasm-pools";
import { keep, type SingleThreadCase } from "./measure.js";

export const STRUCTS_GROUP = "13. struct fields: 2 reads, 2 writes per object (1,024 objects)";
export const STRUCT_ACCESSORS = "wasm-pools struct accessors";
export const TYPED_ARRAYS = "hand-written Uint32Array/Float64Array (module-level, never remade)";
export const GROWING_TYPED_ARRAYS = "hand-written typed arrays that follow growth";

const OBJECTS = 1024;
const { u32, f64, utf8 } = types;
const Session = struct({ id: u32, hits: u32, lastSeen: f64, name: utf8(47) });

const heap = await Heap.create();
const sessions = Session.bind(heap);
const pool = sessions.createPool("sessions");
const ptrs = new Uint32Array(OBJECTS);
for (let i = 0; i < OBJECTS; i++) {
  ptrs[i] = pool.allocZeroed();
  sessions.id.set(ptrs[i]!, i);
}
const u32s = new Uint32Array(heap.memory.buffer);
const f64s = new Float64Array(heap.memory.buffer);
const dataView = new DataView(heap.memory.buffer);
// What hand-written code must do to follow growth as the accessors do: views it remakes when an address falls past them.
let growingU32s = new Uint32Array(heap.memory.buffer);
let growingF64s = new Float64Array(heap.memory.buffer);
function remakeViews(): void {
  heap.memory.grow(0);
  growingU32s = new Uint32Array(heap.memory.buffer);
  growingF64s = new Float64Array(heap.memory.buffer);
}
const objects = Array.from({ length: OBJECTS }, (_, id) => ({ id, hits: 0, lastSeen: 0, name: "" }));

function viaAccessors(): number {
  let check = 0;
  for (let i = 0; i < OBJECTS; i++) {
    const p = ptrs[i]!;
    check += sessions.id.get(p);
    sessions.lastSeen.set(p, sessions.lastSeen.get(p) + 1);
    sessions.hits.set(p, sessions.hits.get(p) + 1);
  }
  return check;
}

function viaTypedArrays(): number {
  let check = 0;
  for (let i = 0; i < OBJECTS; i++) {
    const p = ptrs[i]!;
    check += u32s[p >>> 2]!;
    f64s[(p + 8) >>> 3] = f64s[(p + 8) >>> 3]! + 1;
    u32s[(p + 4) >>> 2] = u32s[(p + 4) >>> 2]! + 1;
  }
  return check;
}

function viaGrowingTypedArrays(): number {
  let check = 0;
  for (let i = 0; i < OBJECTS; i++) {
    const p = ptrs[i]!;
    if (p + 16 > growingU32s.length * 4) remakeViews();
    check += growingU32s[p >>> 2]!;
    growingF64s[(p + 8) >>> 3] = growingF64s[(p + 8) >>> 3]! + 1;
    growingU32s[(p + 4) >>> 2] = growingU32s[(p + 4) >>> 2]! + 1;
  }
  return check;
}

function viaDataView(): number {
  let check = 0;
  for (let i = 0; i < OBJECTS; i++) {
    const p = ptrs[i]!;
    check += dataView.getUint32(p, true);
    dataView.setFloat64(p + 8, dataView.getFloat64(p + 8, true) + 1, true);
    dataView.setUint32(p + 4, dataView.getUint32(p + 4, true) + 1, true);
  }
  return check;
}

function viaObjects(): number {
  let check = 0;
  for (let i = 0; i < OBJECTS; i++) {
    const o = objects[i]!;
    check += o.id;
    o.lastSeen += 1;
    o.hits += 1;
  }
  return check;
}

function structCase(name: string, run: () => number): SingleThreadCase {
  return {
    group: STRUCTS_GROUP,
    name,
    operation: "one object: read id, read+write lastSeen (f64), read+write hits (u32)",
    perCall: OBJECTS,
    run: () => keep(run()),
  };
}

export function structCases(): SingleThreadCase[] {
  return [
    structCase(STRUCT_ACCESSORS, viaAccessors),
    structCase(TYPED_ARRAYS, viaTypedArrays),
    structCase(GROWING_TYPED_ARRAYS, viaGrowingTypedArrays),
    structCase("hand-written DataView", viaDataView),
    structCase("plain JS objects (not shared)", viaObjects),
  ];
}
