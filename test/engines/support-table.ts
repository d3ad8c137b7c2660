// The README's support table, read back so that the suite keeps it true: the
// "tested" cell of each engine's row names the version the suite ran.

import { readFile } from "node:fs/promises";

const README = new URL("../../README.md", import.meta.url);

/** Every row of the support table: the engine and its "tested" cell. */
export async function supportRows(): Promise<{ engine: string; tested: string }[]> {
  const readme = await readFile(README, "utf8");
  const section = readme.slice(readme.indexOf("## Engines"));
  const table = section.slice(section.indexOf("\n| engine "));
  const lines = table.split("\n").slice(1);
  const rows = lines
    .slice(
      0,
      lines.findIndex((line) => !line.startsWith("|")),
    )
    .slice(2);
  return rows.map((line) => {
    const cells = line.split("|").map((cell) => cell.trim());
    return { engine: cells[1]!, tested: cells[2]! };
  });
}

/** The "tested" cell of the support table's row for `engine`, or undefined when there is no such row. */
export async function testedCell(engine: string): Promise<string | undefined> {
  return (await supportRows()).find((row) => row.engine === engine)?.tested;
}

/** The first version number (x.y or x.y.z) in `text`. */
export function versionIn(text: string): string {
  const found = /\d+\.\d+(\.\d+)?/.exec(text);
  if (!found) throw new Error(`no version number in ${JSON.stringify(text)}`);
  return found[0];
}
