// Builds dist/: the server as one CommonJS bundle (dist/server.cjs, esbuild), V8's code cache for
// it (dist/server.cjs.cache) and the small entry that loads the two (dist/cli.js, the bin).
// Start-up then skips most of the parsing and compiling of the bundle: the cache holds the
// compiled code of everything that runs up to the first answer (made here, by a run of the built
// server). V8 refuses a cache from another V8 version or other flags; the server then compiles
// from source as before. better-sqlite3 stays external (a native addon, loaded on the first store
// access).
import { build } from "esbuild";
import { spawn } from "node:child_process";
import { chmodSync, existsSync, mkdtempSync, readFileSync, renameSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { bundleDashboardView } from "./dashboard-view.mjs";

const pkg = JSON.parse(readFileSync(new URL("../package.json", import.meta.url), "utf8"));
// Build into a fresh folder and swap it in, so a server running from dist/ never finds its
// files deleted halfway through a rebuild.
const out = new URL("../dist", import.meta.url);
const next = new URL("../dist.next", import.meta.url);
const old = new URL("../dist.old", import.meta.url);
rmSync(next, { recursive: true, force: true });
await build({
  entryPoints: ["src/cli.ts"],
  outfile: "dist.next/server.cjs",
  bundle: true,
  // CommonJS, one file: V8's code cache can be given to a script (vm.Script) but, on Node 20, not
  // to an ES module. Modules loaded on demand (HTTP, import, report) stay behind esbuild's lazy
  // wrappers and are compiled only when first used.
  format: "cjs",
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
  define: { __LEAN_SALES_VERSION__: JSON.stringify(pkg.version), "import.meta.url": "__import_meta_url" },
  banner: { js: "var __import_meta_url = require('node:url').pathToFileURL(__filename).href;" },
  logLevel: "warning",
});
wrapBundle(new URL("../dist.next/server.cjs", import.meta.url));
writeFileSync(new URL("../dist.next/cli.js", import.meta.url), ENTRY());
chmodSync(new URL("../dist.next/cli.js", import.meta.url), 0o755);
// The MCP App view (browser code), read by the server on the first read of its ui:// resource.
await bundleDashboardView(new URL("../dist.next/dashboard-view.js", import.meta.url));
await writeCodeCache(fileURLToPath(new URL("../dist.next/cli.js", import.meta.url)));
rmSync(old, { recursive: true, force: true });
if (existsSync(out)) renameSync(out, old);
renameSync(next, out);
rmSync(old, { recursive: true, force: true });

/**
 * server.cjs as the bin compiles it, so that start-up reads it straight into V8 without a copy:
 * - ASCII only: esbuild escapes non-ASCII text in strings but leaves it in regular expressions
 *   (the stemmer's `\’`), and one such character made the whole 2 MB source a two-byte string
 *   (twice the memory, and UTF-8 decoding off the ASCII fast path) at every start. Each is written
 *   as its \u escape (the same character in a string, a regular expression or a class);
 * - already wrapped as a CommonJS module function (its first line, the shebang, becomes the
 *   wrapper's head, so line numbers and the source map still hold): no copy of the source to strip
 *   the shebang and wrap it at start-up.
 */
function wrapBundle(url) {
  const source = readFileSync(url, "utf8");
  // Per UTF-16 code unit (a pair for a character beyond U+FFFF, which strings and regular
  // expressions read back as the same character); a backslash that escaped the character goes.
  const ascii = source.replace(/(\\*)([^\x00-\x7f])/g, (_, slashes, unit) => {
    const kept = slashes.length % 2 ? slashes.slice(1) : slashes;
    return `${kept}\\u${unit.charCodeAt(0).toString(16).padStart(4, "0")}`;
  });
  if (!ascii.startsWith("#!")) throw new Error("server.cjs: expected the bin's shebang on its first line");
  const body = ascii.slice(ascii.indexOf("\n"));
  writeFileSync(url, `(function (exports, require, module, __filename, __dirname) {${body}\n})`);
}

/** dist/cli.js: compiles server.cjs with its code cache (when V8 accepts it) and runs it. */
function ENTRY() {
  return `#!/usr/bin/env node
// lean-sales-mcp's bin: runs the bundled server (server.cjs) compiled with V8's code cache
// (server.cjs.cache, made by scripts/build.mjs). A cache V8 refuses (another Node version, other
// V8 flags) is ignored: the server is then compiled from source. Written by scripts/build.mjs.
import { readFileSync, writeFileSync } from "node:fs";
import { createRequire } from "node:module";
import { dirname } from "node:path";
import { fileURLToPath } from "node:url";
import vm from "node:vm";

const file = fileURLToPath(new URL("./server.cjs", import.meta.url));
const cacheFile = \`\${file}.cache\`;
let cachedData;
try {
  cachedData = readFileSync(cacheFile);
} catch {}
// The bundle, written by the build as a CommonJS module function in ASCII: decoded on Node's
// ASCII fast path into a one-byte string, handed to V8 as it is. (Not as Latin-1: a string that
// large becomes an external string, which cost more CPU on V8's background threads than decoding.)
const source = readFileSync(file, "utf8");
const script = new vm.Script(source, {
  filename: file,
  cachedData,
  importModuleDynamically: vm.constants?.USE_MAIN_CONTEXT_DEFAULT_LOADER,
});
// The build's run: the server calls this once start-up is over (src/transports/jit.ts), before it changes
// V8's flags (a cache made after that would be refused at the next start).
if (process.env.LEAN_SALES_WRITE_CODE_CACHE === "1")
  globalThis[Symbol.for("lean-sales-mcp.writeCodeCache")] = () => writeFileSync(cacheFile, script.createCachedData());
const module = { exports: {} };
script.runInThisContext()(module.exports, createRequire(file), module, file, dirname(file));
`;
}

/** Runs the built server up to its first answer (initialize), which writes the code cache. */
async function writeCodeCache(cli) {
  const dir = mkdtempSync(join(tmpdir(), "lsm-build-"));
  try {
    const child = spawn(process.execPath, [cli, "--db", join(dir, "cache.db")], {
      stdio: ["pipe", "pipe", "inherit"],
      env: { ...process.env, LEAN_SALES_WRITE_CODE_CACHE: "1", LEAN_SALES_LOG_LEVEL: "warn" },
    });
    const exited = new Promise((resolve) => child.once("exit", resolve));
    await new Promise((resolve, reject) => {
      child.stdout.once("data", resolve);
      child.once("exit", (code) => reject(new Error(`the built server exited (${code}) before answering`)));
      child.stdin.write(
        `${JSON.stringify({ jsonrpc: "2.0", id: 1, method: "initialize", params: { protocolVersion: "2025-11-25", capabilities: {}, clientInfo: { name: "build", version: pkg.version } } })}\n`,
      );
    });
    child.stdin.end();
    await exited;
    if (!existsSync(`${cli.replace(/cli\.js$/, "server.cjs")}.cache`)) throw new Error("no code cache was written");
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}
