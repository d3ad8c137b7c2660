// Biome for assembly/. Biome parses AssemblyScript as TypeScript, which
// allows decorators only on classes and their members: on the core's
// functions and globals (`@inline export function`) it stops with a parse
// error. So this script hides every decorator that starts a line behind a
// marker comment (`@inline` becomes `/*@inline*/`: lines and columns of
// the rest stay put), runs Biome over the copies in a temporary directory,
// and in --write mode puts the decorators back into the formatted result.
//
//   node scripts/biome-assembly.mjs            check (npm run lint)
//   node scripts/biome-assembly.mjs --write    format and apply safe fixes (npm run format)

import { spawnSync } from "node:child_process";
import { mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, relative, resolve } from "node:path";
import { fileURLToPath } from "node:url";

const ROOT = fileURLToPath(new URL("..", import.meta.url));
const DECORATOR = /^([ \t]*)@([A-Za-z_]\w*(?:\([^)\n]*\))?)(?=[ \t\r\n])/gm;
const MARKER = /\/\*@([A-Za-z_]\w*(?:\([^)\n]*\))?)\*\//g;

/** The source with every decorator that starts a line hidden in a marker comment. */
export function hideDecorators(source) {
  if (source.includes("/*@")) throw new Error("the source already holds a /*@ comment, which would read as a hidden decorator");
  return source.replace(DECORATOR, "$1/*@$2*/");
}

/** The decorators hidden by hideDecorators, back in place. */
export function restoreDecorators(source) {
  return source.replace(MARKER, "@$1");
}

/**
 * Rules of Biome's recommended set that do not hold for AssemblyScript:
 * `==` compares values of one static type with no coercion (`===` compares
 * identities); Math.min and Math.max work on f64 (the core uses the typed
 * builtins min<T> and max<T>); asc 0.28 cannot parse `import type`.
 */
const ASSEMBLYSCRIPT_RULES = {
  suspicious: { noDoubleEquals: "off" },
  complexity: { useMathMinMax: "off" },
  style: { useImportType: "off" },
};

/** The repository's biome.json, made to take every file of a directory of hidden copies. */
function configFor() {
  const config = JSON.parse(readFileSync(join(ROOT, "biome.json"), "utf8"));
  delete config.$schema;
  config.vcs = { enabled: false };
  config.files = { includes: ["**"] };
  const rules = config.linter.rules;
  for (const [group, settings] of Object.entries(ASSEMBLYSCRIPT_RULES)) rules[group] = { ...rules[group], ...settings };
  return config;
}

/** Runs Biome over `dir`'s .ts files (hidden copies); with `write`, writes the results back. Returns Biome's exit status. */
export function biomeAssembly(dir, write) {
  const files = readdirSync(dir).filter((file) => file.endsWith(".ts"));
  const work = mkdtempSync(join(tmpdir(), "biome-assembly-"));
  try {
    writeFileSync(join(work, "biome.json"), JSON.stringify(configFor(), null, 2));
    for (const file of files) writeFileSync(join(work, file), hideDecorators(readFileSync(join(dir, file), "utf8")));
    const biome = join(ROOT, "node_modules", ".bin", "biome");
    const args = ["check", ...(write ? ["--write"] : []), "--colors=off", ...files];
    const run = spawnSync(biome, args, { cwd: work, encoding: "utf8" });
    if (run.error) throw run.error;
    // Diagnostics name the copies; they have the same lines and columns as the files in `dir`.
    const say = (text) => text.replace(/^(\S+\.ts)(:\d+:\d+)/gm, (_, file, at) => `${relative(process.cwd(), join(dir, file))}${at}`);
    process.stdout.write(say(run.stdout));
    process.stderr.write(say(run.stderr));
    if (write) {
      for (const file of files) {
        const before = readFileSync(join(dir, file), "utf8");
        const after = restoreDecorators(readFileSync(join(work, file), "utf8"));
        if (after !== before) writeFileSync(join(dir, file), after);
      }
    }
    return run.status ?? 1;
  } finally {
    rmSync(work, { recursive: true, force: true });
  }
}

if (process.argv[1] !== undefined && resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  const write = process.argv.includes("--write");
  const dir = process.argv.slice(2).find((arg) => !arg.startsWith("--")) ?? join(ROOT, "assembly");
  process.exitCode = biomeAssembly(dir, write);
}
