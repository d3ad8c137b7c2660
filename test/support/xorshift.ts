// A small reproducible random stream, shared by the benchmark workloads,
// the stress run and the browser stress page (no Node import: browsers load it too).

/** xorshift32, as in bench/native/common.h. */
export function xorshift32(seed: number): () => number {
  let state = seed >>> 0 || 1;
  return () => {
    state ^= state << 13;
    state ^= state >>> 17;
    state ^= state << 5;
    state >>>= 0;
    return state;
  };
}
