// The MCP App that shows the pipeline dashboard: its ui:// resource and the view's HTML.
// The view script (src/report/view.ts with App from @modelcontextprotocol/ext-apps, bundled
// for the browser by scripts/dashboard-view.mjs) is read on the first resource read only, so
// serving starts no slower for it.
import { readFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath, pathToFileURL } from "node:url";
import type { RESOURCE_MIME_TYPE } from "@modelcontextprotocol/ext-apps/server";
import { packageRoot } from "../paths.js";

export const DASHBOARD_URI = "ui://lean-sales/dashboard.html";
/** The URI of pipeline_report's embedded HTML (a name for the content, not a listed resource). */
export const REPORT_URI = "lean-sales://reports/pipeline";
/**
 * The MCP Apps resource type. Typed as ext-apps' RESOURCE_MIME_TYPE (so tsc checks they are
 * equal) but not imported from it: loading @modelcontextprotocol/ext-apps/server at start-up
 * doubled the bundle and cost about 150 ms for one string.
 */
export const MCP_APP_MIME: typeof RESOURCE_MIME_TYPE = "text/html;profile=mcp-app";
/** The tool's `_meta`: what registerAppTool would set (the key and its legacy flat form). */
export const DASHBOARD_TOOL_META = { ui: { resourceUri: DASHBOARD_URI }, "ui/resourceUri": DASHBOARD_URI };
/** The bundled view, next to the server's bundle in dist/. */
export const VIEW_FILE = "dashboard-view.js";

let html: Promise<string> | undefined;

/** The App's HTML, built once. */
export function dashboardHtml(): Promise<string> {
  html ??= Promise.all([viewScript(), import("./html.js")])
    .then(([script, { renderDashboardHtml }]) => renderDashboardHtml(script))
    .catch((err: unknown) => {
      html = undefined;
      throw err;
    });
  return html;
}

async function viewScript(): Promise<string> {
  const here = fileURLToPath(import.meta.url);
  if (!here.endsWith(".ts")) return readFileSync(join(dirname(here), VIEW_FILE), "utf8");
  // From a source checkout (tests, development) there is no bundle yet: build it the way
  // scripts/build.mjs does (esbuild is a dev dependency).
  const script = pathToFileURL(join(packageRoot(), "scripts", "dashboard-view.mjs")).href;
  const { bundleDashboardView } = (await import(script)) as { bundleDashboardView: () => Promise<string> };
  return bundleDashboardView();
}
