// Struct layouts (src/struct-*.ts): where fields go, what every field type
// reads back, atomics across real workers, memory growth, bad input, and
// checked mode catching what unchecked access cannot.

import { Worker } from "node:worker_threads";
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import {
  CannotBlockError,
  type FieldType,
  Heap,
  InvalidArgumentError,
  InvalidPointerError,
  struct,
  types,
  UseAfterFreeError,
} from "wasm-pools";
import { Counters, type StructTask } from "../workers/struct-protocol.js";

const WORKER = new URL("../../build/test/workers/struct-worker.js", import.meta.url);
const { u8, i8, u16, i16, u32, i32, f32, f64, u64, i64, bool, utf8, array, pointer } = types;

const Point = struct({ x: f64, y: f64 });
const Everything = struct({
  tiny: u8,
  small: i16,
  id: u32,
  lastSeen: f64,
  name: utf8(20),
  flag: bool,
  signed: i8,
  half: u16,
  neg: i32,
  ratio: f32,
  big: u64,
  debt: i64,
  where: Point,
  corners: array(Point, 3),
  weights: array(f32, 4),
  marks: array(bool, 3),
  next: pointer(Point),
});

function runWorker(task: StructTask): Promise<void> {
  const worker = new Worker(WORKER, { workerData: task });
  return new Promise((resolve, reject) => {
    worker.once("message", () => resolve());
    worker.once("error", reject);
    worker.once("exit", (code) => reject(new Error(`struct worker exited with code ${code} before reporting`)));
  });
}

describe("struct layouts", () => {
  it("place each field at the next multiple of its alignment, in order, and pad the size to the largest alignment (C's rules)", () => {
    // Worked out by hand from C's rules: u8 at 0, i16 at 2, u32 at 4, f64 at 8, utf8(20) (1-byte prefix) 16..37, ...
    expect(Everything.offsets).toEqual({
      tiny: 0,
      small: 2,
      id: 4,
      lastSeen: 8,
      name: 16,
      flag: 37,
      signed: 38,
      half: 40,
      neg: 44,
      ratio: 48,
      big: 56,
      debt: 64,
      where: 72,
      corners: 88,
      weights: 136,
      marks: 152,
      next: 156,
    });
    expect(Everything.size).toBe(160);
    expect(Everything.align).toBe(8);
    expect(struct({ a: u8, b: u8, c: u8 }).size).toBe(3);
    expect(utf8(300).size).toBe(302);
    expect(utf8(70_000).align).toBe(4);
  });

  it("never overlap two fields or misalign one, and waste no byte C would not, for any declaration", () => {
    const scalar = fc.constantFrom<FieldType>(u8, i8, u16, i16, u32, i32, f32, f64, u64, i64, bool, Point);
    const field = fc.oneof(
      scalar,
      fc.integer({ min: 1, max: 300 }).map((n) => utf8(n)),
      fc.tuple(scalar, fc.integer({ min: 1, max: 5 })).map(([e, n]) => array(e as never, n)),
    );
    fc.assert(
      fc.property(fc.array(field, { minLength: 1, maxLength: 12 }), (list) => {
        const layout = struct(Object.fromEntries(list.map((type, i) => [`f${i}`, type])));
        let end = 0;
        for (const { type, offset } of layout.fields) {
          expect(offset % type.align).toBe(0);
          expect(offset).toBe(Math.ceil(end / type.align) * type.align);
          end = offset + type.size;
        }
        expect(layout.size % layout.align).toBe(0);
        expect(layout.size - end).toBeLessThan(layout.align);
      }),
    );
  });

  it("lay out the guide's Session as the guide says: id 0, hits 4, lastSeen 8, name 16, 64 bytes", () => {
    const Session = struct({ id: u32, hits: u32, lastSeen: f64, name: utf8(47) });
    expect(Session.offsets).toEqual({ id: 0, hits: 4, lastSeen: 8, name: 16 });
    expect(Session.size).toBe(64);
  });

  it("refuse what is not a layout: no fields, unknown types, reserved names, bad capacities and lengths", () => {
    expect(() => struct({})).toThrow(InvalidArgumentError);
    expect(() => struct({ a: 4 as never })).toThrow(InvalidArgumentError);
    expect(() => struct({ view: u32 })).toThrow(/member of every bound struct/);
    expect(() => utf8(0)).toThrow(InvalidArgumentError);
    expect(() => array(u32, 0)).toThrow(InvalidArgumentError);
    expect(() => array(utf8(4) as never, 2)).toThrow(/declare a struct/);
    expect(() => pointer(u32 as never)).toThrow(InvalidArgumentError);
  });
});

describe("bound structs", () => {
  it("read back every field type through accessors and through an object view", async () => {
    const heap = await Heap.create();
    const e = Everything.bind(heap);
    const p = e.createPool("everything").allocZeroed();
    e.tiny.set(p, 250);
    e.small.set(p, -300);
    e.id.set(p, 4_000_000_000);
    e.lastSeen.set(p, Math.PI);
    e.name.set(p, "Zoë 東京");
    e.flag.set(p, true);
    e.signed.set(p, -7);
    e.half.set(p, 65_000);
    e.neg.set(p, -2_000_000_000);
    e.ratio.set(p, 0.5);
    e.big.set(p, 2n ** 64n - 1n);
    e.debt.set(p, -(2n ** 63n));
    e.where.y.set(p, 2.5);
    e.corners.element.x.set(e.corners.at(p, 2) - e.corners.offset, 9.5);
    e.weights.set(p, 3, 1.25);
    e.marks.set(p, 1, true);
    e.next.set(p, p);
    const v = e.view(p);
    expect([v.tiny, v.small, v.id, v.lastSeen, v.name, v.flag, v.signed, v.half, v.neg, v.ratio, v.big, v.debt]).toEqual([
      250,
      -300,
      4_000_000_000,
      Math.PI,
      "Zoë 東京",
      true,
      -7,
      65_000,
      -2_000_000_000,
      0.5,
      2n ** 64n - 1n,
      -(2n ** 63n),
    ]);
    expect(v.where).toEqual(expect.objectContaining({ x: 0, y: 2.5 }));
    expect(v.corners.map((c) => c.x)).toEqual([0, 0, 9.5]);
    expect([...v.weights]).toEqual([0, 0, 0, 1.25]);
    expect(v.marks).toEqual([false, true, false]);
    expect(v.next).toBe(p);
    // The same bytes, read by hand: the offsets are where the accessors wrote.
    const dv = heap.dataView(p, Everything.size);
    expect(dv.getUint32(Everything.offsets.id, true)).toBe(4_000_000_000);
    expect(dv.getFloat64(Everything.offsets.lastSeen, true)).toBe(Math.PI);
    expect(dv.getFloat64(Everything.offsets.corners + 2 * Point.size, true)).toBe(9.5);
    // Writing through the view writes the memory.
    v.name = "short";
    v.weights = [1, 2, 3, 4] as unknown as Float32Array;
    expect(e.name.get(p)).toBe("short");
    expect(e.weights.get(p, 1)).toBe(2);
    expect(JSON.parse(JSON.stringify(e.view(p)))).toEqual(expect.objectContaining({ id: 4_000_000_000, name: "short" }));
  });

  it("allocate structs from a pool, from malloc and as arrays, each exactly the layout's size", async () => {
    const heap = await Heap.create();
    const points = Point.bind(heap);
    expect(points.createPool("points").size).toBe(Point.size);
    const many = points.mallocArray(100);
    expect(heap.usableSize(many)).toBeGreaterThanOrEqual(100 * Point.size);
    for (let i = 0; i < 100; i++) points.x.set(points.at(many, i), i);
    expect(heap.array(Float64Array, many, 200).filter((_, i) => i % 2 === 0)).toEqual(Float64Array.from({ length: 100 }, (_, i) => i));
    heap.free(many);
    const one = points.malloc();
    expect(heap.usableSize(one)).toBeGreaterThanOrEqual(Point.size);
  });

  it("keep working after the memory grows, reaching objects past the memory the accessors first saw", async () => {
    const heap = await Heap.create();
    const points = Point.bind(heap);
    const before = heap.memory.buffer.byteLength;
    const far = points.mallocArray(200_000); // 3.2 MB: the memory must grow
    expect(heap.memory.buffer.byteLength).toBeGreaterThan(before);
    const last = points.at(far, 199_999);
    expect(last + Point.size).toBeGreaterThan(before);
    points.y.set(last, 42.5);
    expect(points.y.get(last)).toBe(42.5);
    expect(heap.array(Float64Array, last, 2)[1]).toBe(42.5);
  });

  it("refuse bad addresses, values and indexes with typed errors, writing nothing", async () => {
    const heap = await Heap.create();
    const e = Everything.bind(heap);
    const p = e.malloc();
    e.name.set(p, "kept");
    e.id.set(p, 5);
    for (const bad of [0, 8, -64, undefined, null, "123456", 10n, p + 1, p + 0.5, 2 ** 40, Number.NaN, {}]) {
      expect(() => e.id.get(bad as never), String(bad)).toThrow(InvalidPointerError);
      expect(() => e.id.set(bad as never, 1), String(bad)).toThrow(InvalidPointerError);
      expect(() => e.big.add(bad as never, 1n), String(bad)).toThrow(InvalidPointerError);
    }
    expect(() => e.id.set(p, "7" as never)).toThrow(InvalidArgumentError);
    expect(() => e.big.set(p, 7 as never)).toThrow(InvalidArgumentError);
    expect(() => e.flag.set(p, 1 as never)).toThrow(InvalidArgumentError);
    expect(() => e.name.set(p, "x".repeat(21))).toThrow(/holds at most 20/);
    expect(() => e.weights.get(p, 4)).toThrow(InvalidArgumentError);
    expect(() => e.corners.at(p, -1)).toThrow(InvalidArgumentError);
    expect(() => e.id.waitAsync(p, 5, -1)).toThrow(InvalidArgumentError);
    expect(e.name.get(p)).toBe("kept");
    expect(e.id.get(p)).toBe(5);
  });
});

describe("atomic fields across workers", () => {
  it("count every add of 2 workers (40,000 each, u32 and u64), where plain reads and writes lose some", async () => {
    const heap = await Heap.create();
    const counters = Counters.bind(heap);
    const rounds = 40_000;
    const atomic = heap.mallocZeroed(Counters.size);
    await Promise.all([0, 1].map(() => runWorker({ handle: heap.handle(), ptr: atomic, rounds, mode: "atomic-adds" })));
    expect(counters.count.load(atomic)).toBe(2 * rounds);
    expect(counters.big.load(atomic)).toBe(BigInt(2 * rounds));
    // The control: the same adds as get+set lose updates.
    let lostSome = false;
    // They start together (a barrier in the worker); under a loaded machine one may still finish before the other runs, so up to 10 tries.
    for (let attempt = 0; attempt < 10 && !lostSome; attempt++) {
      const plain = heap.mallocZeroed(Counters.size);
      await Promise.all([0, 1].map(() => runWorker({ handle: heap.handle(), ptr: plain, rounds: 5_000_000, mode: "plain-adds" })));
      lostSome = counters.count.get(plain) < 10_000_000;
    }
    expect(lostSome).toBe(true);
  });

  it("wake a worker blocked in wait, and a main thread waiting with waitAsync", async () => {
    const heap = await Heap.create();
    const counters = Counters.bind(heap);
    const p = heap.mallocZeroed(Counters.size);
    const done = runWorker({ handle: heap.handle(), ptr: p, rounds: 0, mode: "wait" });
    const replied = counters.reply.waitAsync(p, 0, 30_000);
    counters.flag.store(p, 21);
    counters.flag.notify(p);
    expect(await replied).toBe("ok");
    expect(counters.reply.load(p)).toBe(42);
    await done;
    expect(await counters.reply.waitAsync(p, 0, 10)).toBe("not-equal");
    expect(await counters.flag.waitAsync(p, 21, 20)).toBe("timed-out");
  });

  it("turn a refused block (a browser's main thread) into CannotBlockError", async () => {
    const heap = await Heap.create();
    const counters = Counters.bind(heap);
    const p = heap.mallocZeroed(Counters.size);
    const wait = Atomics.wait;
    Atomics.wait = () => {
      throw new TypeError("Atomics.wait cannot be called in this context");
    };
    try {
      expect(() => counters.flag.wait(p, 0, 10)).toThrow(CannotBlockError);
    } finally {
      Atomics.wait = wait;
    }
  });
});

describe("checked mode", () => {
  it("catches a freed object, a field past a smaller object and an element past its array; unchecked access does not", async () => {
    const heap = await Heap.create();
    const checked = Everything.bind(heap, { checked: true });
    const unchecked = Everything.bind(heap, { checked: false });
    const pool = checked.createPool("everything");
    const p = pool.alloc();
    checked.id.set(p, 1);
    pool.free(p);
    expect(() => checked.id.get(p)).toThrow(UseAfterFreeError);
    expect(() => unchecked.id.get(p)).not.toThrow();
    const small = heap.createPool("small", 16).alloc();
    expect(() => checked.lastSeen.set(small, 1)).not.toThrow(); // offset 8: inside 16 bytes
    expect(() => checked.name.set(small, "x")).toThrow(InvalidPointerError);
    expect(() => unchecked.name.set(small, "x")).not.toThrow(); // writes past the object: what checked mode is for
    const points = Point.bind(heap, { checked: true });
    const row = points.mallocArray(4);
    const usable = heap.usableSize(row);
    const fits = Math.floor(usable / Point.size);
    expect(() => points.x.set(points.at(row, fits - 1), 1)).not.toThrow();
    expect(() => points.at(row, fits)).toThrow(InvalidPointerError);
    expect(() => points.x.get(row + 4)).toThrow(InvalidPointerError);
  });

  it("is on by default for heaps with debug options", async () => {
    const heap = await Heap.create({ debug: { uaf: true } });
    const points = Point.bind(heap);
    const pool = points.createPool("points");
    const p = pool.alloc();
    pool.free(p);
    expect(() => points.x.get(p)).toThrow(UseAfterFreeError);
  });
});
