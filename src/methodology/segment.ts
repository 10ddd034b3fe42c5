// Customer segmentation: tier x readiness. Reference: "Customer Segmentation Model" and its
// "Segmentation Criteria Matrix". The cuts and readiness bands are this server's defaults
// (data/segmentation.json says so); every reason that rests on one names it as such.
import { InputError } from "./errors.js";
import type { Methodology } from "./load.js";
import { signalGap } from "./qualify.js";
import type { Readiness, Tier } from "./schema.js";

export interface SegmentInput {
  employees?: number;
  annual_revenue?: number;
  expected_deal_size?: number;
  tier?: Tier;
  actively_evaluating?: boolean;
  budget_status?: string;
  timeline_months?: number;
  /** The timeline signal (BANT's values), when known: `none` means no active timeline. */
  timeline_status?: string;
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

type TierSignal = "employees" | "annual_revenue" | "expected_deal_size";

function money(v: number, currency: string): string {
  return `${currency} ${v.toLocaleString("en-US", { maximumFractionDigits: 0 })}`;
}

/** The tier one signal's value falls in (cuts are lower bounds). Cheap: no text. */
export function tierBand(m: Methodology, signal: TierSignal, value: number): Tier {
  const cuts = m.segmentation.tier_thresholds[signal];
  return value >= cuts.enterprise ? "enterprise" : value >= cuts.mid_market ? "mid_market" : "smb";
}

/** The tier one signal points at, with the bounds of that tier for the reason text. */
function tierFromSignal(m: Methodology, signal: TierSignal, value: number): { tier: Tier; bounds: string } {
  const cuts = m.segmentation.tier_thresholds[signal];
  const c = m.segmentation.tier_thresholds.currency;
  const fmt = (v: number) => (signal === "employees" ? v.toLocaleString("en-US") : money(v, c));
  const tier = tierBand(m, signal, value);
  if (tier === "enterprise") return { tier, bounds: `at least ${fmt(cuts.enterprise)}` };
  if (tier === "mid_market") return { tier, bounds: `${fmt(cuts.mid_market)} to under ${fmt(cuts.enterprise)}` };
  return { tier, bounds: `under ${fmt(cuts.mid_market)}` };
}

const signalText = (signal: TierSignal, v: number, currency: string) =>
  signal === "employees"
    ? `${v.toLocaleString("en-US")} employees`
    : `${signal === "annual_revenue" ? "annual revenue" : "expected deal size"} ${money(v, currency)}`;

/** The tier the signals give, or undefined when there is none; never throws. */
export function tierOf(m: Methodology, input: SegmentInput): { tier: Tier; reasons: string[] } | undefined {
  const t = m.segmentation.tier_thresholds;
  const name = (x: Tier) => m.segmentation.tiers.find((y) => y.id === x)!.name;
  const rank = (x: Tier) => m.segmentation.tiers.find((y) => y.id === x)!.rank;
  const label = m.sourceName("segmentation.tier_thresholds");
  if (input.tier) return { tier: input.tier, reasons: [`Tier ${name(input.tier)} was given explicitly.`] };
  const vote = (signals: readonly TierSignal[]) =>
    signals
      .filter((s) => input[s] !== undefined)
      .map((s) => ({ signal: s, value: input[s]!, ...tierFromSignal(m, s, input[s]!) }));
  const size = vote(t.company_size_signals);
  const fallback = vote(t.fallback_signals);
  const votes = size.length > 0 ? size : fallback;
  if (votes.length === 0) return undefined;
  const reasons = votes.map(
    (v) => `${signalText(v.signal, v.value, t.currency)} points to ${name(v.tier)} (${v.bounds}; ${label} cuts).`,
  );
  const winner = votes.reduce((best, v) => (rank(v.tier) > rank(best.tier) ? v : best));
  if (size.length > 0) {
    for (const f of fallback.filter((f) => f.tier !== winner.tier)) {
      reasons.push(
        `${signalText(f.signal, f.value, t.currency)} would point to ${name(f.tier)}, but the company's size decides the tier when it is known (${label}).`,
      );
    }
  } else {
    reasons.push(
      `No company size is known, so ${votes.map((v) => v.signal).join(" and ")} decided the tier as a fallback (${label}); send employees or annual_revenue to confirm it.`,
    );
  }
  if (new Set(votes.map((v) => v.tier)).size > 1)
    reasons.push(`The size signals disagree; the larger tier wins, so ${winner.signal} decided: ${name(winner.tier)}.`);
  return { tier: winner.tier, reasons };
}

export function classifyTier(m: Methodology, input: SegmentInput): { tier: Tier; reasons: string[] } {
  const t = tierOf(m, input);
  if (!t) {
    throw new InputError(
      "Cannot place the prospect in a tier: give at least one of employees, annual_revenue, expected_deal_size, or tier (enterprise, mid_market, smb).",
      "employees",
    );
  }
  return t;
}

/**
 * Readiness from the buying signals, with timeline bands per tier. Unknown when no signal
 * supports a level: a prospect we know nothing about is not "Not Ready".
 */
export function classifyReadiness(
  m: Methodology,
  tier: Tier,
  input: SegmentInput,
): { readiness: Readiness; reasons: string[] } {
  const rules = m.segmentation.readiness_rules;
  const level = (r: Readiness) => m.segmentation.readiness_levels.find((x) => x.id === r)!.name;
  const tierName = m.segmentation.tiers.find((x) => x.id === tier)!.name;
  const label = m.sourceName("segmentation.readiness_rules");
  const months = input.timeline_months;
  const evaluating = input.actively_evaluating === true;
  const readyMax = rules.ready.max_timeline_months[tier];
  const exploringMax = rules.exploring.max_timeline_months[tier];
  const budgetKnown = input.budget_status !== undefined && input.budget_status !== "unknown";
  const timelineNone =
    input.timeline_status !== undefined && rules.not_ready.timeline_statuses.includes(input.timeline_status);

  const ready =
    (!rules.ready.requires_actively_evaluating || evaluating) &&
    budgetKnown &&
    rules.ready.budget_statuses.includes(input.budget_status!) &&
    months !== undefined &&
    months <= readyMax &&
    !timelineNone;
  if (ready) {
    return {
      readiness: "ready",
      reasons: [
        `${level("ready")}: actively evaluating, budget ${input.budget_status}, timeline ${months} months (at most ${readyMax} for ${tierName}, ${label}).`,
      ],
    };
  }
  const misses: string[] = [];
  if (rules.ready.requires_actively_evaluating && !evaluating)
    misses.push(input.actively_evaluating === false ? "not evaluating" : "evaluation unknown");
  // A framework without a budget dimension (SPICED) cannot tell it: the answer says why.
  const budgetGap = budgetKnown ? null : signalGap(m, "budget");
  if (!budgetKnown) misses.push(budgetGap ? `budget unknown: ${budgetGap.replace(/\.$/, "")}` : "budget unknown");
  else if (!rules.ready.budget_statuses.includes(input.budget_status!)) misses.push(`budget ${input.budget_status}`);
  if (months === undefined) misses.push(timelineNone ? "no timeline" : "timeline unknown");
  else if (months > readyMax) misses.push(`timeline ${months} months is beyond ${readyMax} for ${tierName}`);
  const notReadyYet = `Not ${level("ready")} (${misses.join("; ")}).`;

  const aware =
    (input.need_awareness !== undefined && rules.exploring.need_awareness.includes(input.need_awareness)) ||
    (rules.exploring.actively_evaluating_counts_as_aware && evaluating);
  const beyond = months !== undefined && months > exploringMax;
  if (aware && !beyond && !timelineNone) {
    const why = evaluating ? "evaluating" : `need awareness ${input.need_awareness}`;
    const when =
      months !== undefined
        ? `a timeline of ${months} months (at most ${exploringMax} for ${tierName})`
        : "no timeline known yet";
    return {
      readiness: "exploring",
      reasons: [notReadyYet, `${level("exploring")}: aware of the need (${why}) with ${when} (${label}).`],
    };
  }
  const low =
    input.need_awareness !== undefined && rules.not_ready.need_awareness.includes(input.need_awareness) && !evaluating;
  if (low || beyond || timelineNone) {
    const why = [
      ...(low ? [`need awareness ${input.need_awareness}`] : []),
      ...(beyond ? [`timeline ${months} months is beyond ${exploringMax} for ${tierName}`] : []),
      ...(timelineNone ? ["no active timeline"] : []),
    ];
    return {
      readiness: "not_ready",
      reasons: [notReadyYet, `${level("not_ready")}: ${why.join("; ")} (${label}); a nurture candidate.`],
    };
  }
  return {
    readiness: "unknown",
    reasons: [
      `${level("unknown")}: no signal supports a readiness level yet (${misses.join("; ")}${input.need_awareness ? `; need awareness ${input.need_awareness}` : ""}). Ask whether they are evaluating, their budget and their timeline, then classify again.`,
    ],
  };
}

export function classifySegment(m: Methodology, input: SegmentInput): SegmentResult {
  const { tier, reasons: tierReasons } = classifyTier(m, input);
  const { readiness, reasons: readinessReasons } = classifyReadiness(m, tier, input);
  const row = m.segment(tier, readiness);
  const reasons = [...tierReasons, ...readinessReasons];
  if (row.in_matrix) {
    reasons.push(`Segmentation matrix row ${row.label}: ${row.sales_approach}; ${row.engagement_level}.`);
  } else {
    reasons.push(
      `${row.label} is not in the reference's segmentation matrix; this guidance is ${row.source}: ${row.derivation}`,
    );
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
