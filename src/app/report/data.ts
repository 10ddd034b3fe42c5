// Gathers the pipeline report's numbers from the functions the tools use, so the report and
// the tools agree: pipeline_metrics' measure(), find_waste's findPipelineWaste over the same
// facts and norms, and compare_to_baseline's compareToBaseline for the latest baseline.
// Reference: Area 4 "Metrics & Continuous Learning" (dashboard of leading and lagging indicators).
import { compareToBaseline } from "../../methodology/baseline.js";
import type { Methodology } from "../../methodology/load.js";
import type { PipelineMetrics } from "../../methodology/metrics.js";
import {
  stageBaseline,
  unsegmentedNote,
  type PipelineWasteReport,
  type StageNorms,
} from "../../methodology/pipeline-waste.js";
import { analysePipeline } from "../pipeline-analysis.js";
import type { Stage } from "../../methodology/schema.js";
import { round } from "../../methodology/stats.js";
import { monthlyTrend, monthsBefore, monthsBetween } from "../../methodology/trends.js";
import type { DealStore } from "../../store/types.js";
import { toStoreFilters, type FiltersInput } from "../deal-view.js";
import { resolvePeriod, scopeFilters } from "../period.js";
import { measure } from "../metrics.js";
import { runForecast } from "../forecast.js";
import { assessSelling } from "../assessments.js";
import type { ReportData, StalledDeal } from "./schema.js";
import { localDay } from "../../zone.js";

/** Months shown in the trend when the filters give no start, and the most ever shown. */
export const TREND_MONTHS = 12;
export const TREND_MAX_MONTHS = 36;
/** Stalled deals in the HTML report; the tool's answer (sized for a context window) shows fewer. */
export const STALLED_SHOWN = 10;
export const STALLED_IN_ANSWER = 3;

export interface ReportInput {
  filters?: FiltersInput;
  as_of?: string;
  currency?: string;
  /** How many stalled deals to list (default STALLED_SHOWN). */
  stalled_shown?: number;
  /** The quota the forecast section measures the quarter against. */
  quota?: number;
}

const DAY = 86_400_000;

export function gatherPipelineReport(m: Methodology, store: DealStore, input: ReportInput, now: Date): ReportData {
  const currency = input.currency ?? m.currency;
  const notes: string[] = [];

  // pipeline_metrics: the period filters.from..to ending at as_of (end of that day).
  const period = resolvePeriod(input.filters, input.as_of, now);
  const metrics = measure(m, store, input.filters, period, currency);

  // find_waste reads as_of like every analysis: a date alone is the end of that day.
  const wasteAsOf = new Date(period.as_of);
  // An as_of in the past: the pipeline as it stood then (point in time).
  const { report: pipeline, norms } = analysePipeline(
    m,
    store,
    toStoreFilters(input.filters),
    wasteAsOf,
    period.as_of < now.toISOString(),
  );
  const by_waste: Record<string, number> = Object.fromEntries(m.wastes.map((w) => [w.id, 0]));
  for (const f of pipeline.findings) by_waste[f.waste] = (by_waste[f.waste] ?? 0) + f.deal_count;
  if (pipeline.unsegmented_open_deals) {
    notes.push(`${unsegmentedNote(pipeline.unsegmented_open_deals)}.`);
  }

  const stalled = stalledDeals(m, store, pipeline.findings, norms, wasteAsOf, notes, input.stalled_shown);

  // The trend: month by month over the period (the last TREND_MONTHS months without a start).
  const toMonth = period.to.slice(0, 7);
  let fromMonth = period.from ? period.from.slice(0, 7) : monthsBefore(toMonth, TREND_MONTHS - 1);
  if (monthsBetween(fromMonth, toMonth).length > TREND_MAX_MONTHS) {
    fromMonth = monthsBefore(toMonth, TREND_MAX_MONTHS - 1);
    notes.push(`The monthly trend shows the last ${TREND_MAX_MONTHS} months of the period.`);
  }
  const trendFrom =
    period.from && period.from.slice(0, 7) === fromMonth ? period.from : `${fromMonth}-01T00:00:00.000Z`;
  const rows = store.analytics().monthlyOutcomes(scopeFilters(input.filters), { from: trendFrom, to: period.to });
  const months = monthlyTrend(rows, monthsBetween(fromMonth, toMonth));

  return {
    as_of: period.as_of,
    filters: input.filters ?? {},
    currency,
    metrics: dashboardMetrics(metrics),
    stages: m.stages.map((s) => ({ id: s.id, name: s.name })),
    wastes: m.wastes.map((w) => ({ id: w.id, name: w.name })),
    waste: {
      as_of: wasteAsOf.toISOString(),
      deals_analyzed: pipeline.deals_analyzed,
      open_deals: pipeline.open_deals,
      closed_deals: pipeline.closed_deals,
      unsegmented_open_deals: pipeline.unsegmented_open_deals,
      by_waste,
      by_stage: pipeline.by_stage as Record<string, Record<string, number>>,
      findings: pipeline.findings.map((f) => ({
        waste: f.waste,
        name: f.name,
        rule: f.rule,
        severity: f.severity,
        deal_count: f.deal_count,
      })),
    },
    stalled,
    trend: { from_month: fromMonth, to_month: toMonth, months },
    baseline: latestBaseline(m, store, input.as_of, now, notes),
    forecast: forecastSection(m, store, input, now, notes),
    selling: sellingSection(m, store, input, now),
    notes,
  };
}

/**
 * The deals find_waste flags as stuck in their stage, most overdue first: by how many times
 * the stage's norm they have spent there (the measure behind the warn and flag severities).
 */
function stalledDeals(
  m: Methodology,
  store: DealStore,
  findings: PipelineWasteReport["findings"],
  norms: StageNorms,
  asOf: Date,
  notes: string[],
  shown: number = STALLED_SHOWN,
): ReportData["stalled"] {
  const stalled = findings.find((f) => f.rule === "stalled_in_stage");
  if (!stalled) return { total: 0, deals: [] };
  const otherRules = new Map<string, string[]>();
  for (const f of findings) {
    if (f === stalled) continue;
    for (const flag of f.flags) otherRules.set(flag.deal_id, [...(otherRules.get(flag.deal_id) ?? []), f.rule]);
  }
  const rows: StalledDeal[] = [];
  for (const flag of stalled.flags) {
    const d = store.getDeal(flag.deal_id);
    if (!d) continue;
    const base = stageBaseline(m, { tier: d.tier as never, readiness: d.readiness, stage: d.stage as Stage }, norms);
    if (!base) continue;
    const days = Math.max(0, (asOf.getTime() - Date.parse(d.stage_entered_at)) / DAY);
    rows.push({
      deal_id: d.id,
      name: d.name,
      account: d.account,
      owner: d.owner,
      stage: d.stage,
      stage_name: m.stage(d.stage as Stage).name,
      segment: d.segment,
      days_in_stage: round(days, 1),
      norm_days: round(base.days, 1),
      times_norm: round(days / base.days, 2),
      severity: flag.severity,
      norm_source: base.source,
      also_flagged: otherRules.get(d.id) ?? [],
    });
  }
  if (stalled.deal_count > stalled.flags.length) {
    notes.push(
      `${stalled.deal_count} deals are stalled; the list is chosen among the ${stalled.flags.length} flags find_waste keeps (the severe ones first).`,
    );
  }
  rows.sort(
    (a, b) => b.times_norm - a.times_norm || b.days_in_stage - a.days_in_stage || a.deal_id.localeCompare(b.deal_id),
  );
  return { total: stalled.deal_count, deals: rows.slice(0, shown) };
}

/** compare_to_baseline for the most recently recorded baseline, in its own scope. */
function latestBaseline(
  m: Methodology,
  store: DealStore,
  asOf: string | undefined,
  now: Date,
  notes: string[],
): ReportData["baseline"] {
  const label = store.analytics().baselineLabels("", 1)[0];
  const b = label === undefined ? undefined : store.analytics().baseline(label);
  if (!b) return null;
  const filters: FiltersInput = { ...(b.filters as FiltersInput), from: localDay(b.as_of), to: undefined };
  const period = resolvePeriod(filters, asOf, now);
  if (period.as_of < b.as_of) {
    notes.push(
      `The latest baseline "${label}" is dated ${localDay(b.as_of)}, after this report's as_of, so it is not compared.`,
    );
    return null;
  }
  const current = measure(m, store, filters, period, m.currency);
  const c = compareToBaseline(m, b.metrics as PipelineMetrics, current, b.as_of, period.as_of);
  return {
    label: b.label,
    baseline_as_of: b.as_of,
    as_of: period.as_of,
    months_elapsed: c.months_elapsed,
    on_track: c.on_track,
    changes: c.changes,
    indicators: c.indicators.map((i) => ({
      id: i.id,
      text: i.text,
      metric: i.metric,
      baseline: i.baseline,
      current: i.current,
      improvement_pct: i.improvement_pct,
      target_pct: i.target_pct,
      within_months: i.within_months,
      expected_by_now_pct: i.expected_by_now_pct,
      status: i.status,
    })),
  };
}

/** The metrics the dashboard draws (pipeline_metrics answers with all of them). */
function dashboardMetrics(x: PipelineMetrics): ReportData["metrics"] {
  const { time_in_stage: _t, activity_mix: _a, leading_indicators: _l, revenue_per_owner: _r, ...shown } = x;
  return shown;
}

/** The forecast of the quarter of as_of, with its backtest, as the forecast tool makes it. */
function forecastSection(
  m: Methodology,
  store: DealStore,
  input: ReportInput,
  now: Date,
  notes: string[],
): ReportData["forecast"] {
  const { forecast: f, backtest: b } = runForecast(
    m,
    store,
    {
      ...(input.as_of ? { as_of: input.as_of } : {}),
      ...(input.filters ? { filters: input.filters } : {}),
      ...(input.quota !== undefined ? { quota: input.quota, quota_currency: input.currency ?? m.currency } : {}),
    },
    now,
  );
  const c = f.main_currency;
  const main = c ? f.by_currency[c] : undefined;
  if (!main) {
    notes.push("No open deal and no history to forecast from: the forecast section is empty.");
    return null;
  }
  const [lo, hi] = m.forecast.interval.map((x) => `${Math.round(x * 100)}th`);
  return {
    from: f.period.from,
    to: f.period.to,
    currency: c,
    expected_won_value: main.expected_won_value,
    expected_won_deals: main.expected_won_deals,
    low: main.low,
    high: main.high,
    interval: `${lo} to ${hi} percentile`,
    quota: f.gap_to_quota
      ? {
          amount: f.gap_to_quota.quota,
          currency: f.gap_to_quota.currency,
          gap: f.gap_to_quota.gap,
          probability_to_reach: f.gap_to_quota.probability_to_reach,
        }
      : null,
    backtest: { periods: b.periods.length, wape: b.wape, naive_wape: b.naive_wape, coverage: b.coverage },
  };
}

/** Where the team (or the filtered owner) sells, reactive to proactive, factor by factor. */
function sellingSection(m: Methodology, store: DealStore, input: ReportInput, now: Date): ReportData["selling"] {
  const { owner, from, to } = input.filters ?? {};
  const r = assessSelling(
    m,
    store,
    { ...(owner ? { owner } : {}), ...(from ? { from } : {}), ...(to ? { to } : {}) },
    now,
  );
  return {
    scope: r.scope,
    position: r.overall.position,
    position_name: r.overall.position_name,
    factors: r.factors.map((f) => ({
      id: f.id,
      factor: f.factor,
      position: f.position,
      position_name: f.position_name,
    })),
  };
}
