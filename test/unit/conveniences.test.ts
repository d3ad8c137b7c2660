// What users otherwise write by hand: zeroed objects, UTF-8 strings in
// shared memory (in engines whose TextEncoder/TextDecoder refuse shared
// views), and loading the package with require().

import { createRequire } from "node:module";
import { afterEach, describe, expect, it, vi } from "vitest";
import { Heap, InvalidArgumentError, InvalidPointerError } from "wasm-pools";

function isShared(view: ArrayBufferView): boolean {
  return Object.prototype.toString.call(view.buffer) === "[object SharedArrayBuffer]";
}

describe("strings", () => {
  afterEach(() => vi.restoreAllMocks());

  it("round-trip UTF-8 through shared memory, even where TextEncoder and TextDecoder refuse shared views (Chromium)", async () => {
    // As Chromium does: "The provided ArrayBufferView value must not be shared."
    const encodeInto = TextEncoder.prototype.encodeInto;
    const decode = TextDecoder.prototype.decode;
    vi.spyOn(TextEncoder.prototype, "encodeInto").mockImplementation(function (this: TextEncoder, text, into) {
      if (isShared(into)) throw new TypeError("must not be shared");
      return encodeInto.call(this, text, into);
    });
    vi.spyOn(TextDecoder.prototype, "decode").mockImplementation(function (this: TextDecoder, input, options) {
      if (input !== undefined && ArrayBuffer.isView(input) && isShared(input)) throw new TypeError("must not be shared");
      return decode.call(this, input, options);
    });
    const heap = await Heap.create();
    const names = heap.createPool("names", 64);
    const p = names.alloc();
    const text = "Zoë, 東京, 🐘";
    const length = heap.writeString(p, names.size, text);
    expect(length).toBe(new TextEncoder().encode(text).length);
    expect(heap.readString(p, length)).toBe(text);
  });

  it("write whole characters only, as many as fit", async () => {
    const heap = await Heap.create();
    const p = heap.createPool("small", 8).alloc();
    // "é" takes 2 bytes: 3 of them fit in 8 bytes with 2 bytes to spare, never half of one.
    expect(heap.writeString(p, 7, "éééé")).toBe(6);
    expect(heap.readString(p, 6)).toBe("ééé");
  });

  it("refuse ranges outside the arena and text that is not a string", async () => {
    const heap = await Heap.create();
    const p = heap.createPool("p", 16).alloc();
    expect(() => heap.writeString(0, 16, "x")).toThrow(InvalidPointerError);
    expect(() => heap.readString(p, 2 ** 31)).toThrow(InvalidPointerError);
    expect(() => heap.writeString(p, 16, 42 as unknown as string)).toThrow(InvalidArgumentError);
    heap.check();
  });
});

describe("pool.allocZeroed", () => {
  it("hands out an object whose bytes are all 0, where alloc() leaves what was there", async () => {
    const heap = await Heap.create();
    const pool = heap.createPool("p", 40);
    const p = pool.alloc();
    heap.bytes(p, pool.size).fill(0xee);
    pool.free(p);
    const q = pool.allocZeroed();
    expect(q).toBe(p);
    expect([...heap.bytes(q, pool.size)].every((byte) => byte === 0)).toBe(true);
  });
});

describe("require()", () => {
  it("loads the package from CommonJS on a Node with require(esm) (20.19+, 22.12+)", () => {
    const require = createRequire(import.meta.url);
    const loaded = require("../../dist/index.js") as typeof import("wasm-pools");
    expect(typeof loaded.Heap.create).toBe("function");
  });
});
