// How deals and filters look at the MCP edge: one output schema, one filter shape, and the
// split between summary text (ids, numbers, names from data/) and fenced stored text.
import { z } from "zod";
import type { Methodology } from "../methodology/load.js";
import { ReadinessId, StageId, TierId } from "../methodology/schema.js";
import type { Deal, DealFilters } from "../store/types.js";
import { DEAL_STATUSES } from "../store/types.js";
import { cleanText, DealId, IsoDate } from "./schemas.js";

export const SEGMENT_IDS = TierId.options.flatMap((t) => ReadinessId.options.map((r) => `${t}_${r}`)) as [string, ...string[]];
export const Segment = z.enum(SEGMENT_IDS).describe("Segment id <tier>_<readiness>, e.g. mid_market_exploring");
export const DealStatus = z.enum(DEAL_STATUSES as [string, ...string[]]).describe(`Deal status: ${DEAL_STATUSES.join(", ")} (nurture: parked until revisit_on)`);

export const Filters = z
  .object({
    owner: cleanText(200).optional().describe("Exact owner name, e.g. 'Dana Lee'"),
    segment: Segment.optional(),
    stage: StageId.optional().describe("Current stage id, e.g. discovery"),
    status: DealStatus.optional(),
    from: IsoDate.optional().describe("Earliest date, inclusive (ISO, e.g. 2026-01-01); which date is bounded is stated by each tool"),
    to: IsoDate.optional().describe("Latest date, inclusive (ISO, e.g. 2026-12-31)"),
    q: cleanText(100).optional().describe("Text to find in deal names and accounts, e.g. 'acme'"),
  })
  .strict()
  .describe("Which deals: every field optional and combined with AND. Nothing is filtered unless you say so.");
export type FiltersInput = z.infer<typeof Filters>;

export function toStoreFilters(f: FiltersInput | undefined, dateField: "created_at" | "closed_at" = "created_at"): DealFilters {
  return { ...(f ?? {}), date_field: dateField } as DealFilters;
}

/** The filters actually applied, echoed back so nothing is hidden. */
export const AppliedFilters = z.object({
  owner: z.string().optional(),
  segment: z.string().optional(),
  stage: z.string().optional(),
  status: z.string().optional(),
  from: z.string().optional(),
  to: z.string().optional(),
  q: z.string().optional(),
  date_field: z.string().optional(),
});

const Bant = z.object({ budget: z.string(), authority: z.string(), need: z.string(), timeline: z.string(), score: z.number(), verdict: z.string() });

export const DealOut = z.object({
  id: DealId,
  name: z.string(),
  account: z.string(),
  owner: z.string(),
  amount: z.number().nullable(),
  currency: z.string(),
  stage: StageId,
  stage_name: z.string(),
  status: z.string(),
  tier: z.string().nullable(),
  readiness: z.string().nullable(),
  segment: z.string().nullable(),
  segment_label: z.string().nullable(),
  source: z.string().nullable(),
  industry: z.string().nullable(),
  employees: z.number().nullable(),
  annual_revenue: z.number().nullable(),
  need_awareness: z.string().nullable(),
  actively_evaluating: z.boolean().nullable(),
  timeline_months: z.number().nullable(),
  external_id: z.string().nullable(),
  external_source: z.string().nullable(),
  created_at: z.string(),
  stage_entered_at: z.string(),
  expected_close_date: z.string().nullable(),
  closed_at: z.string().nullable(),
  close_reason: z.string().nullable(),
  last_activity_at: z.string().nullable(),
  revisit_on: z.string().nullable(),
  updated_at: z.string(),
  owner_changes: z.number(),
  bant: Bant.nullable(),
});
export type DealOutput = z.infer<typeof DealOut>;

/** A concise row for lists (detail: "summary"). */
export const DealSummaryOut = DealOut.pick({
  id: true,
  name: true,
  account: true,
  owner: true,
  amount: true,
  currency: true,
  stage: true,
  stage_name: true,
  status: true,
  segment: true,
  expected_close_date: true,
  last_activity_at: true,
  revisit_on: true,
}).extend({ bant_verdict: z.string().nullable() });

export function presentDeal(m: Methodology, d: Deal): DealOutput {
  const { stage_index: _i, ...rest } = d;
  const seg = d.tier && d.readiness ? m.segment(d.tier as never, d.readiness as never) : undefined;
  return { ...rest, stage: d.stage as never, stage_name: m.stage(d.stage as never).name, segment_label: seg?.label ?? null };
}

export function presentDealSummary(m: Methodology, d: Deal): z.infer<typeof DealSummaryOut> {
  return {
    id: d.id,
    name: d.name,
    account: d.account,
    owner: d.owner,
    amount: d.amount,
    currency: d.currency,
    stage: d.stage as never,
    stage_name: m.stage(d.stage as never).name,
    status: d.status,
    segment: d.segment,
    expected_close_date: d.expected_close_date,
    last_activity_at: d.last_activity_at,
    revisit_on: d.revisit_on,
    bant_verdict: d.bant?.verdict ?? null,
  };
}

export function money(amount: number | null, currency: string): string {
  return amount === null ? "no amount" : `${currency} ${amount.toLocaleString("en-US", { maximumFractionDigits: 0 })}`;
}

/** One summary line with ids, numbers and data/ names only (no stored free text). */
export function dealLine(m: Methodology, d: Deal): string {
  return `**${d.id}** · ${m.stage(d.stage as never).name} · ${d.status} · ${money(d.amount, d.currency)}${d.segment ? ` · ${d.segment}` : ""}`;
}

/** Stored free text of deals, for the fenced block. */
export function dealText(deals: Deal[]): string {
  return deals
    .map((d) => `${d.id}: name=${JSON.stringify(d.name)} account=${JSON.stringify(d.account)} owner=${JSON.stringify(d.owner)}${d.close_reason ? ` close_reason=${JSON.stringify(d.close_reason)}` : ""}`)
    .join("\n");
}

/** ISO timestamp in UTC; a date alone means the start of that day. */
export function toTimestamp(iso: string): string {
  return new Date(iso.length === 10 ? `${iso}T00:00:00.000Z` : iso).toISOString();
}

export const DateOnly = (iso: string) => iso.slice(0, 10);
