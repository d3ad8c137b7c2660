// What only the platform can tell without running a caller's code: whether
// an object is a Proxy (Node's util.types.isProxy; Deno and Bun have it
// too), and which getters are the platform's own (a Node Worker's
// threadId). Loaded once per thread by Heap.create and Heap.attach, before
// any argument is read. Browsers cannot tell a Proxy from its target: there
// one is read through its traps, and whatever they throw is turned into the
// argument's error.

import { nodeBuiltin } from "./node-builtin.js";

interface NodeUtil {
  types: { isProxy(value: unknown): boolean };
}

interface NodeWorkerThreads {
  Worker: { prototype: object };
}

let isProxyCheck: (value: unknown) => boolean = () => false;
const platformGetters = new Set<unknown>();
let loading: Promise<void> | undefined;

function onNode(): boolean {
  return typeof (globalThis as { process?: { versions?: { node?: unknown } } }).process?.versions?.node === "string";
}

async function load(): Promise<void> {
  if (!onNode()) return;
  try {
    const util = await nodeBuiltin<NodeUtil>("node:util");
    isProxyCheck = util.types.isProxy;
    const { Worker } = await nodeBuiltin<NodeWorkerThreads>("node:worker_threads");
    platformGetters.add(Object.getOwnPropertyDescriptor(Worker.prototype, "threadId")?.get);
  } catch {
    // Not Node after all: no Proxy check, as in browsers.
  }
}

/** Loads the platform's checks once per thread. */
export function loadPlatformChecks(): Promise<void> {
  loading ??= load();
  return loading;
}

/** Whether `value` is a Proxy, where the platform can tell (false elsewhere). */
export function isProxy(value: object): boolean {
  return isProxyCheck(value);
}

/** Whether `getter` is the platform's own (calling it runs no caller's code). */
export function isPlatformGetter(getter: unknown): boolean {
  return platformGetters.has(getter);
}
