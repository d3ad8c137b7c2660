// The options of Heap.create and Heap.attach, checked and turned into the
// numbers the core takes (heap_create, heap_attach: docs/internals.md,
// "The core's ABI"). Every argument error of those two calls is thrown here,
// in the order the options are read.

import { debugFlags } from "./debug.js";
import { InvalidArgumentError } from "./errors.js";
import { failPpm, failSeed } from "./faults.js";
import type { AttachOptions, HeapOptions } from "./heap-types.js";
import {
  MAX_PAGES_LIMIT,
  MIN_PAGES,
  PAGE_BYTES,
  TEST_DEATH_POINTS,
  TEST_GENERATIONS_NEAR_TOP,
  TEST_INEXACT_CHUNKS,
  TEST_NO_CHANNEL_RELEASE,
  TEST_NO_FLUSH_LOCK,
  TEST_NO_RECOVERY,
  TEST_NO_SEQUENCE,
  TEST_NO_TRANSIT_RECOVERY,
  TEST_NO_UNDO,
  TEST_SHORT_PATIENCE,
} from "./layout.js";
import { describe, optionalBoolean, optionalIntegerIn, optionsObject } from "./validate.js";
import { type CoreBuild, threadMayBlock } from "./wasm.js";

const DEFAULT_INITIAL_BYTES = 1 << 20;
const DEFAULT_MAX_BYTES = 1 << 30;
const DEFAULT_CACHE_BYTES = 256 << 10;
const MAX_CACHE_BYTES = 1 << 30;

/** What Heap.create makes of its options. */
export interface CreateSettings {
  /** Pages the memory starts with (at least MIN_PAGES, at most maxPages). */
  readonly initialPages: number;
  /** Pages the memory may grow to. */
  readonly maxPages: number;
  readonly build: CoreBuild;
  /** options.module as the caller gave it (undefined: the shipped core of `build`). */
  readonly module: unknown;
  readonly canBlock: boolean;
  /** TEST_* bits (assembly/layout.ts). */
  readonly switches: number;
  /** False with the test switch noJsHitPath: the creating thread's Pools always call the core. */
  readonly jsHitPath: boolean;
  readonly cacheBytes: number;
  /** Fault injection: failure rate in parts per million, and the seed. */
  readonly ppm: number;
  readonly seed: number;
  /** DEBUG_* bits and the poison byte (debug.ts). */
  readonly debug: number;
}

/** What Heap.attach makes of its options. */
export interface AttachSettings {
  readonly canBlock: boolean;
  readonly cacheBytes: number;
}

function buildOption(value: unknown): CoreBuild {
  if (value === undefined) return "release";
  if (value === "release" || value === "debug") return value;
  throw new InvalidArgumentError("options.build", `expected "release" or "debug", got ${describe(value)}`);
}

/** The TEST_* bits the core takes for options.unsafeTestSwitches (all but noJsHitPath, which is the wrapper's). */
function testSwitches(value: HeapOptions["unsafeTestSwitches"]): number {
  const switches = optionsObject("options.unsafeTestSwitches", value);
  const on = (name: keyof typeof switches, bit: number): number =>
    optionalBoolean(`options.unsafeTestSwitches.${name}`, switches[name], false) ? bit : 0;
  return (
    on("noSequence", TEST_NO_SEQUENCE) |
    on("noFlushLock", TEST_NO_FLUSH_LOCK) |
    on("deathPoints", TEST_DEATH_POINTS) |
    on("noRecovery", TEST_NO_RECOVERY) |
    on("noUndo", TEST_NO_UNDO) |
    on("noTransitRecovery", TEST_NO_TRANSIT_RECOVERY) |
    on("noChannelRelease", TEST_NO_CHANNEL_RELEASE) |
    on("shortPatience", TEST_SHORT_PATIENCE) |
    on("inexactChunks", TEST_INEXACT_CHUNKS) |
    on("generationsNearTop", TEST_GENERATIONS_NEAR_TOP)
  );
}

/** Whether the creating thread's Pools skip the JS hit paths (test switch noJsHitPath). */
function noJsHitPath(value: HeapOptions["unsafeTestSwitches"]): boolean {
  return optionalBoolean("options.unsafeTestSwitches.noJsHitPath", optionsObject("options.unsafeTestSwitches", value).noJsHitPath, false);
}

function cacheBytesOption(value: unknown): number {
  return optionalIntegerIn("options.cacheBytes", value, 0, MAX_CACHE_BYTES, DEFAULT_CACHE_BYTES);
}

/** Heap.create's options, checked. */
export function createSettings(options: HeapOptions | undefined): CreateSettings {
  const o = optionsObject("options", options);
  const maxBytes = optionalIntegerIn(
    "options.maxBytes",
    o.maxBytes,
    MIN_PAGES * PAGE_BYTES,
    MAX_PAGES_LIMIT * PAGE_BYTES,
    DEFAULT_MAX_BYTES,
  );
  const initialBytes = optionalIntegerIn("options.initialBytes", o.initialBytes, 0, maxBytes, Math.min(DEFAULT_INITIAL_BYTES, maxBytes));
  const build = buildOption(o.build);
  const canBlock = optionalBoolean("options.canBlock", o.canBlock, threadMayBlock());
  const switches = testSwitches(o.unsafeTestSwitches);
  const jsHitPath = !noJsHitPath(o.unsafeTestSwitches);
  const cacheBytes = cacheBytesOption(o.cacheBytes);
  const ppm = failPpm(o.failRate);
  const seed = failSeed(o.seed);
  const debug = debugFlags(o.debug);
  const maxPages = Math.floor(maxBytes / PAGE_BYTES);
  const initialPages = Math.min(maxPages, Math.max(MIN_PAGES, Math.ceil(initialBytes / PAGE_BYTES)));
  return { initialPages, maxPages, build, module: o.module, canBlock, switches, jsHitPath, cacheBytes, ppm, seed, debug };
}

/** Heap.attach's options, checked. */
export function attachSettings(options: AttachOptions | undefined): AttachSettings {
  const o = optionsObject("options", options);
  const canBlock = optionalBoolean("options.canBlock", o.canBlock, threadMayBlock());
  return { canBlock, cacheBytes: cacheBytesOption(o.cacheBytes) };
}
