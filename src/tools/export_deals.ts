import { z } from "zod";
import type { Deal } from "../store/types.js";
import { defineTool, reply } from "./define.js";
import { AppliedFilters, DealOut, Filters, presentDeal, toStoreFilters } from "./deal-view.js";
import { PageOut, pageOfDeals } from "./list_deals.js";

/** Export columns: our field names, so an export re-imports with format "generic". */
export const EXPORT_COLUMNS = [
  "id", "external_id", "name", "account", "owner", "amount", "currency", "stage", "status", "tier", "readiness", "segment",
  "source", "industry", "employees", "annual_revenue", "created_at", "stage_entered_at", "expected_close_date", "closed_at",
  "close_reason", "last_activity_at", "bant_budget", "bant_authority", "bant_need", "bant_timeline", "bant_score", "bant_verdict",
] as const;

function cell(v: unknown): string {
  if (v === null || v === undefined) return "";
  let s = String(v);
  // A leading = + - @ makes spreadsheets run the cell as a formula (CSV injection).
  if (typeof v === "string" && /^[=+\-@\t\r]/.test(s)) s = `'${s}`;
  return /[",\r\n]/.test(s) ? `"${s.replace(/"/g, '""')}"` : s;
}

export function dealsToCsv(deals: Deal[], header = true): string {
  const rows = deals.map((d) => {
    const flat: Record<string, unknown> = {
      ...d,
      bant_budget: d.bant?.budget,
      bant_authority: d.bant?.authority,
      bant_need: d.bant?.need,
      bant_timeline: d.bant?.timeline,
      bant_score: d.bant?.score,
      bant_verdict: d.bant?.verdict,
    };
    return EXPORT_COLUMNS.map((c) => cell(flat[c])).join(",");
  });
  return (header ? [EXPORT_COLUMNS.join(","), ...rows] : rows).join("\r\n") + "\r\n";
}

export default defineTool({
  name: "export_deals",
  title: "Export deals (CSV or JSON)",
  kind: "read",
  description: [
    "Exports stored deals matching the filters as CSV text (default; our field names as headers, re-importable with import_deals format generic) or as JSON deal objects.",
    "Pages like list_deals: limit 1-2000 (default 500), total, truncated and next_cursor. For a whole large store use the command line: lean-sales-mcp export --out deals.csv.",
    'Example: {"filters":{"status":"won","from":"2026-01-01"},"format":"csv"}',
  ].join(" "),
  input: {
    filters: Filters.optional().describe("Which deals (from/to bound the creation date)"),
    format: z.enum(["csv", "json"]).optional().describe("csv (default) or json"),
    limit: z.number().int().min(1).max(2000).optional().describe("Deals per page, 1-2000 (default 500)"),
    cursor: z.string().max(200).optional().describe("next_cursor from the previous page"),
  },
  output: {
    format: z.enum(["csv", "json"]),
    csv: z.string().optional(),
    deals: z.array(DealOut).optional(),
    ...PageOut,
  },
  handle(input, ctx) {
    const format = input.format ?? "csv";
    const limit = input.limit ?? 500;
    const filters = toStoreFilters(input.filters);
    const { page, total, more, first, next_cursor } = pageOfDeals(ctx.store(), filters, limit, input.cursor, { f: input.filters, x: "export" });
    const body = format === "csv" ? { csv: dealsToCsv(page, first) } : { deals: page.map((d) => presentDeal(ctx.methodology, d)) };
    return reply(
      { format, ...body, total, returned: page.length, truncated: more, next_cursor, filters },
      [
        `Exported ${page.length} of ${total} deals as ${format.toUpperCase()} (in structuredContent.${format === "csv" ? "csv" : "deals"}).`,
        ...(more ? ["More remain: call again with cursor = next_cursor."] : []),
      ],
    );
  },
});
