// The README's support table, read back so that the suite keeps it true: the
// "tested" cell of each engine's row names the version the suite ran.

import { readFile } from "node:fs/promises";

const README = new URL("../../README.md", import.meta.url);

/** The "tested" cell of the support table's row for `engine`, or undefined when there is no such row. */
export async function testedCell(engine: string): Promise<string | undefined> {
  const readme = await readFile(README, "utf8");
  const lines = readme.split("\n");
  const section = lines.slice(lines.indexOf("## Engines"));
  const row = section.find((line) => line.startsWith(`| ${engine} `));
  return row?.split("|")[2]?.trim();
}

/** The first version number (x.y or x.y.z) in `text`. */
export function versionIn(text: string): string {
  const found = /\d+\.\d+(\.\d+)?/.exec(text);
  if (!found) throw new Error(`no version number in ${JSON.stringify(text)}`);
  return found[0];
}
