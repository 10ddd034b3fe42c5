// Segment derivation for stored deals: the classify_segment rules applied to what a deal knows.
import type { Methodology } from "../methodology/load.js";
import { classifySegment, type SegmentInput, type SegmentResult } from "../methodology/segment.js";
import type { Tier } from "../methodology/schema.js";

export interface DealSignals {
  employees?: number | null;
  annual_revenue?: number | null;
  amount?: number | null;
  currency?: string;
  tier?: Tier | null;
  actively_evaluating?: boolean | null;
  timeline_months?: number | null;
  need_awareness?: string | null;
  budget_status?: string | null;
  /** The deal's timeline signal (BANT's values) (none: no active timeline). */
  timeline_status?: string | null;
}

/** The segment a deal's signals give (readiness unknown without a signal), or null when nothing places it in a tier. */
export function deriveSegment(m: Methodology, s: DealSignals): SegmentResult | null {
  const sameCurrency = (s.currency ?? m.currency) === m.currency;
  const input: SegmentInput = {
    employees: s.employees ?? undefined,
    annual_revenue: s.annual_revenue ?? undefined,
    expected_deal_size: sameCurrency ? (s.amount ?? undefined) : undefined,
    tier: s.tier ?? undefined,
    actively_evaluating: s.actively_evaluating ?? undefined,
    timeline_months: s.timeline_months ?? undefined,
    need_awareness: (s.need_awareness as SegmentInput["need_awareness"]) ?? undefined,
    budget_status: s.budget_status ?? undefined,
    timeline_status: s.timeline_status ?? undefined,
  };
  if (
    input.employees === undefined &&
    input.annual_revenue === undefined &&
    input.expected_deal_size === undefined &&
    !input.tier
  )
    return null;
  return classifySegment(m, input);
}
