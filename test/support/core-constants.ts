// Layout constants as the core itself exports them (as wasm globals): some,
// such as a thread slot's heartbeat word, are not in the wrapper's layout.

import { readFile } from "node:fs/promises";

/** The value of the core's exported global `name`. */
export async function coreConstant(name: string): Promise<number> {
  const module = await WebAssembly.compile(await readFile(new URL("../../dist/wasm-pools.wasm", import.meta.url)));
  const memory = new WebAssembly.Memory({ initial: 3, maximum: 3, shared: true });
  const instance = await WebAssembly.instantiate(module, { env: { memory } });
  const value = instance.exports[name];
  if (!(value instanceof WebAssembly.Global)) throw new Error(`the core exports no ${name}`);
  return Number(value.value);
}
