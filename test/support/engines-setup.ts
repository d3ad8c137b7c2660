// vitest's global setup: the conformance suite's Node 22 and 24 live in
// test/engines/ (their `node` bins would shadow the machine's Node in the
// project's own node_modules). A fresh clone's `npm install` does not fetch
// them, so the first `npm test` does, from the npm registry; when that
// fails (no network), their suites say they are missing and how to get them.

import { execFileSync } from "node:child_process";
import { existsSync } from "node:fs";
import { fileURLToPath } from "node:url";

const ENGINES = fileURLToPath(new URL("../engines/", import.meta.url));

export default function setup(): void {
  const missing = ["node22", "node24"].filter((name) => !existsSync(`${ENGINES}node_modules/${name}/bin/node`));
  if (missing.length === 0) return;
  console.log(`installing ${missing.join(" and ")} for the conformance suite: npm ci --prefix test/engines`);
  try {
    execFileSync("npm", ["ci", "--prefix", ENGINES, "--no-audit", "--no-fund"], { stdio: "inherit" });
  } catch (error) {
    console.log(`could not install them (${(error as Error).message.split("\n")[0]}); their suites will say so`);
  }
}
