// Kaizen against a baseline. Reference: Phase 1 "Establish Baseline Metrics", Phase 3 "Monthly
// Reviews & Kaizen" and its success indicators (data/implementation.json): cycle time 15-20%
// shorter and win rate 10-15% higher within 6 months, non-selling activity 20-25% lower within 3.
import type { Methodology } from "./load.js";
import type { PipelineMetrics } from "./metrics.js";
import { DAYS_PER_MONTH, pctChange, round } from "./stats.js";

export interface IndicatorJudgement {
  id: string;
  text: string;
  metric: string;
  baseline: number | null;
  current: number | null;
  improvement_pct: number | null;
  target_pct: { min: number; max: number };
  within_months: number;
  months_elapsed: number;
  expected_by_now_pct: number;
  status: "achieved" | "on_track" | "behind" | "missed" | "not_measurable";
  reason: string;
}

export interface BaselineComparison {
  months_elapsed: number;
  changes: Record<string, { baseline: number | null; current: number | null; change_pct: number | null }>;
  indicators: IndicatorJudgement[];
  on_track: boolean;
  /** on_track, behind, or too_early when no indicator has enough data since the baseline. */
  verdict: "on_track" | "behind" | "too_early";
  reasons: string[];
}

/** The value a success indicator measures, read from a metrics snapshot. */
function metricValue(metrics: PipelineMetrics, metric: string): number | null {
  switch (metric) {
    case "cycle_time_days":
      return metrics.cycle_time.won.median_days;
    case "win_rate":
      return metrics.win_rate;
    case "non_selling_share":
      return metrics.activity_mix.non_selling_share;
    default:
      return null;
  }
}

/** How much evidence the period since the baseline holds for an indicator's metric. */
function sampleSize(
  m: Methodology,
  current: PipelineMetrics,
  metric: string,
): { n: number; min: number; what: string } {
  const j = m.implementation.judgement;
  return metric === "non_selling_share"
    ? { n: current.activity_mix.total, min: j.min_activities, what: "activities logged" }
    : { n: current.deals_closed.won + current.deals_closed.lost, min: j.min_decided_deals, what: "deals won or lost" };
}

export function compareToBaseline(
  m: Methodology,
  baseline: PipelineMetrics,
  current: PipelineMetrics,
  since: string,
  asOf: string,
): BaselineComparison {
  const months = Math.max(0, (Date.parse(asOf) - Date.parse(since)) / (DAYS_PER_MONTH * 86_400_000));
  const changes: BaselineComparison["changes"] = {};
  const track = (name: string, a: number | null, b: number | null) =>
    (changes[name] = { baseline: a, current: b, change_pct: pctChange(a, b) });
  track("win_rate", baseline.win_rate, current.win_rate);
  track("cycle_time_median_days", baseline.cycle_time.won.median_days, current.cycle_time.won.median_days);
  track("avg_deal_size", baseline.avg_deal_size, current.avg_deal_size);
  track(
    "pipeline_velocity_per_day",
    baseline.pipeline_velocity?.per_day ?? null,
    current.pipeline_velocity?.per_day ?? null,
  );
  track("open_pipeline_value", baseline.open_pipeline.value, current.open_pipeline.value);
  track("non_selling_share", baseline.activity_mix.non_selling_share, current.activity_mix.non_selling_share);
  // A baseline recorded before the team's stages changed names the stages it had: each is read
  // as the stage it became (stages.json's stage_map). Stages merged into one are not compared,
  // since their conversions cannot be added up.
  const before = new Map<string, number | null>();
  const merged = new Set<string>();
  for (const b of baseline.conversion) {
    const id = m.resolveStage(b.from_stage) ?? b.from_stage;
    if (before.has(id)) merged.add(id);
    before.set(id, b.rate);
  }
  for (const c of current.conversion)
    track(`conversion_${c.from_stage}`, merged.has(c.from_stage) ? null : (before.get(c.from_stage) ?? null), c.rate);
  const mergedNote = merged.size
    ? `Conversion from ${[...merged].map((id) => m.stage(id).name).join(", ")} is not compared: the baseline was recorded when it was several stages.`
    : undefined;

  const indicators: IndicatorJudgement[] = [];
  for (const s of m.implementation.success_indicators) {
    if (!s.metric || !s.direction || !s.target_percent || !s.within_months) continue;
    const before = metricValue(baseline, s.metric);
    const after = metricValue(current, s.metric);
    const change = pctChange(before, after);
    const sample = sampleSize(m, current, s.metric);
    const enough = sample.n >= sample.min;
    const improvement = change === null ? null : s.direction === "decrease" ? -change : change;
    const expected = round(s.target_percent.min * Math.min(1, months / s.within_months), 1);
    let status: IndicatorJudgement["status"];
    let reason: string;
    if (improvement === null || !enough) {
      status = "not_measurable";
      reason = !enough
        ? `"${s.text}": too early to judge, ${sample.n} ${sample.what} since the baseline (needs at least ${sample.min}).`
        : `"${s.text}": not measurable yet (baseline ${before ?? "none"}, now ${after ?? "none"}).`;
    } else if (months >= s.within_months) {
      status = improvement >= s.target_percent.min ? "achieved" : "missed";
      reason = `"${s.text}": ${improvement}% after ${round(months, 1)} months, ${status === "achieved" ? "meeting" : "short of"} the ${s.target_percent.min}-${s.target_percent.max}% target.`;
    } else {
      status = improvement >= s.target_percent.max ? "achieved" : improvement >= expected ? "on_track" : "behind";
      reason = `"${s.text}": ${improvement}% after ${round(months, 1)} of ${s.within_months} months; on pace needs ${expected}% by now (${s.target_percent.min}% pro rata).`;
    }
    indicators.push({
      id: s.id,
      text: s.text,
      metric: s.metric,
      baseline: before,
      current: after,
      improvement_pct: improvement,
      target_pct: s.target_percent,
      within_months: s.within_months,
      months_elapsed: round(months, 1),
      expected_by_now_pct: expected,
      status,
      reason,
    });
  }
  const measurable = indicators.filter((i) => i.status !== "not_measurable");
  const on_track = measurable.length > 0 && measurable.every((i) => i.status === "achieved" || i.status === "on_track");
  const verdict: BaselineComparison["verdict"] =
    measurable.length === 0 ? "too_early" : on_track ? "on_track" : "behind";
  const reasons = indicators.map((i) => i.reason);
  if (measurable.length === 0)
    reasons.push(
      `Too early to judge: no success indicator has enough data since the baseline yet. ${m.implementation.judgement.note}`,
    );
  if (mergedNote) reasons.push(mergedNote);
  return { months_elapsed: round(months, 1), changes, indicators, on_track, verdict, reasons };
}
