// MCP resources: the reference rendered from data/, one section at a time, and stored deals.
import {
  McpServer,
  ProtocolError,
  ProtocolErrorCode,
  ResourceNotFoundError,
  ResourceTemplate,
} from "@modelcontextprotocol/server";
import { STATIC } from "./cache.js";
import { EXPORTS_TEMPLATE, exportText, parseExportFile } from "../app/export.js";
import { presentDeal } from "../app/deal-view.js";
import { renderMethodology, renderSection, SECTIONS, type SectionId } from "../methodology/render.js";
import { DASHBOARD_URI, dashboardHtml, MCP_APP_MIME, parseReportFile, REPORTS_TEMPLATE } from "../report/dashboard.js";
import type { Deps } from "../app/deps.js";
import { dealRecord, dealRecordText } from "../app/deal-record.js";
import { InputError } from "../methodology/errors.js";
import { fence } from "../app/fence.js";
import { DealIdPattern } from "../app/schemas.js";

/** A request the client can fix (a malformed address, an export too large to read at once). */
const invalidParams = (message: string) => new ProtocolError(ProtocolErrorCode.InvalidParams, message);
/** The revision's resource-not-found error (-32602 with the uri in data), with what to do instead. */
const notFound = (uri: URL, message: string) => new ResourceNotFoundError(uri.href, message);

// The whole reference, rendered on its first read and kept per methodology: not at every server
// creation (HTTP creates one per request), nor before the first answer (its money figures load
// ICU's number formats, ~20 ms).
const rendered = new WeakMap<Deps["methodology"], string>();
function wholeReference(m: Deps["methodology"]): string {
  let text = rendered.get(m);
  if (text === undefined) rendered.set(m, (text = renderMethodology(m)));
  return text;
}

export function registerResources(server: McpServer, deps: Deps): void {
  registerMethodologyResources(server, deps);
  registerDealResource(server, deps);
  registerExportResource(server, deps);
  registerReportResources(server, deps);
}

/** The reference rendered from data/: whole, and one section at a time. */
function registerMethodologyResources(server: McpServer, deps: Deps): void {
  const m = deps.methodology;
  server.registerResource(
    "methodology",
    "lean-sales://methodology",
    {
      title: "Lean Sales methodology (whole reference)",
      description: "The complete Lean Sales reference as markdown, rendered from the server's methodology data.",
      mimeType: "text/markdown",
      cacheHint: STATIC,
    },
    async (uri) => ({ contents: [{ uri: uri.href, mimeType: "text/markdown", text: wholeReference(m) }] }),
  );

  const sectionIds = SECTIONS.map((s) => s.id) as string[];
  server.registerResource(
    "methodology-section",
    new ResourceTemplate("lean-sales://methodology/{section}", {
      list: async () => ({
        resources: SECTIONS.map((s) => ({
          uri: `lean-sales://methodology/${s.id}`,
          name: s.id,
          title: s.title,
          mimeType: "text/markdown",
        })),
      }),
      complete: { section: (value) => sectionIds.filter((id) => id.startsWith(value ?? "")) },
    }),
    {
      title: "Lean Sales methodology section",
      description: `One section of the reference: ${sectionIds.join(", ")}.`,
      mimeType: "text/markdown",
      cacheHint: STATIC,
    },
    async (uri, { section }) => {
      const id = String(section);
      if (!sectionIds.includes(id)) throw notFound(uri, `Unknown section "${id}". Sections: ${sectionIds.join(", ")}.`);
      return { contents: [{ uri: uri.href, mimeType: "text/markdown", text: renderSection(m, id as SectionId) }] };
    },
  );
}

/** One stored deal with everything recorded on it (stored text fenced as data). */
function registerDealResource(server: McpServer, deps: Deps): void {
  const m = deps.methodology;
  server.registerResource(
    "deal",
    new ResourceTemplate("lean-sales://deals/{deal_id}", {
      // The most recently created deals; list_deals pages through all of them.
      list: async () => ({
        resources: deps
          .store()
          .dealsLike("", 50)
          .map((d) => ({
            uri: `lean-sales://deals/${d.id}`,
            name: d.id,
            title: `${d.name} (${d.account})`.slice(0, 200),
            mimeType: "text/markdown",
          })),
      }),
      // By id prefix, or by name or account in any case ("acme" finds Acme Logistics' deals).
      complete: {
        deal_id: (value) =>
          deps
            .store()
            .dealsLike(String(value ?? ""), 20)
            .map((d) => d.id),
      },
    }),
    {
      title: "Stored deal",
      description:
        "One deal with its stakeholders, stage history, activities, latest qualification and stage check (stored text fenced as data).",
      mimeType: "text/markdown",
    },
    async (uri, { deal_id }) => {
      const id = String(deal_id);
      if (!DealIdPattern.test(id)) throw notFound(uri, `deal_id must look like D-0042, got "${id.slice(0, 40)}".`);
      let record;
      try {
        record = dealRecord(m, deps.store(), id, 50);
      } catch (err) {
        if (err instanceof InputError) throw notFound(uri, err.message);
        throw err;
      }
      const t = dealRecordText(m, record);
      const text = [
        ...t.summary,
        "",
        fence(JSON.stringify(record, null, 2), `the deal store (the record of ${record.deal.id})`),
      ].join("\n");
      return { contents: [{ uri: uri.href, mimeType: "text/markdown", text }] };
    },
  );
}

/** Exports named by their parameters (export_deals links here): produced on read, nothing kept. */
function registerExportResource(server: McpServer, deps: Deps): void {
  const m = deps.methodology;
  server.registerResource(
    "deals-export",
    new ResourceTemplate(EXPORTS_TEMPLATE, { list: undefined }),
    {
      title: "Deals export",
      description:
        "deals.csv or deals.json with filters as query parameters, e.g. lean-sales://exports/deals.csv?status=won (export_deals gives the URI).",
      mimeType: "text/csv",
    },
    async (uri, { file }) => {
      const spec = parseExportFile(String(file));
      if (!spec)
        throw notFound(
          uri,
          `Unknown export "${String(file).slice(0, 60)}". Call export_deals for the URI of an export.`,
        );
      const text = exportText(deps.store(), spec.format, spec.filters, (d) => presentDeal(m, d));
      if (text === null)
        throw invalidParams(
          "This export is larger than one read holds (8 MB). Narrow the filters, or run `lean-sales-mcp export --out deals.csv` at a terminal.",
        );
      return { contents: [{ uri: uri.href, mimeType: spec.format === "csv" ? "text/csv" : "application/json", text }] };
    },
  );
}

/** The pipeline as HTML: reports named by their parameters, and the MCP App view of pipeline_report. */
function registerReportResources(server: McpServer, deps: Deps): void {
  const m = deps.methodology;
  // HTML reports named by their parameters (pipeline_report links here): rendered on read.
  server.registerResource(
    "pipeline-report",
    new ResourceTemplate(REPORTS_TEMPLATE, { list: undefined }),
    {
      title: "Pipeline report (HTML)",
      description:
        "pipeline.html?as_of=YYYY-MM-DD with filters as query parameters: one self-contained, printable HTML file (pipeline_report gives the URI).",
      mimeType: "text/html",
    },
    async (uri, { file }) => {
      const spec = parseReportFile(String(file));
      if (!spec)
        throw notFound(
          uri,
          `Unknown report "${String(file).slice(0, 60)}". Call pipeline_report for the URI of a report.`,
        );
      const [{ gatherPipelineReport }, { renderReportHtml }] = await Promise.all([
        import("../app/report/data.js"),
        import("../report/html.js"),
      ]);
      const data = gatherPipelineReport(
        m,
        deps.store(),
        { filters: spec.filters as never, as_of: spec.as_of, currency: spec.currency, quota: spec.quota },
        deps.now(),
      );
      return { contents: [{ uri: uri.href, mimeType: "text/html", text: renderReportHtml(data) }] };
    },
  );

  // The MCP App of pipeline_report; its HTML (with the bundled view) is built on first read.
  server.registerResource(
    "pipeline-dashboard",
    DASHBOARD_URI,
    {
      title: "Pipeline dashboard (MCP App)",
      description:
        "The view pipeline_report renders in clients that support MCP Apps: funnel, cycle time vs target, waste heat map, monthly trend, stalled deals and baseline. Self-contained; fetches nothing.",
      mimeType: MCP_APP_MIME,
      _meta: { ui: { prefersBorder: true } },
      cacheHint: STATIC,
    },
    async (uri) => ({
      contents: [
        { uri: uri.href, mimeType: MCP_APP_MIME, text: await dashboardHtml(), _meta: { ui: { prefersBorder: true } } },
      ],
    }),
  );
}
