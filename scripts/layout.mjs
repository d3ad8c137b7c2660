// The wrapper's copies of the layout, made from its one source. Every
// address, offset and code of the shared heap is declared once, in
// assembly/layout.ts; the built module exports each as a global. This script
// (run by `npm run build:wasm`, after asc) writes from those:
//
//   src/layout.ts      every constant, its value as the module has it, with
//                      its declaration's comment; never edited by hand
//   src/cache-hit.ts   the literals of the JS hit path (`2 /* TOKEN */`):
//                      the number before each name comment, rewritten from
//                      HIT_PATH_LITERALS below (the hit path keeps literals
//                      because engines do not fold imported constants)
//
//   node scripts/layout.mjs            write both when they differ
//   node scripts/layout.mjs --check    write nothing; exit 1 naming what differs

import { readFileSync, writeFileSync } from "node:fs";
import { fileURLToPath } from "node:url";

const ROOT = fileURLToPath(new URL("..", import.meta.url));
const SOURCE = "assembly/layout.ts";
const MODULE = "dist/wasm-pools.debug.wasm";
const LAYOUT = "src/layout.ts";
const HIT_PATH = "src/cache-hit.ts";

/** The names the hit path's literals carry, and what each is made of. */
export const HIT_PATH_LITERALS = {
  FIRST: (l) => l.E_FIRST / 4,
  COUNT: (l) => l.E_COUNT / 4,
  TOKEN: (l) => l.E_TOKEN / 4,
  STAMP: (l) => l.E_STAMP / 4,
  FLAGS: (l) => l.E_FLAGS / 4,
  FRONT_COUNT: (l) => l.E_FRONT_COUNT / 4,
  FRONT_CAPACITY: (l) => l.E_FRONT_CAPACITY / 4,
  FRONT_FOLDED: (l) => l.E_FRONT_FOLDED / 4,
  FRONT: (l) => l.E_FRONT / 4,
  LIMIT_BYTES: (l) => l.B_LIMIT_BYTES / 4,
  CACHED_BYTES: (l) => l.B_CACHED_BYTES / 4,
  TOP: (l) => l.H_BACKING_TOP / 4,
  LOWEST_OBJECT: (l) => l.ARENA_START + l.CHUNK_HEADER,
  FREE_OBJECT: (l) => l.CHUNK_USED | l.CHUNK_ON_FREE_LIST,
  LINKED_AND_USED: (l) => l.ENTRY_LINKED | l.ENTRY_USED,
  CHUNK_HEADER: (l) => l.CHUNK_HEADER,
  CHUNK_USED: (l) => l.CHUNK_USED,
  CHUNK_ON_FREE_LIST: (l) => l.CHUNK_ON_FREE_LIST,
};

// A literal followed by its name in a comment; Biome moves the comment
// after a closing parenthesis, as in `(header & 3) /* FREE_OBJECT */`.
const LITERAL = /(\d+)(\)?) \/\* ([A-Z_]+) \*\//g;

const read = (file) => readFileSync(`${ROOT}${file}`, "utf8");

/**
 * The declarations of assembly/layout.ts in order: each constant's name,
 * type and doc comment, and the section titles (`// ---- Title ---`) between.
 */
export function declarationsOf(source) {
  const items = [];
  const pattern = /^\/\/ ---- (.+?) -+$|((?:^\/\*\*(?:(?!\*\/)[\s\S])*\*\/\n)?)^export const ([A-Z][A-Z0-9_]*): (u32|i32) =/gm;
  for (const match of source.matchAll(pattern)) {
    if (match[1] !== undefined) items.push({ section: match[1] });
    else items.push({ name: match[3], type: match[4], doc: match[2].trim() });
  }
  return items;
}

/** The module's value of every exported global, as the declaration's type reads it (u32 unsigned, i32 signed). */
export function valuesOf(wasm, declarations) {
  const module = new WebAssembly.Module(wasm);
  const memory = new WebAssembly.Memory({ initial: 3, maximum: 3, shared: true });
  const exports = new WebAssembly.Instance(module, { env: { memory } }).exports;
  const values = {};
  for (const { name, type } of declarations.filter((d) => d.name)) {
    const global = exports[name];
    if (!(global instanceof WebAssembly.Global)) throw new Error(`${SOURCE} declares ${name}, which ${MODULE} does not export`);
    values[name] = type === "u32" ? global.value >>> 0 : global.value;
  }
  return values;
}

/** src/layout.ts as made from the declarations and values. */
export function layoutModule(declarations, values) {
  const lines = [
    `// Generated from ${SOURCE} by scripts/layout.mjs at build time: do not`,
    "// edit. Each constant's meaning, the diagrams and the arithmetic behind",
    `// each value are in ${SOURCE}; the values here are the built module's.`,
    "",
  ];
  for (const item of declarations) {
    if (item.section) lines.push("", `// ---- ${item.section}`, "");
    else {
      if (item.doc) lines.push(item.doc);
      lines.push(`export const ${item.name} = ${values[item.name]};`);
    }
  }
  return `${lines.join("\n").replace(/\n{3,}/g, "\n\n")}\n`;
}

/** src/cache-hit.ts with each named literal set to its value; throws on a name HIT_PATH_LITERALS lacks. */
export function hitPathWith(source, values) {
  return source.replace(LITERAL, (_, _number, paren, name) => {
    const made = HIT_PATH_LITERALS[name];
    if (!made) throw new Error(`${HIT_PATH}: /* ${name} */ is no name of HIT_PATH_LITERALS (scripts/layout.mjs)`);
    return `${made(values)}${paren} /* ${name} */`;
  });
}

/** The names of the hit path's literals that the source uses. */
export function hitPathNames(source) {
  return new Set([...source.matchAll(LITERAL)].map((m) => m[3]));
}

/** Each generated file: where, what it holds now, what it should hold. */
export function generated() {
  const declarations = declarationsOf(read(SOURCE));
  const values = valuesOf(readFileSync(`${ROOT}${MODULE}`), declarations);
  const hitPath = read(HIT_PATH);
  return [
    { file: LAYOUT, now: read(LAYOUT), made: layoutModule(declarations, values) },
    { file: HIT_PATH, now: hitPath, made: hitPathWith(hitPath, values) },
  ];
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  const check = process.argv.includes("--check");
  const stale = generated().filter((g) => g.now !== g.made);
  for (const { file, made } of stale) {
    if (check) console.error(`${file} is not what ${SOURCE} makes: run npm run build:wasm`);
    else writeFileSync(`${ROOT}${file}`, made);
  }
  if (!check && stale.length) console.log(`scripts/layout.mjs: wrote ${stale.map((g) => g.file).join(" and ")}`);
  process.exit(check && stale.length ? 1 : 0);
}
