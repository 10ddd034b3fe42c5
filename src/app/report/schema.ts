// The pipeline report's data: what pipeline_report returns as
// structuredContent and what the HTML (in Node or in the MCP App view) is drawn from.
import { Changes, Indicator } from "../baseline.js";
import { z } from "zod";
import { AppliedFilters } from "../deal-view.js";
import { MetricsOut } from "../metrics.js";

const Spread = z.object({ n: z.number(), mean_days: z.number().nullable(), median_days: z.number().nullable() });
const Named = z.object({ id: z.string(), name: z.string() });

export const StalledDeal = z.object({
  deal_id: z.string(),
  name: z.string(),
  account: z.string(),
  owner: z.string(),
  stage: z.string(),
  stage_name: z.string(),
  segment: z.string().nullable(),
  days_in_stage: z.number(),
  norm_days: z.number(),
  times_norm: z.number(),
  severity: z.string(),
  norm_source: z.string(),
  also_flagged: z.array(z.string()),
});

export const ReportShape = {
  as_of: z.string(),
  filters: AppliedFilters,
  currency: z.string(),
  // What the dashboard draws; pipeline_metrics has the rest (time in stage, activity mix, revenue per owner).
  metrics: MetricsOut.omit({
    time_in_stage: true,
    activity_mix: true,
    leading_indicators: true,
    revenue_per_owner: true,
  }),
  stages: z.array(Named),
  wastes: z.array(Named),
  waste: z.object({
    as_of: z.string(),
    deals_analyzed: z.number(),
    open_deals: z.number(),
    closed_deals: z.number(),
    unsegmented_open_deals: z.number(),
    by_waste: z.record(z.string(), z.number()),
    by_stage: z.record(z.string(), z.record(z.string(), z.number())),
    findings: z.array(
      z.object({ waste: z.string(), name: z.string(), rule: z.string(), severity: z.string(), deal_count: z.number() }),
    ),
  }),
  stalled: z.object({ total: z.number(), deals: z.array(StalledDeal) }),
  trend: z.object({
    from_month: z.string(),
    to_month: z.string(),
    months: z.array(
      z.object({
        month: z.string(),
        won: z.number(),
        lost: z.number(),
        win_rate: z.number().nullable(),
        cycle: Spread,
      }),
    ),
  }),
  baseline: z
    .object({
      label: z.string(),
      baseline_as_of: z.string(),
      as_of: z.string(),
      months_elapsed: z.number(),
      on_track: z.boolean(),
      changes: Changes,
      indicators: z.array(Indicator.partial({ months_elapsed: true, reason: true })),
    })
    .nullable(),
  // The quarter ahead (forecast) and how the team sells (assess_selling_approach), in brief.
  forecast: z
    .object({
      from: z.string(),
      to: z.string(),
      currency: z.string().nullable(),
      expected_won_value: z.number(),
      expected_won_deals: z.number(),
      low: z.number(),
      high: z.number(),
      interval: z.string(),
      quota: z
        .object({ amount: z.number(), currency: z.string(), gap: z.number(), probability_to_reach: z.number() })
        .nullable(),
      backtest: z.object({
        periods: z.number(),
        wape: z.number().nullable(),
        naive_wape: z.number().nullable(),
        coverage: z.number().nullable(),
      }),
    })
    .nullable(),
  selling: z
    .object({
      scope: z.string(),
      position: z.number().nullable(),
      position_name: z.string().nullable(),
      factors: z.array(
        z.object({
          id: z.string(),
          factor: z.string(),
          position: z.number().nullable(),
          position_name: z.string().nullable(),
        }),
      ),
    })
    .nullable(),
  notes: z.array(z.string()),
};

export const ReportData = z.object(ReportShape);
export type ReportData = z.infer<typeof ReportData>;
export type StalledDeal = z.infer<typeof StalledDeal>;
