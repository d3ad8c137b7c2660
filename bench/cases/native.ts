// The native references: small C programs in bench/native/, built with
// gcc -O2 at bench time and run as child processes. Each prints one JSON line
// {"nsPerOp":[...]} (see bench/native/common.h).

import { execFileSync, spawnSync } from "node:child_process";
import { mkdirSync } from "node:fs";
import { fileURLToPath } from "node:url";

const SOURCES = fileURLToPath(new URL("../../../bench/native/", import.meta.url));
const BINARIES = fileURLToPath(new URL("../../native/", import.meta.url));
const PROGRAMS = ["pair", "hold", "interleaved", "churn", "prodcons", "larson", "randsize"] as const;
export type NativeProgram = (typeof PROGRAMS)[number];

/** gcc's version line, or null when there is no gcc. */
export function gccVersion(): string | null {
  const result = spawnSync("gcc", ["--version"], { encoding: "utf8" });
  return result.status === 0 ? result.stdout.split("\n")[0]!.trim() : null;
}

/** Builds every program; throws with gcc's message if one does not compile. */
export function buildNative(): void {
  mkdirSync(BINARIES, { recursive: true });
  for (const program of PROGRAMS) {
    execFileSync("gcc", ["-O2", "-Wall", "-Wextra", "-pthread", "-o", BINARIES + program, `${SOURCES}${program}.c`], { stdio: "pipe" });
  }
}

/** Runs a built program with numeric arguments; returns its ns-per-operation samples. */
export function runNative(program: NativeProgram, args: readonly (number | string)[]): number[] {
  const output = execFileSync(BINARIES + program, args.map(String), { encoding: "utf8" });
  const parsed = JSON.parse(output) as { nsPerOp: number[] };
  return parsed.nsPerOp;
}

/** Bytes glibc reserves per byte requested after `blocks` random-size mallocs (randsize.c). */
export function glibcOverhead(blocks: number): number {
  const output = execFileSync(`${BINARIES}randsize`, ["overhead", String(blocks)], { encoding: "utf8" });
  return (JSON.parse(output) as { reservedPerRequested: number }).reservedPerRequested;
}
