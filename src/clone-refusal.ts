// A Heap or a Pool belongs to the thread that made it. Structured clone
// (postMessage) would copy its fields and stop at the first function in
// them, with a DataCloneError quoting that function's source. Each gets a
// Symbol as its first own property instead: the engine's DataCloneError
// then quotes the Symbol's description, which says what to send.

/** Call first in a constructor: structured clone of `object` then throws a DataCloneError quoting `refusal`'s description. */
export function refuseClone(object: object, refusal: symbol): void {
  Object.defineProperty(object, "notCloneable", { value: refusal, enumerable: true });
}

export const HEAP_REFUSAL = Symbol(
  "a wasm-pools Heap cannot be sent to another thread: send heap.handle(), and call Heap.attach with it there",
);

export const POOL_REFUSAL = Symbol(
  "a wasm-pools Pool cannot be sent to another thread: send pool.id or pool.name, and find it there with heap.pool()",
);
