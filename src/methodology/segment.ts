// Customer segmentation: tier x readiness. Reference: "Customer Segmentation Model" and its
// "Segmentation Criteria Matrix". Cuts and readiness rules come from data/segmentation.json.
import { RuleInputError } from "./errors.js";
import type { Methodology } from "./load.js";
import type { Readiness, Tier } from "./schema.js";

export interface SegmentInput {
  employees?: number;
  annual_revenue?: number;
  expected_deal_size?: number;
  tier?: Tier;
  actively_evaluating?: boolean;
  budget_status?: string;
  timeline_months?: number;
  need_awareness?: "high" | "medium" | "low";
}

export interface SegmentResult {
  tier: Tier;
  readiness: Readiness;
  segment: `${Tier}_${Readiness}`;
  label: string;
  in_matrix: boolean;
  sales_approach: string;
  engagement_level: string;
  cycle_time_months: { min: number; max: number };
  cycle_note?: string;
  reasons: string[];
}

const TIER_SIGNALS = ["employees", "annual_revenue", "expected_deal_size"] as const;
type TierSignal = (typeof TIER_SIGNALS)[number];

const SIGNAL_LABEL: Record<TierSignal, (v: number, currency: string) => string> = {
  employees: (v) => `${v.toLocaleString("en-US")} employees`,
  annual_revenue: (v, c) => `annual revenue ${money(v, c)}`,
  expected_deal_size: (v, c) => `expected deal size ${money(v, c)}`,
};

function money(v: number, currency: string): string {
  return `${currency} ${v.toLocaleString("en-US", { maximumFractionDigits: 0 })}`;
}

/** The tier one signal points at, with the bounds of that tier for the reason text. */
function tierFromSignal(m: Methodology, signal: TierSignal, value: number): { tier: Tier; bounds: string } {
  const cuts = m.segmentation.tier_thresholds[signal];
  const c = m.segmentation.tier_thresholds.currency;
  const fmt = (v: number) => (signal === "employees" ? v.toLocaleString("en-US") : money(v, c));
  if (value >= cuts.enterprise) return { tier: "enterprise", bounds: `at least ${fmt(cuts.enterprise)}` };
  if (value >= cuts.mid_market) return { tier: "mid_market", bounds: `${fmt(cuts.mid_market)} to under ${fmt(cuts.enterprise)}` };
  return { tier: "smb", bounds: `under ${fmt(cuts.mid_market)}` };
}

export function classifyTier(m: Methodology, input: SegmentInput): { tier: Tier; reasons: string[] } {
  const rank = (t: Tier) => m.segmentation.tiers.find((x) => x.id === t)!.rank;
  const name = (t: Tier) => m.segmentation.tiers.find((x) => x.id === t)!.name;
  const currency = m.segmentation.tier_thresholds.currency;
  const votes = TIER_SIGNALS.filter((s) => input[s] !== undefined).map((s) => ({
    signal: s,
    value: input[s]!,
    ...tierFromSignal(m, s, input[s]!),
  }));
  const reasons = votes.map((v) => `${SIGNAL_LABEL[v.signal](v.value, currency)} points to ${name(v.tier)} (${v.bounds}).`);

  if (input.tier) {
    reasons.push(`Tier ${name(input.tier)} was given explicitly and overrides the firmographic signals.`);
    return { tier: input.tier, reasons };
  }
  if (votes.length === 0) {
    throw new RuleInputError(
      "employees",
      "Cannot place the prospect in a tier: give at least one of employees, annual_revenue, expected_deal_size, or tier (enterprise, mid_market, smb).",
    );
  }
  const winner = votes.reduce((best, v) => (rank(v.tier) > rank(best.tier) ? v : best));
  if (new Set(votes.map((v) => v.tier)).size > 1) {
    reasons.push(`The signals disagree; the larger tier wins, so ${winner.signal} decided: ${name(winner.tier)}.`);
  } else {
    reasons.push(`Tier ${name(winner.tier)}, decided by ${votes.map((v) => v.signal).join(" and ")}.`);
  }
  return { tier: winner.tier, reasons };
}

export function classifyReadiness(m: Methodology, input: SegmentInput): { readiness: Readiness; reasons: string[] } {
  const rules = m.segmentation.readiness_rules;
  const label = (r: Readiness) => m.segmentation.readiness_levels.find((x) => x.id === r)!.name;
  const months = input.timeline_months;
  const evaluating = input.actively_evaluating === true;

  const readyMisses: string[] = [];
  if (rules.ready.requires_actively_evaluating && !evaluating) readyMisses.push("not actively evaluating solutions");
  if (!input.budget_status || !rules.ready.budget_statuses.includes(input.budget_status))
    readyMisses.push(`budget is ${input.budget_status ?? "unknown"} (needs ${rules.ready.budget_statuses.join(" or ")})`);
  if (months === undefined) readyMisses.push("no timeline given");
  else if (months > rules.ready.max_timeline_months) readyMisses.push(`timeline ${months} months is beyond ${rules.ready.max_timeline_months}`);
  if (readyMisses.length === 0) {
    return {
      readiness: "ready",
      reasons: [`${label("ready")}: actively evaluating, budget ${input.budget_status}, timeline ${months} months (at most ${rules.ready.max_timeline_months}).`],
    };
  }

  const aware =
    (input.need_awareness !== undefined && rules.exploring.need_awareness.includes(input.need_awareness)) ||
    (rules.exploring.actively_evaluating_counts_as_aware && evaluating);
  const withinExploring = months !== undefined && months <= rules.exploring.max_timeline_months;
  const notReady = `Not ${label("ready")}: ${readyMisses.join("; ")}.`;
  if (aware && withinExploring) {
    return {
      readiness: "exploring",
      reasons: [notReady, `${label("exploring")}: aware of the need${evaluating ? " (evaluating)" : ` (awareness ${input.need_awareness})`} with a timeline of ${months} months (at most ${rules.exploring.max_timeline_months}).`],
    };
  }
  const exploringMisses: string[] = [];
  if (!aware) exploringMisses.push(`need awareness is ${input.need_awareness ?? "unknown"} and not evaluating`);
  if (months === undefined) exploringMisses.push("no timeline given");
  else if (!withinExploring) exploringMisses.push(`timeline ${months} months is beyond ${rules.exploring.max_timeline_months}`);
  return {
    readiness: "not_ready",
    reasons: [notReady, `Not ${label("exploring")}: ${exploringMisses.join("; ")}, so ${label("not_ready")} (nurture).`],
  };
}

export function classifySegment(m: Methodology, input: SegmentInput): SegmentResult {
  const { tier, reasons: tierReasons } = classifyTier(m, input);
  const { readiness, reasons: readinessReasons } = classifyReadiness(m, input);
  const row = m.segment(tier, readiness);
  const reasons = [...tierReasons, ...readinessReasons];
  if (row.in_matrix) {
    reasons.push(`Segmentation matrix row ${row.label}: ${row.sales_approach}; ${row.engagement_level}.`);
  } else {
    reasons.push(`${row.label} is not in the reference's segmentation matrix; this guidance is derived: ${row.derivation}`);
  }
  return {
    tier,
    readiness,
    segment: `${tier}_${readiness}`,
    label: row.label,
    in_matrix: row.in_matrix,
    sales_approach: row.sales_approach,
    engagement_level: row.engagement_level,
    cycle_time_months: row.cycle_time_months,
    ...(row.cycle_note ? { cycle_note: row.cycle_note } : {}),
    reasons,
  };
}
