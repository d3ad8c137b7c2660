// Vega and Vega-Lite for the demo's charts, as their browser bundles from the
// package's node_modules (devDependencies): classic scripts that set
// globalThis.vega and globalThis.vegaLite. They come from the page's own
// origin, so the page stays cross-origin isolated; a bundler such as Vite
// emits them as assets (the `new URL(..., import.meta.url)` pattern).

import type * as Vega from "vega";
import type * as VegaLite from "vega-lite";

export interface VegaLibraries {
  vega: typeof Vega;
  vegaLite: typeof VegaLite;
}

// In order: Vega-Lite's bundle reads globalThis.vega.
const BUNDLES = [
  new URL("../../node_modules/vega/build/vega.min.js", import.meta.url),
  new URL("../../node_modules/vega-lite/build/vega-lite.min.js", import.meta.url),
];

function loadScript(url: URL): Promise<void> {
  return new Promise((resolve, reject) => {
    const script = document.createElement("script");
    script.src = url.href;
    script.onload = () => resolve();
    script.onerror = () => reject(new Error(`could not load ${url.pathname}`));
    document.head.append(script);
  });
}

/** Loads both bundles, one after the other, and returns what they define. */
export async function loadVega(): Promise<VegaLibraries> {
  const scope = globalThis as unknown as Partial<VegaLibraries>;
  for (const url of BUNDLES) await loadScript(url);
  if (!scope.vega || !scope.vegaLite) throw new Error("the Vega bundles loaded but defined no globalThis.vega or globalThis.vegaLite");
  return { vega: scope.vega, vegaLite: scope.vegaLite };
}
