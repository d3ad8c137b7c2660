// What flows through the pipeline: a request as a line of text, and the job
// the parse stage makes of it. Both are pool objects laid out with struct;
// their pointers go from stage to stage through channels.
//
//   Line: | text: utf8(127): 1 length byte + 127 |                      128 bytes
//   Job:  | id u32 | (pad) | input f64 × 8 | result f64 | created f64 | parsed f64 | computed f64 |   104 bytes
//
// A job's inputs follow from its id, so the page can tell a right result
// from a wrong one without keeping what went in. They are multiples of 1/8
// under 128: exact in binary, as text and in their sum.

import { struct, types } from "../../dist/index.js";

const { u32, f64, utf8, array } = types;

export const INPUTS = 8;
export const Line = struct({ text: utf8(127) });
export const Job = struct({ id: u32, input: array(f64, INPUTS), result: f64, created: f64, parsed: f64, computed: f64 });

/** Input `i` of job `id`. */
export function inputOf(id: number, i: number): number {
  return ((id * 37 + i * 101) % 1024) / 8;
}

/** What the compute stage must write into job `id`: the mean of its inputs. */
export function expectedResult(id: number): number {
  let sum = 0;
  for (let i = 0; i < INPUTS; i++) sum += inputOf(id, i);
  return sum / INPUTS;
}

/** A request line: "id created x0 x1 … x7". */
export function requestLine(id: number, created: number): string {
  const inputs = Array.from({ length: INPUTS }, (_, i) => inputOf(id, i));
  return `${id} ${created} ${inputs.join(" ")}`;
}

/** Milliseconds since the epoch, comparable between the page and its workers (each has its own performance.timeOrigin). */
export function now(): number {
  return performance.timeOrigin + performance.now();
}
