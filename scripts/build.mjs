// Bundles src/cli.ts into dist/ with esbuild: one small ESM entry plus lazily loaded chunks,
// so start-up parses only what serving needs (see bench/README.md for the cold-start numbers).
// better-sqlite3 stays external (a native addon) and is loaded on the first store access.
import { build } from "esbuild";
import { chmodSync, existsSync, readFileSync, renameSync, rmSync } from "node:fs";
import { bundleDashboardView } from "./dashboard-view.mjs";

const pkg = JSON.parse(readFileSync(new URL("../package.json", import.meta.url), "utf8"));
// Build into a fresh folder and swap it in, so a server running from dist/ never finds its
// chunks deleted halfway through a rebuild.
const out = new URL("../dist", import.meta.url);
const next = new URL("../dist.next", import.meta.url);
const old = new URL("../dist.old", import.meta.url);
rmSync(next, { recursive: true, force: true });
await build({
  entryPoints: { cli: "src/cli.ts" },
  outdir: "dist.next",
  bundle: true,
  splitting: true,
  format: "esm",
  platform: "node",
  target: "node20",
  // Whitespace and syntax only: identifiers keep their names, so function and class names (error
  // names, stack traces) stay as written without esbuild's keepNames, which wraps every function
  // in a __name() call that runs whenever a closure is made (about 20 per tool call, most of them
  // the SDK's) and for every function at start-up.
  minifyWhitespace: true,
  minifySyntax: true,
  sourcemap: "linked",
  external: ["better-sqlite3"],
  define: { __LEAN_SALES_VERSION__: JSON.stringify(pkg.version) },
  // CommonJS dependencies (pino) call require() for Node built-ins.
  banner: { js: "import { createRequire as __cr } from 'node:module'; const require = __cr(import.meta.url);" },
  logLevel: "warning",
});
chmodSync(new URL("../dist.next/cli.js", import.meta.url), 0o755);
// The MCP App view (browser code), read by the server on the first read of its ui:// resource.
await bundleDashboardView(new URL("../dist.next/dashboard-view.js", import.meta.url));
rmSync(old, { recursive: true, force: true });
if (existsSync(out)) renameSync(out, old);
renameSync(next, out);
rmSync(old, { recursive: true, force: true });
