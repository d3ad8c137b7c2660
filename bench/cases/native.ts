// The native references: small C programs in bench/native/, built with
// gcc -O2 at bench time and run as child processes. Each prints one JSON line
// {"nsPerOp":[...]} (see bench/native/common.h). Each program is built once
// per allocator: glibc's own malloc, and mimalloc, jemalloc and tcmalloc
// linked in from Debian's packages where they are installed (linking the
// library makes its malloc and free the ones the program calls).

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

/** The allocators the programs are built with: glibc's, then the fastest native ones, each from its Debian package. */
export const ALLOCATORS = [
  { name: "glibc", library: undefined, debian: "libc6-dev" },
  { name: "mimalloc", library: "mimalloc", debian: "libmimalloc-dev" },
  { name: "jemalloc", library: "jemalloc", debian: "libjemalloc-dev" },
  { name: "tcmalloc", library: "tcmalloc_minimal", debian: "libgoogle-perftools-dev" },
] as const;
export type AllocatorName = (typeof ALLOCATORS)[number]["name"];

/** A native row's name: "glibc malloc+free", "mimalloc malloc+free", ... */
export function nativeRowName(allocator: AllocatorName): string {
  return `${allocator} malloc+free`;
}

function binary(program: NativeProgram, allocator: AllocatorName): string {
  return allocator === "glibc" ? BINARIES + program : `${BINARIES}${program}-${allocator}`;
}

/**
 * Builds every program with glibc (throws with gcc's message if one does
 * not compile), then with each other allocator whose library links; returns
 * the allocators built and, for each one missing, why.
 */
export function buildNative(): { built: AllocatorName[]; missing: string[] } {
  mkdirSync(BINARIES, { recursive: true });
  const built: AllocatorName[] = [];
  const missing: string[] = [];
  for (const allocator of ALLOCATORS) {
    try {
      for (const program of PROGRAMS) {
        const link = allocator.library === undefined ? [] : [`-l${allocator.library}`];
        execFileSync(
          "gcc",
          ["-O2", "-Wall", "-Wextra", "-pthread", "-o", binary(program, allocator.name), `${SOURCES}${program}.c`, ...link],
          {
            stdio: "pipe",
          },
        );
      }
      built.push(allocator.name);
    } catch (error) {
      if (allocator.library === undefined) throw error;
      missing.push(`${allocator.name} rows: its library did not link (apt-get install ${allocator.debian})`);
    }
  }
  return { built, missing };
}

/** Runs a built program with numeric arguments; returns its ns-per-operation samples. */
export function runNative(program: NativeProgram, args: readonly (number | string)[], allocator: AllocatorName = "glibc"): number[] {
  const output = execFileSync(binary(program, allocator), args.map(String), { encoding: "utf8" });
  const parsed = JSON.parse(output) as { nsPerOp: number[] };
  return parsed.nsPerOp;
}

/** Bytes glibc reserves per byte requested after `blocks` random-size mallocs (randsize.c). */
export function glibcOverhead(blocks: number): number {
  const output = execFileSync(`${BINARIES}randsize`, ["overhead", String(blocks)], { encoding: "utf8" });
  return (JSON.parse(output) as { reservedPerRequested: number }).reservedPerRequested;
}
