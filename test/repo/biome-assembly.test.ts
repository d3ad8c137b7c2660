// scripts/biome-assembly.mjs: Biome lints and formats assembly/ with the
// core's decorators hidden behind marker comments. The hiding must give
// back exactly what it took, leave lines and columns in place, and touch
// nothing but decorators.

import { mkdtemp, readdir, readFile, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { biomeAssembly, hideDecorators, restoreDecorators } from "../../scripts/biome-assembly.mjs";

const ASSEMBLY = new URL("../../assembly/", import.meta.url);

describe("Biome over assembly/ (scripts/biome-assembly.mjs)", () => {
  it("hides the decorators of every file of the core and gives them back exactly, line for line", async () => {
    const files = (await readdir(ASSEMBLY)).filter((file) => file.endsWith(".ts"));
    let hidden = 0;
    for (const file of files) {
      const source = await readFile(new URL(file, ASSEMBLY), "utf8");
      const masked = hideDecorators(source);
      expect(masked).not.toMatch(/^\s*@\w/m);
      expect(masked.split("\n").length).toBe(source.split("\n").length);
      expect(restoreDecorators(masked)).toBe(source);
      hidden += masked.split("/*@").length - 1;
    }
    expect(hidden).toBeGreaterThan(50);
  });

  it("hides decorators with arguments and on their own line, and nothing in comments or strings", () => {
    const source = [
      '@external("env", "log") declare function log(x: i32): void;',
      "@inline",
      "export function f(): void {}",
      "  @inline get x(): u32 {",
      "/** @param x a number */",
      ' * @returns "@inline"',
      'const s = "@inline ";',
    ].join("\n");
    const masked = hideDecorators(source);
    expect(masked.split("\n")).toEqual([
      '/*@external("env", "log")*/ declare function log(x: i32): void;',
      "/*@inline*/",
      "export function f(): void {}",
      "  /*@inline*/ get x(): u32 {",
      "/** @param x a number */",
      ' * @returns "@inline"',
      'const s = "@inline ";',
    ]);
    expect(restoreDecorators(masked)).toBe(source);
  });

  it("refuses a source that already holds a marker, which it could not tell from a hidden decorator", () => {
    expect(() => hideDecorators("/*@inline*/ function f(): void {}")).toThrow(/already holds/);
  });

  it("check fails on a badly formatted file and --write fixes it, decorators and all (negative control)", async () => {
    const dir = await mkdtemp(join(tmpdir(), "biome-assembly-test-"));
    const messy = "@inline export function twice(x: u32): u32 {\n        return x+x\n}\n";
    await writeFile(join(dir, "messy.ts"), messy);
    expect(biomeAssembly(dir, false)).not.toBe(0);
    expect(biomeAssembly(dir, true)).toBe(0);
    expect(await readFile(join(dir, "messy.ts"), "utf8")).toBe("@inline export function twice(x: u32): u32 {\n  return x + x;\n}\n");
    expect(biomeAssembly(dir, false)).toBe(0);
  });
});
