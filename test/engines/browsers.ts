// The three browsers the conformance suite runs in, each Debian's own build
// driven by a well-kept library: Chromium by playwright-core (CDP), Firefox
// ESR by puppeteer-core (WebDriver BiDi), WebKitGTK by selenium-webdriver
// through WebKitWebDriver, in a virtual X display (Xvfb). Each opens a page
// as a session (read an expression, click an element); the in* functions
// return what the page leaves in globalThis.result.

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
export async function poll<T>(read: () => Promise<T | undefined>, timeout: number, what: string): Promise<T> {
  const deadline = Date.now() + timeout;
  for (;;) {
    const value = await read();
    if (value !== undefined) return value;
    if (Date.now() > deadline) throw new Error(`no ${what} within ${timeout} ms`);
    await new Promise((resolve) => setTimeout(resolve, POLL_MS));
  }
}

/** A page open in one of the browsers, driven by its library. */
export interface BrowserSession {
  /** The value of a JavaScript `expression` in the page (undefined for null or undefined). */
  read(expression: string): Promise<unknown>;
  /** Clicks the element `selector` (CSS) finds, as a user would. */
  click(selector: string): Promise<void>;
  /** Closes the browser. */
  close(): Promise<void>;
}

/** The page's globalThis.result, once it has one. */
async function resultOf(url: string, timeout: number, open: (url: string) => Promise<BrowserSession>, browser: string): Promise<unknown> {
  const session = await open(url);
  try {
    return await poll(() => session.read("globalThis.result"), timeout, `result from ${browser}`);
  } finally {
    await session.close();
  }
}

export async function openInChromium(url: string): Promise<BrowserSession> {
  const { chromium } = await import("playwright-core");
  const browser = await chromium.launch({
    executablePath: CHROMIUM,
    headless: true,
    args: CHROMIUM_FLAGS,
  });
  try {
    const page = await browser.newPage();
    await page.goto(url);
    return {
      read: async (expression) => (await page.evaluate(expression)) ?? undefined,
      click: (selector) => page.click(selector),
      close: () => browser.close(),
    };
  } catch (error) {
    await browser.close();
    throw error;
  }
}

export function inChromium(url: string, timeout: number): Promise<unknown> {
  return resultOf(url, timeout, openInChromium, "Chromium");
}

export async function openInFirefox(url: string): Promise<BrowserSession> {
  const puppeteer = await import("puppeteer-core");
  const profile = await mkdtemp(join(tmpdir(), "wasm-pools-firefox-"));
  const browser = await puppeteer.launch({ browser: "firefox", executablePath: FIREFOX, headless: true, userDataDir: profile });
  const close = async (): Promise<void> => {
    await browser.close();
    await rm(profile, { recursive: true, force: true });
  };
  try {
    const page = await browser.newPage();
    await page.goto(url);
    return {
      read: async (expression) => (await page.evaluate(expression)) ?? undefined,
      click: (selector) => page.click(selector),
      close,
    };
  } catch (error) {
    await close();
    throw error;
  }
}

export function inFirefox(url: string, timeout: number): Promise<unknown> {
  return resultOf(url, timeout, openInFirefox, "Firefox");
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

/** WebKitGTK's MiniBrowser at `url`; `env` goes to the driver and so to the browser (WEBKIT_SHARING_ENV for workers to share memory). */
export async function openInWebKit(url: string, env: Record<string, string>): Promise<BrowserSession> {
  const { Builder, By, Capabilities } = await import("selenium-webdriver");
  const driver = await startWebKitDriver(env);
  // xvfb-run, its Xvfb and the driver: the whole process group.
  const stopDriver = (): void => {
    if (driver.process.pid) process.kill(-driver.process.pid, "SIGTERM");
  };
  try {
    const capabilities = new Capabilities({
      browserName: "MiniBrowser",
      "webkitgtk:browserOptions": { binary: WEBKIT_BROWSER, args: ["--automation"] },
    });
    const session = await new Builder().usingServer(driver.url).withCapabilities(capabilities).build();
    try {
      await session.get(url);
    } catch (error) {
      await session.quit();
      throw error;
    }
    return {
      read: async (expression) => (await session.executeScript(`return ${expression}`)) ?? undefined,
      click: async (selector) => {
        await (await session.findElement(By.css(selector))).click();
      },
      close: async () => {
        try {
          await session.quit();
        } finally {
          stopDriver();
        }
      },
    };
  } catch (error) {
    stopDriver();
    throw error;
  }
}

export function inWebKit(url: string, timeout: number, env: Record<string, string>): Promise<unknown> {
  return resultOf(url, timeout, (page) => openInWebKit(page, env), "WebKit");
}
