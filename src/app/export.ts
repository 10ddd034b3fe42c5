// Deals as files: the CSV and JSON an export holds, and the resource URI that names an export by
// its parameters, so any server process can produce it on read and asking for it writes nothing.
import type { Deal, DealFilters, DealStore } from "../store/types.js";

/** Export columns: our field names, so an export re-imports with format "generic". */
export const EXPORT_COLUMNS = [
  "id",
  "external_id",
  "name",
  "account",
  "owner",
  "amount",
  "currency",
  "stage",
  "status",
  "tier",
  "readiness",
  "segment",
  "source",
  "industry",
  "employees",
  "annual_revenue",
  "created_at",
  "stage_entered_at",
  "expected_close_date",
  "closed_at",
  "close_reason",
  "last_activity_at",
  "revisit_on",
  "bant_budget",
  "bant_authority",
  "bant_need",
  "bant_timeline",
  "bant_score",
  "bant_verdict",
  // The framework the bant_* signals, score and verdict were recorded under (bant, meddicc, ...).
  "qualification_framework",
] as const;

export type ExportFormat = "csv" | "json";

function cell(v: unknown): string {
  if (v === null || v === undefined) return "";
  let s = String(v);
  // A leading = + - @ makes spreadsheets run the cell as a formula (CSV injection).
  if (typeof v === "string" && /^[=+\-@\t\r]/.test(s)) s = `'${s}`;
  return /[",\r\n]/.test(s) ? `"${s.replace(/"/g, '""')}"` : s;
}

export function flatDeal(d: Deal): Record<string, unknown> {
  return {
    ...d,
    bant_budget: d.bant?.budget,
    bant_authority: d.bant?.authority,
    bant_need: d.bant?.need,
    bant_timeline: d.bant?.timeline,
    bant_score: d.bant?.score,
    bant_verdict: d.bant?.verdict,
    qualification_framework: d.bant?.framework,
  };
}

export function dealsToCsv(deals: Deal[], header = true): string {
  const rows = deals.map((d) => {
    const flat = flatDeal(d);
    return EXPORT_COLUMNS.map((c) => cell(flat[c])).join(",");
  });
  return (header ? [EXPORT_COLUMNS.join(","), ...rows] : rows).join("\r\n") + "\r\n";
}

/** The filter fields an export URI carries, in a fixed order (the same parameters give the same URI). */
const PARAMS = ["owner", "segment", "stage", "status", "from", "to", "date_field", "q"] as const;

export const EXPORTS_TEMPLATE = "lean-sales://exports/{file}";

/** The URI of an export: its format and filters, nothing else (no state is kept). */
export function exportUri(format: ExportFormat, filters: DealFilters): string {
  const q = new URLSearchParams();
  for (const k of PARAMS) {
    const v = filters[k];
    if (v !== undefined && !(k === "date_field" && v === "created_at")) q.set(k, String(v));
  }
  const query = q.toString();
  return `lean-sales://exports/deals.${format}${query ? `?${query}` : ""}`;
}

/** Reads an export's format and filters back from the {file} part of its URI; undefined if it is not one. */
export function parseExportFile(file: string): { format: ExportFormat; filters: DealFilters } | undefined {
  const m = /^deals\.(csv|json)(?:\?(.*))?$/.exec(file);
  if (!m) return undefined;
  const q = new URLSearchParams(m[2] ?? "");
  const filters: Record<string, string> = {};
  for (const [k, v] of q) {
    if (!(PARAMS as readonly string[]).includes(k)) return undefined;
    filters[k] = v;
  }
  return { format: m[1] as ExportFormat, filters: filters as DealFilters };
}

/** Most an export resource holds in one read; past it the answer says how to get the rest. */
export const MAX_EXPORT_CHARS = 8 * 1024 * 1024;

/** The whole export as text, streamed from the store a page at a time; null when it would exceed maxChars. */
export function exportText(
  store: DealStore,
  format: ExportFormat,
  filters: DealFilters,
  present: (d: Deal) => unknown,
  maxChars = MAX_EXPORT_CHARS,
): string | null {
  const parts: string[] = [];
  let size = 0;
  let after = 0;
  let n = 0;
  if (format === "json") parts.push("[\n");
  for (;;) {
    const { deals } = store.listDeals(filters, 1000, after);
    if (deals.length === 0) break;
    const chunk =
      format === "csv"
        ? dealsToCsv(deals, n === 0)
        : deals.map((d, i) => `${n + i > 0 ? ",\n" : ""}${JSON.stringify(present(d))}`).join("");
    size += chunk.length;
    if (size > maxChars) return null;
    parts.push(chunk);
    n += deals.length;
    after = Number(deals[deals.length - 1]!.id.slice(2));
  }
  if (format === "json") parts.push("\n]\n");
  else if (n === 0) parts.push(dealsToCsv([], true));
  return parts.join("");
}
