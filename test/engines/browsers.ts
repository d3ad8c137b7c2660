// The three browsers the conformance suite runs in, each Debian's own build
// driven by a well-kept library: Chromium by playwright-core (CDP), Firefox
// ESR by puppeteer-core (WebDriver BiDi), WebKitGTK by selenium-webdriver
// through WebKitWebDriver, in a virtual X display (Xvfb). Each opens a page
// and returns what the page leaves in globalThis.result.

import { type ChildProcess, spawn } from "node:child_process";
import { existsSync } from "node:fs";
import { mkdtemp, rm } from "node:fs/promises";
import { createServer } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";

export const CHROMIUM = process.env.CHROMIUM_PATH ?? "/usr/bin/chromium";
/** Headless Chromium without its background services (and without a sandbox, which containers lack). */
export const CHROMIUM_FLAGS = [
  "--no-sandbox",
  "--disable-gpu",
  "--disable-background-networking",
  "--disable-component-update",
  "--disable-sync",
  "--no-first-run",
];
export const FIREFOX = process.env.FIREFOX_PATH ?? "/usr/bin/firefox-esr";
export const WEBKIT_DRIVER = process.env.WEBKIT_DRIVER_PATH ?? "/usr/bin/WebKitWebDriver";
export const WEBKIT_BROWSER = process.env.WEBKIT_BROWSER_PATH ?? "/usr/lib/x86_64-linux-gnu/webkit2gtk-4.1/MiniBrowser";
export const XVFB_RUN = "/usr/bin/xvfb-run";

/** The Debian package of each file a browser target needs, and the file. */
export type BrowserFiles = Record<string, string>;

export const CHROMIUM_FILES: BrowserFiles = { chromium: CHROMIUM };
export const FIREFOX_FILES: BrowserFiles = { "firefox-esr": FIREFOX };
export const WEBKIT_FILES: BrowserFiles = { "webkit2gtk-driver": WEBKIT_DRIVER, "libwebkit2gtk-4.1-0": WEBKIT_BROWSER, xvfb: XVFB_RUN };
/** The environment WebKitGTK needs to post shared memory to workers (the README's engine table). */
export const WEBKIT_SHARING_ENV = { JSC_useSharedArrayBuffer: "1" };

/** Why a browser target cannot run here and the command that installs what it lacks, or undefined when it can. */
export function missingBrowser(files: BrowserFiles): string | undefined {
  const absent = Object.entries(files).filter(([, path]) => !existsSync(path));
  return absent.length
    ? `no ${absent.map(([, path]) => path).join(", ")}; apt-get install -y ${absent.map(([pkg]) => pkg).join(" ")}`
    : undefined;
}

const POLL_MS = 200;

/** Calls `read` until it gives a value other than undefined, or throws after `timeout` ms. */
async function poll<T>(read: () => Promise<T | undefined>, timeout: number, what: string): Promise<T> {
  const deadline = Date.now() + timeout;
  for (;;) {
    const value = await read();
    if (value !== undefined) return value;
    if (Date.now() > deadline) throw new Error(`no ${what} within ${timeout} ms`);
    await new Promise((resolve) => setTimeout(resolve, POLL_MS));
  }
}

const READ_RESULT = "return globalThis.result";

export async function inChromium(url: string, timeout: number): Promise<unknown> {
  const { chromium } = await import("playwright-core");
  const browser = await chromium.launch({
    executablePath: CHROMIUM,
    headless: true,
    args: CHROMIUM_FLAGS,
  });
  try {
    const page = await browser.newPage();
    await page.goto(url);
    return await poll(() => page.evaluate(() => (globalThis as { result?: unknown }).result), timeout, "result from Chromium");
  } finally {
    await browser.close();
  }
}

export async function inFirefox(url: string, timeout: number): Promise<unknown> {
  const puppeteer = await import("puppeteer-core");
  const profile = await mkdtemp(join(tmpdir(), "wasm-pools-firefox-"));
  const browser = await puppeteer.launch({ browser: "firefox", executablePath: FIREFOX, headless: true, userDataDir: profile });
  try {
    const page = await browser.newPage();
    await page.goto(url);
    return await poll(() => page.evaluate(() => (globalThis as { result?: unknown }).result), timeout, "result from Firefox");
  } finally {
    await browser.close();
    await rm(profile, { recursive: true, force: true });
  }
}

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once("error", reject);
    server.listen(0, "127.0.0.1", () => {
      const { port } = server.address() as { port: number };
      server.close(() => resolve(port));
    });
  });
}

/** WebKitWebDriver in its own X display; `env` goes to the driver and so to the browser it starts. */
async function startWebKitDriver(env: Record<string, string>): Promise<{ url: string; process: ChildProcess }> {
  const port = await freePort();
  const driver = spawn(XVFB_RUN, ["--auto-servernum", WEBKIT_DRIVER, `--port=${port}`], {
    env: { ...process.env, ...env },
    stdio: "ignore",
    detached: true,
  });
  const url = `http://127.0.0.1:${port}`;
  await poll(
    () =>
      fetch(`${url}/status`).then(
        (response) => (response.ok ? true : undefined),
        () => undefined,
      ),
    20_000,
    "WebKitWebDriver status",
  );
  return { url, process: driver };
}

export async function inWebKit(url: string, timeout: number, env: Record<string, string>): Promise<unknown> {
  const { Builder, Capabilities } = await import("selenium-webdriver");
  const driver = await startWebKitDriver(env);
  try {
    const capabilities = new Capabilities({
      browserName: "MiniBrowser",
      "webkitgtk:browserOptions": { binary: WEBKIT_BROWSER, args: ["--automation"] },
    });
    const session = await new Builder().usingServer(driver.url).withCapabilities(capabilities).build();
    try {
      await session.get(url);
      return await poll(async () => (await session.executeScript(READ_RESULT)) ?? undefined, timeout, "result from WebKit");
    } finally {
      await session.quit();
    }
  } finally {
    // xvfb-run, its Xvfb and the driver: the whole process group.
    if (driver.process.pid) process.kill(-driver.process.pid, "SIGTERM");
  }
}
