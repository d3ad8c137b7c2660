// A tiny static server for the browser demo and the browser tests. It sends
// the two headers that make a page cross-origin isolated (unless told not
// to), and `application/wasm` for the core. A path is looked up in each root
// in turn: by default the compiled scripts under build/ first (so that
// /examples/browser/main.js is the compiled main.ts), then the package itself
// (/dist/index.js, the HTML pages).

import { createReadStream, existsSync } from "node:fs";
import { stat } from "node:fs/promises";
import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { dirname, extname, join, normalize, sep } from "node:path";
import { fileURLToPath } from "node:url";

/** The package's root: the nearest folder up from here with a package.json (this file runs from examples/ or build/examples/). */
function packageRoot(): string {
  let folder = dirname(fileURLToPath(import.meta.url));
  while (!existsSync(join(folder, "package.json")) && dirname(folder) !== folder) folder = dirname(folder);
  return folder;
}

const PACKAGE_ROOT = packageRoot();

const TYPES: Record<string, string> = {
  ".html": "text/html; charset=utf-8",
  ".js": "text/javascript; charset=utf-8",
  ".wasm": "application/wasm",
  ".css": "text/css; charset=utf-8",
  ".json": "application/json",
  ".svg": "image/svg+xml",
  ".png": "image/png",
};

export interface ServerOptions {
  /** Send COOP/COEP so that pages are cross-origin isolated (default true). */
  isolated?: boolean;
  /** Directories searched in order (default: build/, then the package root). */
  roots?: string[];
  /** 0 (default) picks a free port. */
  port?: number;
  /** Content-Type for .wasm files (default application/wasm); tests serve a wrong one on purpose. */
  wasmContentType?: string;
}

export interface RunningServer {
  /** http://127.0.0.1:PORT/ */
  url: string;
  close(): Promise<void>;
}

async function findFile(roots: readonly string[], path: string): Promise<string | undefined> {
  for (const root of roots) {
    const file = normalize(join(root, path));
    // No way out of the roots ("..", encoded or not, is normalised away or refused).
    if (!file.startsWith(root.endsWith(sep) ? root : root + sep)) return undefined;
    const info = await stat(file).catch(() => undefined);
    if (info?.isFile()) return file;
    if (info?.isDirectory()) {
      const index = join(file, "index.html");
      if ((await stat(index).catch(() => undefined))?.isFile()) return index;
    }
  }
  return undefined;
}

export function startServer(options: ServerOptions = {}): Promise<RunningServer> {
  const isolated = options.isolated ?? true;
  const roots = (options.roots ?? [join(PACKAGE_ROOT, "build"), PACKAGE_ROOT]).map((root) => normalize(root));
  const server: Server = createServer((request, response) => {
    const path = decodeURIComponent(new URL(request.url ?? "/", "http://localhost").pathname);
    void findFile(roots, path).then((file) => {
      const headers: Record<string, string> = { "Cache-Control": "no-store" };
      if (isolated) {
        headers["Cross-Origin-Opener-Policy"] = "same-origin";
        headers["Cross-Origin-Embedder-Policy"] = "require-corp";
      }
      if (!file) {
        response.writeHead(404, { ...headers, "Content-Type": "text/plain" }).end(`not found: ${path}\n`);
        return;
      }
      const type = extname(file) === ".wasm" && options.wasmContentType ? options.wasmContentType : TYPES[extname(file)];
      response.writeHead(200, { ...headers, "Content-Type": type ?? "application/octet-stream" });
      createReadStream(file).pipe(response);
    });
  });
  return new Promise((resolve, reject) => {
    server.once("error", reject);
    server.listen(options.port ?? 0, "127.0.0.1", () => {
      const { port } = server.address() as AddressInfo;
      resolve({
        url: `http://127.0.0.1:${port}/`,
        close: () => new Promise((done) => server.close(() => done())),
      });
    });
  });
}
