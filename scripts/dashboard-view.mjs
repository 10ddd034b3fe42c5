// Bundles the MCP App view (src/report/view.ts, with App from @modelcontextprotocol/ext-apps)
// into one browser script. Used by scripts/build.mjs (writes dist/dashboard-view.js) and, from
// a source checkout, by src/report/dashboard.ts on the first read of the App's resource.
import { build } from "esbuild";
import { writeFileSync } from "node:fs";
import { fileURLToPath } from "node:url";

const root = fileURLToPath(new URL("..", import.meta.url));

export async function bundleDashboardView(outfile) {
  const result = await build({
    absWorkingDir: root,
    entryPoints: ["src/report/view.ts"],
    bundle: true,
    write: false,
    format: "iife",
    platform: "browser",
    target: "es2020",
    minify: true,
    legalComments: "none",
    logLevel: "warning",
  });
  const js = result.outputFiles[0].text;
  // Inlined in a <script> element: these would end it early or change how it is parsed.
  if (/<!--|<script/i.test(js))
    throw new Error("the dashboard view bundle contains <!-- or <script; it cannot be inlined safely");
  if (outfile) writeFileSync(outfile, js);
  return js;
}
