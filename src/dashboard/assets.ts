import { readFile } from "node:fs/promises";
import { createRequire } from "node:module";
import path from "node:path";
import { fileURLToPath } from "node:url";

// Read from the source tree, as `kubemark run` reads experiments/: tsc leaves non-TS files where they are.
const STATIC_DIR = path.resolve(
  path.dirname(fileURLToPath(import.meta.url)),
  "../../../src/dashboard/static",
);
const require = createRequire(import.meta.url);

/** The files the pages load, by the name they are served under: uPlot's build and our own script and style. */
const ASSET_FILES = {
  "uPlot.iife.min.js": require.resolve("uplot/dist/uPlot.iife.min.js"),
  "uPlot.min.css": require.resolve("uplot/dist/uPlot.min.css"),
  "dashboard.js": path.join(STATIC_DIR, "dashboard.js"),
  "dashboard.css": path.join(STATIC_DIR, "dashboard.css"),
} as const;

export type AssetName = keyof typeof ASSET_FILES;

export const SCRIPTS: readonly AssetName[] = ["uPlot.iife.min.js", "dashboard.js"];
export const STYLES: readonly AssetName[] = ["uPlot.min.css", "dashboard.css"];

export function isAssetName(name: string): name is AssetName {
  return Object.hasOwn(ASSET_FILES, name);
}

export function readAsset(name: AssetName): Promise<string> {
  return readFile(ASSET_FILES[name], "utf8");
}
