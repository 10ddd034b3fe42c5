// Pipeline metrics for a scope and period: what pipeline_metrics, the baselines and the report share.
import { z } from "zod";
import { type DealStore } from "../store/types.js";
import { type FiltersInput, money } from "./deal-view.js";
import { type Methodology } from "../methodology/load.js";
import { type PipelineMetrics, computePipelineMetrics } from "../methodology/metrics.js";
import { Reasons } from "./schemas.js";
import { scopeFilters } from "./period.js";

export const Spread = z.object({ n: z.number(), mean_days: z.number().nullable(), median_days: z.number().nullable() });

export const MetricsOut = z.object({
  period: z.object({ from: z.string().nullable(), to: z.string(), days: z.number().nullable() }),
  currency: z.string(),
  deals_closed: z.object({ won: z.number(), lost: z.number(), disqualified: z.number() }),
  win_rate: z.number().nullable(),
  avg_deal_size: z.number().nullable(),
  median_deal_size: z.number().nullable(),
  cycle_time: z.object({
    won: Spread,
    lost: Spread,
    by_segment: z.array(
      Spread.extend({
        segment: z.string(),
        label: z.string(),
        target_days: z.object({ min: z.number(), max: z.number() }),
        status: z.string(),
      }),
    ),
  }),
  conversion: z.array(
    z.object({
      from_stage: z.string(),
      from_name: z.string(),
      to_stage: z.string(),
      to_name: z.string(),
      reached_from: z.number(),
      reached_to: z.number(),
      rate: z.number().nullable(),
    }),
  ),
  time_in_stage: z.array(
    z.object({
      stage: z.string(),
      stage_name: z.string(),
      exits: z.number(),
      mean_days: z.number().nullable(),
      median_days: z.number().nullable(),
    }),
  ),
  pipeline_velocity: z
    .object({
      per_day: z.number(),
      open_deals: z.number(),
      win_rate: z.number(),
      avg_won_size: z.number(),
      avg_cycle_days: z.number(),
    })
    .nullable(),
  open_pipeline: z.object({ deals: z.number(), value: z.number(), deals_with_amount: z.number() }),
  other_currencies: z.array(
    z.object({
      currency: z.string(),
      open_deals: z.number(),
      open_value: z.number(),
      won_deals: z.number(),
      won_value: z.number(),
    }),
  ),
  leading_indicators: z.object({
    meetings: z.number(),
    demos: z.number(),
    proposals: z.number(),
    weeks: z.number().nullable(),
    per_week: z.object({ meetings: z.number(), demos: z.number(), proposals: z.number() }).nullable(),
  }),
  activity_mix: z.object({
    customer_facing: z.number(),
    internal: z.number(),
    total: z.number(),
    non_selling_share: z.number().nullable(),
  }),
  revenue_per_owner: z.array(
    z.object({
      owner: z.string(),
      won: z.number(),
      lost: z.number(),
      win_rate: z.number().nullable(),
      revenue: z.number(),
    }),
  ),
  reasons: Reasons,
});

/**
 * Metrics for a scope and period, straight from SQL aggregates. A period that ends in the past
 * (resolvePeriod's `past`) is measured as the pipeline stood then (open deals and stages reached).
 */
export function measure(
  m: Methodology,
  store: DealStore,
  filters: FiltersInput | undefined,
  period: { from: string | null; to: string; past?: boolean },
  currency: string,
): PipelineMetrics {
  const raw = store.analytics().metrics(scopeFilters(filters), period, currency, period.past ?? false);
  return computePipelineMetrics(m, raw, { period, currency });
}

/** The headline numbers; the dashboard's subset has no leading indicators or activity mix. */
export function metricsSummary(
  x: Omit<PipelineMetrics, "leading_indicators" | "activity_mix" | "time_in_stage" | "revenue_per_owner"> &
    Partial<PipelineMetrics>,
): string[] {
  const pct = (v: number | null) => (v === null ? "n/a" : `${Math.round(v * 1000) / 10}%`);
  return [
    `Win rate ${pct(x.win_rate)} (${x.deals_closed.won} won, ${x.deals_closed.lost} lost, ${x.deals_closed.disqualified} disqualified) · avg won deal ${money(x.avg_deal_size, x.currency)} · median ${money(x.median_deal_size, x.currency)}`,
    `Cycle time (won): median ${x.cycle_time.won.median_days ?? "n/a"} d, mean ${x.cycle_time.won.mean_days ?? "n/a"} d${
      x.cycle_time.by_segment.filter((s) => s.status === "slower").length
        ? ` · slower than target: ${x.cycle_time.by_segment
            .filter((s) => s.status === "slower")
            .map((s) => s.label)
            .join(", ")}`
        : ""
    }`,
    `Conversion: ${x.conversion.map((c) => `${c.from_name}→${c.to_name} ${pct(c.rate)}`).join(" · ")}`,
    `Open pipeline: ${x.open_pipeline.deals} deals, ${money(x.open_pipeline.value, x.currency)} · velocity ${x.pipeline_velocity ? `${money(x.pipeline_velocity.per_day, x.currency)}/day` : "n/a"}`,
    ...(x.other_currencies?.length
      ? [
          `Other currencies, not added in: ${x.other_currencies.map((c) => `${money(c.open_value, c.currency)} open (${c.open_deals}), ${money(c.won_value, c.currency)} won (${c.won_deals})`).join("; ")}`,
        ]
      : []),
    ...(x.leading_indicators && x.activity_mix
      ? [
          `Leading indicators: ${x.leading_indicators.meetings} meetings, ${x.leading_indicators.demos} demos, ${x.leading_indicators.proposals} proposals · non-selling share ${pct(x.activity_mix.non_selling_share)}`,
        ]
      : []),
  ];
}
