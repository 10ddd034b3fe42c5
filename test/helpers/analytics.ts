// Builders for the analytics rules' unit tests (metrics, baseline): the raw aggregates the store
// hands to computePipelineMetrics, and metrics snapshots with only the measures a test cares about.
import type { Methodology } from "../../src/methodology/load.js";
import { computePipelineMetrics, type MetricsInput, type PipelineMetrics } from "../../src/methodology/metrics.js";
import { DAYS_PER_MONTH } from "../../src/methodology/stats.js";

/** Raw aggregates of a period with nothing in it, overridden field by field. */
export function metricsInput(over: Partial<MetricsInput> = {}): MetricsInput {
  return {
    closed: [],
    won_amount_median: null,
    cycle: [],
    reached: [],
    stage_time: [],
    open: { n: 0, amount_n: 0, amount_sum: 0 },
    activities: [],
    owners: [],
    currencies: [],
    ...over,
  };
}

export const Q1 = { from: "2026-01-01T00:00:00.000Z", to: "2026-03-26T00:00:00.000Z" } as const; // 84 days, 12 weeks

export function metricsOf(m: Methodology, raw: MetricsInput, period: { from: string | null; to: string } = Q1) {
  return computePipelineMetrics(m, raw, { period, currency: "EUR" });
}

export interface Snapshot {
  /** Won over won+lost (null: nothing decided). */
  winRate?: number | null;
  /** Median days from creation to close of won deals. */
  cycleMedian?: number | null;
  won?: number;
  lost?: number;
  /** Internal activities over all activities. */
  nonSelling?: number | null;
  activities?: number;
}

/** A metrics snapshot (baseline or current) holding the measures the success indicators read. */
export function snapshot(m: Methodology, s: Snapshot): PipelineMetrics {
  const base = metricsOf(m, metricsInput());
  const won = s.won ?? 10;
  return {
    ...base,
    deals_closed: { won, lost: s.lost ?? 10, disqualified: 0 },
    win_rate: s.winRate === undefined ? 0.5 : s.winRate,
    cycle_time: {
      ...base.cycle_time,
      won: { n: won, mean_days: s.cycleMedian ?? null, median_days: s.cycleMedian === undefined ? 60 : s.cycleMedian },
    },
    activity_mix: {
      customer_facing: 0,
      internal: 0,
      total: s.activities ?? 100,
      non_selling_share: s.nonSelling === undefined ? 0.3 : s.nonSelling,
    },
  };
}

/** The instant `months` (of DAYS_PER_MONTH days) after `since`, so the elapsed months come out exact. */
export const monthsAfter = (since: string, months: number) =>
  new Date(Date.parse(since) + months * DAYS_PER_MONTH * 86_400_000).toISOString();
