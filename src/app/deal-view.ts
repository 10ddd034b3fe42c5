// How deals and filters look at the MCP edge: one output schema, one filter shape, and the
// split between summary text (ids, numbers, names from data/) and fenced stored text.
import { z } from "zod";
import type { Methodology } from "../methodology/load.js";
import { StageId } from "../methodology/schema.js";
import type { Deal, DealFilters } from "../store/types.js";
import { DEAL_STATUSES } from "../store/types.js";
import {
  cleanText,
  closedObject,
  DealId,
  IsoDate,
  looseEnum,
  oneOf,
  Segment,
  SEGMENT_IDS,
  SegmentValue,
  stageValue,
} from "./schemas.js";

export { Segment, SEGMENT_IDS };

/** What from/to bound: the creation date, the close date, or activity and stage moves ("this month"). */
export const DATE_FIELDS = ["created", "closed", "activity"] as const;

/** One filter shape for every tool that picks a set of deals; ids are validated, not listed. */
const makeFilters = (m: Methodology) =>
  closedObject({
    owner: cleanText(200).optional(),
    segment: SegmentValue.optional(),
    stage: stageValue(m).optional(),
    status: oneOf(DEAL_STATUSES, "deal status").optional(),
    from: IsoDate.optional(),
    to: IsoDate.optional(),
    date: looseEnum(DATE_FIELDS).optional(),
    q: cleanText(100).optional().describe("name/account text"),
  });
const filters = new WeakMap<Methodology, ReturnType<typeof makeFilters>>();
/** The filter shape under a methodology (its stage ids), built once. */
export function filtersFor(m: Methodology) {
  let f = filters.get(m);
  if (!f) filters.set(m, (f = makeFilters(m)));
  return f;
}
export type FiltersInput = z.infer<ReturnType<typeof makeFilters>>;

/** The store's filter from the tool's, with the date field the tool uses by default. */
export function toStoreFilters(
  f: FiltersInput | undefined,
  dateField: "created_at" | "closed_at" = "created_at",
): DealFilters {
  const { date, ...rest } = f ?? {};
  const field =
    date === "closed" ? "closed_at" : date === "activity" ? "activity" : date === "created" ? "created_at" : dateField;
  return { ...rest, date_field: field } as DealFilters;
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

// The latest qualification as the deal keeps it: the budget, authority, need and timeline
// signals (BANT's values) under the framework it was made with.
const Bant = z.object({
  framework: z.string(),
  budget: z.string(),
  authority: z.string(),
  need: z.string(),
  timeline: z.string(),
  score: z.number(),
  verdict: z.string(),
});

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

export function presentDeal(m: Methodology, d: Deal): DealOutput {
  const { stage_index: _i, ...rest } = d;
  const seg = d.tier && d.readiness ? m.segment(d.tier as never, d.readiness as never) : undefined;
  return {
    ...rest,
    stage: d.stage as never,
    stage_name: m.stage(d.stage as never).name,
    segment_label: seg?.label ?? null,
  };
}

/** A compact row for lists: empty fields left out, currency only when it is not the main one. */
export const DealRowOut = z.object({
  id: z.string(),
  name: z.string(),
  account: z.string(),
  owner: z.string(),
  amount: z.number().optional(),
  currency: z.string().optional(),
  stage: z.string(),
  status: z.string(),
  segment: z.string().optional(),
  close: z.string().optional().describe("expected close date"),
  closed_at: z.string().optional(),
  last_activity: z.string().optional(),
  revisit_on: z.string().optional(),
  bant: z.string().optional().describe("latest qualification verdict"),
});

export function presentDealRow(m: Methodology, d: Deal): z.infer<typeof DealRowOut> {
  const main = m.segmentation.tier_thresholds.currency;
  return {
    id: d.id,
    name: d.name,
    account: d.account,
    owner: d.owner,
    ...(d.amount !== null ? { amount: d.amount } : {}),
    ...(d.currency !== main ? { currency: d.currency } : {}),
    stage: d.stage,
    status: d.status,
    ...(d.segment ? { segment: d.segment } : {}),
    ...(d.expected_close_date ? { close: d.expected_close_date } : {}),
    ...(d.closed_at ? { closed_at: d.closed_at.slice(0, 10) } : {}),
    ...(d.last_activity_at ? { last_activity: d.last_activity_at.slice(0, 10) } : {}),
    ...(d.revisit_on ? { revisit_on: d.revisit_on } : {}),
    ...(d.bant ? { bant: d.bant.verdict } : {}),
  };
}

export function money(amount: number | null, currency: string): string {
  return amount === null ? "no amount" : `${currency} ${amount.toLocaleString("en-US", { maximumFractionDigits: 0 })}`;
}

/** One summary line with ids, numbers and data/ names only (no stored free text). */
export function dealLine(m: Methodology, d: Deal): string {
  return `${d.id} · ${m.stage(d.stage as never).name} · ${d.status} · ${money(d.amount, d.currency)}${d.segment ? ` · ${d.segment}` : ""}`;
}

/** Stored free text of deals, for the fenced block. */
export function dealText(deals: Deal[]): string {
  return deals
    .map(
      (d) =>
        `${d.id}: name=${JSON.stringify(d.name)} account=${JSON.stringify(d.account)} owner=${JSON.stringify(d.owner)}${d.close_reason ? ` close_reason=${JSON.stringify(d.close_reason)}` : ""}`,
    )
    .join("\n");
}

/** ISO timestamp in UTC; a date alone means the start of that day. */
