// Replaced at build time by the package version (scripts/build.mjs); read from package.json in tests.
declare const __LEAN_SALES_VERSION__: string | undefined;
export const VERSION: string = typeof __LEAN_SALES_VERSION__ === "string" ? __LEAN_SALES_VERSION__ : "0.0.0-dev";
