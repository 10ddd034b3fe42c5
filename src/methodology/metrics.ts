// Pipeline metrics from aggregated counts. Reference: Area 4 "Metrics & Continuous Learning"
// (leading and lagging indicators, conversion rates), Phase 1 "Establish Baseline Metrics",
// Phase 2 "Launch pipeline velocity analysis". Targets per segment come from the matrix.
import type { Methodology } from "./load.js";
import type { Readiness, Tier } from "./schema.js";
import { DAYS_PER_MONTH, fromDist, ratio, round, type Spread } from "./stats.js";

/** Count, sum and exact median of a quantity over a group (see the store's analytics). */
export interface DistInput {
  key: string;
  n: number;
  sum: number;
  median: number | null;
}

export interface MetricsInput {
  closed: Array<{ segment: string | null; status: string; n: number; amount_n: number; amount_sum: number }>;
  won_amount_median: number | null;
  cycle: DistInput[];
  reached: Array<{ furthest: number; n: number }>;
  stage_time: DistInput[];
  open: { n: number; amount_n: number; amount_sum: number };
  activities: Array<{ type: string; n: number }>;
  owners: Array<{ owner: string; won: number; lost: number; won_amount: number }>;
  /** Amounts by currency (every currency): open pipeline and won in the period. */
  currencies: Array<{ currency: string; open_n: number; open_value: number; won_n: number; won_value: number }>;
}

export interface SegmentCycle extends Spread {
  segment: string;
  label: string;
  target_days: { min: number; max: number };
  status: "faster" | "within" | "slower" | "no_data";
}

export interface PipelineMetrics {
  period: { from: string | null; to: string; days: number | null };
  currency: string;
  deals_closed: { won: number; lost: number; disqualified: number };
  win_rate: number | null;
  avg_deal_size: number | null;
  median_deal_size: number | null;
  cycle_time: { won: Spread; lost: Spread; by_segment: SegmentCycle[] };
  conversion: Array<{
    from_stage: string;
    from_name: string;
    to_stage: string;
    to_name: string;
    reached_from: number;
    reached_to: number;
    rate: number | null;
  }>;
  time_in_stage: Array<{
    stage: string;
    stage_name: string;
    exits: number;
    mean_days: number | null;
    median_days: number | null;
  }>;
  pipeline_velocity: {
    per_day: number;
    open_deals: number;
    win_rate: number;
    avg_won_size: number;
    avg_cycle_days: number;
  } | null;
  open_pipeline: { deals: number; value: number; deals_with_amount: number };
  /** What is in other currencies than `currency`: never added in, never dropped. */
  other_currencies: Array<{
    currency: string;
    open_deals: number;
    open_value: number;
    won_deals: number;
    won_value: number;
  }>;
  leading_indicators: {
    meetings: number;
    demos: number;
    proposals: number;
    weeks: number | null;
    per_week: { meetings: number; demos: number; proposals: number } | null;
  };
  activity_mix: { customer_facing: number; internal: number; total: number; non_selling_share: number | null };
  revenue_per_owner: Array<{ owner: string; won: number; lost: number; win_rate: number | null; revenue: number }>;
  reasons: string[];
}

const DAY = 86_400_000;

/** "mid_market_exploring" -> { tier: "mid_market", readiness: "exploring" }, from the ids in data. */
export function parseSegment(m: Methodology, segment: string): { tier: Tier; readiness: Readiness } | null {
  for (const t of m.segmentation.tiers) {
    if (!segment.startsWith(`${t.id}_`)) continue;
    const r = m.segmentation.readiness_levels.find((x) => x.id === segment.slice(t.id.length + 1));
    if (r) return { tier: t.id, readiness: r.id };
  }
  return null;
}

/** The segment's cycle time from the matrix, in days. */
export function segmentTargetDays(m: Methodology, segment: string): { label: string; min: number; max: number } | null {
  const parsed = parseSegment(m, segment);
  if (!parsed) return null;
  const def = m.segment(parsed.tier, parsed.readiness);
  return {
    label: def.label,
    min: round(def.cycle_time_months.min * DAYS_PER_MONTH, 1),
    max: round(def.cycle_time_months.max * DAYS_PER_MONTH, 1),
  };
}

export function computePipelineMetrics(
  m: Methodology,
  raw: MetricsInput,
  opts: { period: { from: string | null; to: string }; currency: string },
): PipelineMetrics {
  const reasons: string[] = [];
  const count = (status: string) => raw.closed.filter((r) => r.status === status).reduce((a, r) => a + r.n, 0);
  const won = count("won");
  const lost = count("lost");
  const disqualified = count("disqualified");
  const win_rate = ratio(won, won + lost);
  const wonAmountN = raw.closed.filter((r) => r.status === "won").reduce((a, r) => a + r.amount_n, 0);
  const wonAmountSum = raw.closed.filter((r) => r.status === "won").reduce((a, r) => a + r.amount_sum, 0);
  const avg_deal_size = wonAmountN ? round(wonAmountSum / wonAmountN) : null;

  const cycleOf = (key: string) => fromDist(raw.cycle.find((r) => r.key === key));
  const wonCycle = cycleOf("won");
  const lostCycle = cycleOf("lost");
  const segments = raw.cycle
    .filter((r) => r.key.startsWith("won|") && r.key.length > 4)
    .map((r) => r.key.slice(4))
    .sort();
  const by_segment: SegmentCycle[] = segments.flatMap((seg) => {
    const target = segmentTargetDays(m, seg);
    if (!target) return [];
    const s = cycleOf(`won|${seg}`);
    const status =
      s.median_days === null
        ? "no_data"
        : s.median_days < target.min
          ? "faster"
          : s.median_days > target.max
            ? "slower"
            : "within";
    return [{ segment: seg, label: target.label, ...s, target_days: { min: target.min, max: target.max }, status }];
  });
  for (const s of by_segment.filter((x) => x.status === "slower")) {
    reasons.push(
      `${s.label} wins take a median ${s.median_days} days, beyond the segmentation matrix's ${s.target_days.min}-${s.target_days.max} days.`,
    );
  }

  // Conversion: deals that reached stage k+1 over deals that reached stage k (a deal created
  // further down the funnel counts as having reached the stages before it).
  const reachedAtLeast = (k: number) => raw.reached.filter((r) => r.furthest >= k).reduce((a, r) => a + r.n, 0);
  const conversion = m.stages.slice(0, -1).map((s, k) => {
    const next = m.stages[k + 1]!;
    const from = reachedAtLeast(k);
    const to = reachedAtLeast(k + 1);
    return {
      from_stage: s.id,
      from_name: s.name,
      to_stage: next.id,
      to_name: next.name,
      reached_from: from,
      reached_to: to,
      rate: from ? round(to / from, 4) : null,
    };
  });

  const time_in_stage = m.stages.map((s) => {
    const sp = fromDist(raw.stage_time.find((r) => r.key === s.id));
    return { stage: s.id, stage_name: s.name, exits: sp.n, mean_days: sp.mean_days, median_days: sp.median_days };
  });

  let pipeline_velocity: PipelineMetrics["pipeline_velocity"] = null;
  if (win_rate !== null && avg_deal_size !== null && wonCycle.mean_days) {
    pipeline_velocity = {
      per_day: round((raw.open.n * win_rate * avg_deal_size) / wonCycle.mean_days),
      open_deals: raw.open.n,
      win_rate: round(win_rate, 4),
      avg_won_size: avg_deal_size,
      avg_cycle_days: wonCycle.mean_days,
    };
  } else {
    reasons.push("Pipeline velocity needs at least one won deal with an amount in the period (and a win rate).");
  }

  const n = (type: string) => raw.activities.find((a) => a.type === type)?.n ?? 0;
  const days = opts.period.from ? (Date.parse(opts.period.to) - Date.parse(opts.period.from)) / DAY : null;
  const weeks = days !== null && days > 0 ? round(days / 7, 1) : null;
  const leading = { meetings: n("meeting"), demos: n("demo"), proposals: n("proposal") };
  const p = m.wasteRules.pipeline;
  const customer = p.customer_facing_activity_types.reduce((a, t) => a + n(t), 0);
  const internal = p.internal_activity_types.reduce((a, t) => a + n(t), 0);
  const total = raw.activities.reduce((a, r) => a + r.n, 0);

  if (won + lost === 0)
    reasons.push("No deal was won or lost in the period, so win rate and cycle time are not known yet.");

  return {
    period: { from: opts.period.from, to: opts.period.to, days: days === null ? null : round(days, 1) },
    currency: opts.currency,
    deals_closed: { won, lost, disqualified },
    win_rate: win_rate === null ? null : round(win_rate, 4),
    avg_deal_size,
    median_deal_size: raw.won_amount_median,
    cycle_time: { won: wonCycle, lost: lostCycle, by_segment },
    conversion,
    time_in_stage,
    pipeline_velocity,
    open_pipeline: { deals: raw.open.n, value: round(raw.open.amount_sum), deals_with_amount: raw.open.amount_n },
    other_currencies: raw.currencies
      .filter((c) => c.currency !== opts.currency && (c.open_value > 0 || c.won_value > 0))
      .map((c) => ({
        currency: c.currency,
        open_deals: c.open_n,
        open_value: round(c.open_value),
        won_deals: c.won_n,
        won_value: round(c.won_value),
      })),
    leading_indicators: {
      ...leading,
      weeks,
      per_week: weeks
        ? {
            meetings: round(leading.meetings / weeks, 1),
            demos: round(leading.demos / weeks, 1),
            proposals: round(leading.proposals / weeks, 1),
          }
        : null,
    },
    activity_mix: {
      customer_facing: customer,
      internal,
      total,
      non_selling_share: total ? round(internal / total, 4) : null,
    },
    revenue_per_owner: raw.owners.map((o) => ({
      owner: o.owner,
      won: o.won,
      lost: o.lost,
      win_rate: o.won + o.lost ? round(o.won / (o.won + o.lost), 4) : null,
      revenue: round(o.won_amount),
    })),
    reasons,
  };
}
