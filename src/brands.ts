// What kind of platform object a value is, by the platform's own brand
// checks (a built-in that throws unless the value really is one), not by
// instanceof, which walks a prototype chain a caller may have built of
// Proxies.

const memoryBuffer = Object.getOwnPropertyDescriptor(WebAssembly.Memory.prototype, "buffer")!.get!;
const arrayBufferLength = Object.getOwnPropertyDescriptor(ArrayBuffer.prototype, "byteLength")!.get!;
const urlHref = Object.getOwnPropertyDescriptor(URL.prototype, "href")!.get!;

function passes(check: () => unknown): boolean {
  try {
    check();
    return true;
  } catch {
    return false;
  }
}

/** The memory's buffer if `value` is a WebAssembly.Memory, else undefined. */
export function memoryBufferOf(value: unknown): ArrayBuffer | SharedArrayBuffer | undefined {
  try {
    return memoryBuffer.call(value) as ArrayBuffer | SharedArrayBuffer;
  } catch {
    return undefined;
  }
}

export function isModule(value: unknown): value is WebAssembly.Module {
  return passes(() => WebAssembly.Module.exports(value as WebAssembly.Module));
}

export function isArrayBuffer(value: unknown): value is ArrayBuffer {
  return passes(() => arrayBufferLength.call(value));
}

export function isUrl(value: unknown): value is URL {
  return passes(() => urlHref.call(value));
}
