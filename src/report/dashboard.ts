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
/** The HTML reports, named by their parameters (pipeline_report links here): rendered on read. */
export const REPORTS_TEMPLATE = "lean-sales://reports/{file}";
const REPORT_PARAMS = ["owner", "segment", "stage", "status", "from", "to", "date_field", "q"] as const;

/** The URI of the HTML report for a day, filters and currency (the same parameters give the same URI). */
export function reportUri(asOf: string, filters: object, currency?: string, quota?: number): string {
  const q = new URLSearchParams({ as_of: asOf });
  for (const k of REPORT_PARAMS) {
    const v = (filters as Record<string, unknown>)[k];
    if (v !== undefined && !(k === "date_field" && v === "created_at")) q.set(k, String(v));
  }
  if (currency) q.set("currency", currency);
  if (quota !== undefined) q.set("quota", String(quota));
  return `lean-sales://reports/pipeline.html?${q.toString()}`;
}

/** The report's day, filters, currency and quota back from the {file} part of its URI; undefined if it is not one. */
export function parseReportFile(
  file: string,
): { as_of: string; filters: Record<string, string>; currency?: string; quota?: number } | undefined {
  const m = /^pipeline\.html\?(.*)$/.exec(file);
  if (!m) return undefined;
  const q = new URLSearchParams(m[1]);
  const as_of = q.get("as_of");
  if (!as_of || !/^\d{4}-\d{2}-\d{2}$/.test(as_of)) return undefined;
  const filters: Record<string, string> = {};
  for (const [k, v] of q) {
    if (k === "as_of" || k === "currency" || k === "quota") continue;
    if (!(REPORT_PARAMS as readonly string[]).includes(k)) return undefined;
    filters[k === "date_field" ? "date" : k] =
      k === "date_field" ? (v === "closed_at" ? "closed" : v === "activity" ? "activity" : "created") : v;
  }
  const quota = q.get("quota") === null ? undefined : Number(q.get("quota"));
  if (quota !== undefined && !(Number.isFinite(quota) && quota > 0)) return undefined;
  return {
    as_of,
    filters,
    ...(q.get("currency") ? { currency: q.get("currency")! } : {}),
    ...(quota !== undefined ? { quota } : {}),
  };
}
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
