// The package version: set at build time by scripts/build.mjs (the bundle reads no file for it);
// read from package.json when the sources run unbuilt (tests).
import { readFileSync } from "node:fs";

declare const __LEAN_SALES_VERSION__: string | undefined;
export const VERSION: string =
  typeof __LEAN_SALES_VERSION__ === "string"
    ? __LEAN_SALES_VERSION__
    : (JSON.parse(readFileSync(new URL("../package.json", import.meta.url), "utf8")) as { version: string }).version;
