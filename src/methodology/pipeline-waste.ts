// The seven wastes found in a stored pipeline. Pure: the store streams one fact row per deal
// and the stage-time norms; every threshold comes from data/wastes.json (pipeline) and the
// segmentation matrix, and every flag names the threshold it crossed.
// Reference: "Seven Forms of Waste in Sales"; Area 1 "Time Targets"; Overproduction's
// "Deals stuck in same stage for months"; Waiting's "Long periods between initial contact and follow-up".
import type { Methodology } from "./load.js";
import type { Stage, Tier, Waste } from "./schema.js";
import { matchSignals, type Severity, type WasteFinding } from "./waste.js";

/** One open deal, as the store keeps it (dates as epoch milliseconds). */
export interface DealFacts {
  id: string;
  tier: Tier | null;
  readiness: string | null;
  /** The current stage, as its position in data/stages.json. */
  stage_index: number;
  stage_entered_ms: number;
  last_activity_ms: number | null;
  /** The expected close date (a day) as epoch milliseconds of its start. */
  expected_close_ms: number | null;
  owner_changes: number;
  bant_budget: string | null;
  bant_timeline: string | null;
  bant_verdict: string | null;
  stakeholders: number;
  decision_makers: number;
  /** Internal and approval activities, and customer-facing ones, over the deal's life (the types are data/wastes.json's). */
  internal_activities: number;
  customer_activities: number;
  meetings_in_stage: number;
  proposals_in_stage: number;
  /** Summaries of proposals logged in the current stage, joined by " | " (bounded). */
  proposal_notes: string;
}

/** What closed deals say, grouped by the store: the rules look at each distinct reason once. */
export interface ClosedFacts {
  /** Closed deals in scope (won, lost and disqualified). */
  total: number;
  /** Won or lost deals with an empty close reason, by the stage they closed from, and some of their ids. */
  without_reason: { by_stage: Array<{ stage: Stage; n: number }>; ids: string[] };
  /** Lost deals with a reason: each distinct reason (trimmed, lower case) by stage. */
  lost_reasons: Array<{ reason: string; stage: Stage; n: number }>;
}

export interface PipelineInput {
  /** Open deals; a source may refill one object per row, so nothing here keeps a row. */
  open: Iterable<DealFacts>;
  closed: ClosedFacts;
  /** Up to `limit` lost deals whose reason is one of `reasons`, with that reason. */
  lostDeals(reasons: string[], limit: number): Array<{ id: string; reason: string }>;
}

/** Observed time deals of a tier spent in a stage: median days and how many left it. */
export type StageNorms = Map<string, { median_days: number; exits: number }>;
export const normKey = (tier: string, stage: string) => `${tier}:${stage}`;

export interface DealFlag {
  deal_id: string;
  rule: string;
  severity: Severity;
  evidence: string;
  threshold: string;
}

export interface PipelineFinding extends WasteFinding {
  rule: string;
  threshold: string;
  deal_count: number;
  flags: DealFlag[];
}

export interface PipelineWasteReport {
  findings: PipelineFinding[];
  /**
   * Flags per stage and waste (uncapped): a deal counts once per rule that flags it, in the
   * stage it is in (closed deals in the stage they closed from), so each waste's row sums to
   * the deal_count of its findings, as find_waste's by_waste does.
   */
  by_stage: Partial<Record<Stage, Partial<Record<Waste, number>>>>;
  deals_analyzed: number;
  open_deals: number;
  closed_deals: number;
  unsegmented_open_deals: number;
}

const DAY = 86_400_000;
const MONTH_DAYS = 365.25 / 12;
const days = (from: number, to: number) => Math.max(0, (to - from) / DAY);
const isoDay = (ms: number) => new Date(ms).toISOString().slice(0, 10);
const round1 = (n: number) => Math.round(n * 10) / 10;

interface RuleDef {
  waste: Waste;
  rule: string;
  label: string;
  threshold: string;
}

/**
 * Streams deals once and keeps only the flags (capped per rule), so memory stays bounded
 * however large the pipeline is.
 */
export function findPipelineWaste(
  m: Methodology,
  input: PipelineInput,
  opts: { as_of: Date; norms: StageNorms; max_flags_per_rule?: number },
): PipelineWasteReport {
  const p = m.wasteRules.pipeline;
  const asOf = opts.as_of.getTime();
  const cap = opts.max_flags_per_rule ?? 100;
  const qualifiedAfter = m.stageIndex(p.qualified_required_after);
  const singleAfter = m.stageIndex(p.single_threaded_after);
  const earlyStages = new Set<string>(p.early_stages);
  const silenceMax = Math.max(...Object.values(p.silence_days));

  const rules: Record<string, RuleDef> = {
    stalled: { waste: "overproduction", rule: "stalled_in_stage", label: "stuck in their current stage", threshold: `warn beyond ${p.stall_warn_multiplier}x and flag beyond ${p.stall_flag_multiplier}x the median days deals of the same tier spent in the stage (needs ${p.min_stage_exits_for_history} exits; before that the segment's cycle time spread over the stages)` },
    inflation: { waste: "overproduction", rule: "pipeline_inflation", label: "early in the funnel without a qualifying BANT, inflating the pipeline", threshold: `more than ${Math.round(p.inflation_unqualified_share * 100)}% of at least ${p.inflation_min_early_deals} open deals in ${p.early_stages.join("/")} without a qualifying BANT` },
    unqualified: { waste: "qualification_defects", rule: "advanced_unqualified", label: `past ${m.stage(p.qualified_required_after).name} without a qualifying BANT`, threshold: `stage after ${m.stage(p.qualified_required_after).name} and latest BANT verdict not "qualified"` },
    no_budget_timeline: { waste: "qualification_defects", rule: "no_budget_no_timeline", label: "pursued with budget and timeline both none", threshold: "BANT budget none and timeline none" },
    single: { waste: "qualification_defects", rule: "single_threaded", label: "single-threaded with no decision maker", threshold: `stage after ${m.stage(p.single_threaded_after).name}, at most 1 stakeholder and no decision maker` },
    silent: { waste: "waiting", rule: "no_recent_activity", label: "without activity for longer than their tier allows", threshold: `no activity for more than ${Object.entries(p.silence_days).map(([t, d]) => `${d} days (${t})`).join(", ")}` },
    overdue: { waste: "waiting", rule: "close_date_passed", label: "open past their expected close date", threshold: "expected_close_date before as_of" },
    handoffs: { waste: "motion", rule: "owner_handoffs", label: "handed between owners too often", threshold: `more than ${p.max_owner_handoffs} owner changes` },
    meetings: { waste: "motion", rule: "meetings_without_progress", label: "meeting repeatedly without a stage move", threshold: `more than ${p.max_meetings_without_stage_move} meetings in the current stage` },
    internal: { waste: "over_processing", rule: "internal_outweighs_customer", label: "with internal and approval work outweighing customer-facing work", threshold: `${p.internal_activity_types.join("+")} activities more than ${p.internal_to_customer_ratio}x the ${p.customer_facing_activity_types.join("/")} ones (at least ${p.min_internal_activities})` },
    proposals: { waste: "defects", rule: "proposal_rework", label: "with proposals re-sent or corrected", threshold: `more than ${p.max_proposals_per_stage} proposals in one stage, or a proposal noted as ${p.correction_signals.slice(0, 4).join("/")}...` },
    error_losses: { waste: "defects", rule: "loss_from_errors", label: "lost to errors in what we sent", threshold: `close reason mentions ${p.defect_reason_signals.slice(0, 4).join("/")}...` },
    no_reason: { waste: "unutilized_talent", rule: "closed_without_reason", label: "closed with no recorded reason, so nothing is learned", threshold: "won or lost with an empty close_reason" },
  };
  const flags = new Map<string, { count: number; high: number; list: DealFlag[] }>();
  const by_stage: PipelineWasteReport["by_stage"] = {};
  const countAt = (stage: Stage, waste: Waste, n = 1) => {
    const row = (by_stage[stage] ??= {});
    row[waste] = (row[waste] ?? 0) + n;
  };
  let current: Stage = m.stages[0]!.id;
  // Evidence is built only for the flags that are kept (a large pipeline flags many deals).
  const flag = (key: keyof typeof rules, deal_id: string, severity: Severity, evidenceOf: () => string) => {
    countAt(current, rules[key]!.waste);
    let f = flags.get(key);
    if (!f) flags.set(key, (f = { count: 0, high: 0, list: [] }));
    f.count++;
    if (severity === "high") f.high++;
    // Keep the most severe first when the cap is reached.
    if (f.list.length < cap) f.list.push({ deal_id, rule: rules[key]!.rule, severity, evidence: evidenceOf(), threshold: rules[key]!.threshold });
    else if (severity === "high" && f.high <= cap) {
      const i = f.list.findIndex((x) => x.severity !== "high");
      if (i >= 0) f.list[i] = { deal_id, rule: rules[key]!.rule, severity, evidence: evidenceOf(), threshold: rules[key]!.threshold };
    }
  };

  // The norm depends only on tier, readiness and stage: computed once per combination.
  const stageNames = new Map<string, string>(m.stages.map((s) => [s.id, s.name]));
  const stageIds = m.stages.map((s) => s.id);
  const baselines = new Map<string, ReturnType<typeof stageBaseline>>();
  let analyzed = 0;
  let open = 0;
  let closed = 0;
  let unsegmented = 0;
  let early = 0;
  const earlyUnqualified: string[] = [];
  const earlyUnqualifiedByStage = new Map<Stage, number>();

  // Closed deals, from the store's groups: every distinct reason is judged once.
  const closedFacts = input.closed;
  for (const g of closedFacts.without_reason.by_stage) countAt(g.stage, rules.no_reason!.waste, g.n);
  const withoutReason = closedFacts.without_reason.by_stage.reduce((a, g) => a + g.n, 0);
  if (withoutReason > 0) {
    flags.set("no_reason", {
      count: withoutReason,
      high: 0,
      list: closedFacts.without_reason.ids.slice(0, cap).map((id) => ({ deal_id: id, rule: rules.no_reason!.rule, severity: "medium", evidence: `${id} was closed without a reason.`, threshold: rules.no_reason!.threshold })),
    });
  }
  const defectReasons = new Map<string, string[]>();
  let errorLosses = 0;
  for (const g of closedFacts.lost_reasons) {
    let hits = defectReasons.get(g.reason);
    if (!hits) defectReasons.set(g.reason, (hits = matchSignals(g.reason, p.defect_reason_signals)));
    if (hits.length === 0) continue;
    errorLosses += g.n;
    countAt(g.stage, rules.error_losses!.waste, g.n);
  }
  if (errorLosses > 0) {
    const matched = [...defectReasons].filter(([, hits]) => hits.length > 0);
    const lost = input.lostDeals(matched.map(([r]) => r), cap);
    flags.set("error_losses", {
      count: errorLosses,
      high: errorLosses,
      list: lost.map(({ id, reason }) => ({
        deal_id: id,
        rule: rules.error_losses!.rule,
        severity: "high",
        evidence: `${id} was lost; its close reason mentions ${(defectReasons.get(reason) ?? []).map((h) => `"${h}"`).join(", ")}.`,
        threshold: rules.error_losses!.threshold,
      })),
    });
  }
  closed = closedFacts.total;
  analyzed = closedFacts.total;

  for (const d of input.open) {
    analyzed++;
    const stage = stageIds[d.stage_index]!;
    current = stage;
    open++;
    const inStage = days(d.stage_entered_ms, asOf);
    const stageName = stageNames.get(stage)!;

    // Overproduction: time in the current stage against the norm for the tier.
    const baseKey = `${d.tier}|${d.readiness}|${stage}`;
    let base = baselines.get(baseKey);
    if (base === undefined) baselines.set(baseKey, (base = stageBaseline(m, { tier: d.tier, readiness: d.readiness, stage }, opts.norms)));
    if (!base) unsegmented++;
    else if (inStage > base.days * p.stall_warn_multiplier) {
      const severe = inStage > base.days * p.stall_flag_multiplier;
      flag(
        "stalled",
        d.id,
        severe ? "high" : "medium",
        () => `${d.id} has been in ${stageName} ${round1(inStage)} days; ${base.source} is ${round1(base.days)} days, so ${severe ? "flag" : "warn"} beyond ${round1(base.days * (severe ? p.stall_flag_multiplier : p.stall_warn_multiplier))} days.`,
      );
    }
    const qualified = d.bant_verdict === "qualified";
    if (earlyStages.has(stage)) {
      early++;
      if (!qualified) {
        if (earlyUnqualified.length < 100_000) earlyUnqualified.push(d.id);
        earlyUnqualifiedByStage.set(stage, (earlyUnqualifiedByStage.get(stage) ?? 0) + 1);
      }
    }

    // Qualification defects.
    if (d.stage_index > qualifiedAfter && !qualified) {
      flag("unqualified", d.id, "high", () => `${d.id} is in ${stageName} with ${d.bant_verdict ? `BANT verdict "${d.bant_verdict}"` : "no BANT qualification recorded"}.`);
    }
    if (d.bant_budget === "none" && d.bant_timeline === "none") {
      flag("no_budget_timeline", d.id, "high", () => `${d.id} has budget none and timeline none but is still open in ${stageName}.`);
    }
    if (d.stage_index > singleAfter && d.stakeholders <= 1 && d.decision_makers === 0) {
      flag("single", d.id, "medium", () => `${d.id} is in ${stageName} with ${d.stakeholders} stakeholder${d.stakeholders === 1 ? "" : "s"} and no decision maker.`);
    }

    // Waiting.
    const lastTouch = d.last_activity_ms ?? d.stage_entered_ms;
    const silent = days(lastTouch, asOf);
    const allowed = d.tier ? p.silence_days[d.tier] : silenceMax;
    if (silent > allowed) {
      flag(
        "silent",
        d.id,
        silent > 2 * allowed ? "high" : "medium",
        () => `${d.id} has had no activity for ${Math.floor(silent)} days (${d.last_activity_ms !== null ? "since the last activity" : "none logged since entering the stage"}); the ${d.tier ?? "unknown-tier (widest)"} limit is ${allowed} days.`,
      );
    }
    // The expected close day has passed once its last millisecond is behind as_of.
    if (d.expected_close_ms !== null && d.expected_close_ms + DAY - 1 < asOf) {
      flag("overdue", d.id, "medium", () => `${d.id} expected to close on ${isoDay(d.expected_close_ms!)} and is still open.`);
    }

    // Motion.
    if (d.owner_changes > p.max_owner_handoffs) flag("handoffs", d.id, "medium", () => `${d.id} changed owner ${d.owner_changes} times (limit ${p.max_owner_handoffs}).`);
    if (d.meetings_in_stage > p.max_meetings_without_stage_move) {
      flag("meetings", d.id, "medium", () => `${d.id} had ${d.meetings_in_stage} meetings in ${stageName} without a stage move (limit ${p.max_meetings_without_stage_move}).`);
    }

    // Over-processing.
    const internal = d.internal_activities;
    const customer = d.customer_activities;
    if (internal >= p.min_internal_activities && internal > customer * p.internal_to_customer_ratio) {
      flag("internal", d.id, internal > 2 * Math.max(1, customer) ? "high" : "medium", () => `${d.id} has ${internal} internal/approval activities against ${customer} customer-facing ones.`);
    }

    // Defects.
    const corrections = d.proposal_notes ? matchSignals(d.proposal_notes, p.correction_signals) : [];
    if (d.proposals_in_stage > p.max_proposals_per_stage || corrections.length > 0) {
      flag(
        "proposals",
        d.id,
        "medium",
        () => `${d.id} has ${d.proposals_in_stage} proposals in ${stageName}${corrections.length ? `, noted as ${corrections.map((c) => `"${c}"`).join(", ")}` : ""} (limit ${p.max_proposals_per_stage}).`,
      );
    }
  }

  if (early >= p.inflation_min_early_deals && earlyUnqualified.length / early > p.inflation_unqualified_share) {
    const share = earlyUnqualified.length / early;
    const severity: Severity = share > 0.75 ? "high" : "medium";
    const r = rules.inflation!;
    for (const [stage, n] of earlyUnqualifiedByStage) countAt(stage, r.waste, n);
    const summary = `${earlyUnqualified.length} of ${early} open deals in ${p.early_stages.map((s) => m.stage(s).name).join(" and ")} (${Math.round(share * 100)}%) have no qualifying BANT`;
    flags.set("inflation", {
      count: earlyUnqualified.length,
      high: severity === "high" ? earlyUnqualified.length : 0,
      list: earlyUnqualified.slice(0, cap).map((id) => ({ deal_id: id, rule: r.rule, severity, evidence: `${id} is early-stage and unqualified; ${summary}.`, threshold: r.threshold })),
    });
  }

  const findings: PipelineFinding[] = [];
  for (const [key, f] of flags) {
    const r = rules[key]!;
    // The severe flags first, so a shortened list shows the deals to act on.
    f.list.sort((a, b) => (a.severity === b.severity ? 0 : a.severity === "high" ? -1 : 1));
    const w = m.waste(r.waste);
    const severity: Severity = f.high > 0 ? "high" : "medium";
    findings.push({
      waste: r.waste,
      name: w.name,
      rule: r.rule,
      severity,
      threshold: r.threshold,
      deal_count: f.count,
      evidence: `${f.count} deal${f.count === 1 ? "" : "s"} ${r.label}${f.high ? ` (${f.high} severe)` : ""}. Threshold: ${r.threshold}.`,
      deal_ids: f.list.map((x) => x.deal_id),
      flags: f.list,
      remedy: w.elimination,
    });
  }
  const order = new Map(m.wastes.map((w, i) => [w.id, i]));
  findings.sort((a, b) => (a.severity === b.severity ? order.get(a.waste)! - order.get(b.waste)! : a.severity === "high" ? -1 : 1));
  return { findings, by_stage, deals_analyzed: analyzed, open_deals: open, closed_deals: closed, unsegmented_open_deals: unsegmented };
}

/** The days a deal may spend in its stage before it counts as late, and where that number comes from. */
export function stageBaseline(m: Methodology, d: { tier: Tier | null; readiness: string | null; stage: Stage }, norms: StageNorms): { days: number; source: string } | null {
  const p = m.wasteRules.pipeline;
  if (!d.tier) return null;
  const norm = norms.get(normKey(d.tier, d.stage));
  if (norm && norm.exits >= p.min_stage_exits_for_history) {
    return { days: norm.median_days, source: `the median for ${d.tier} deals (${norm.exits} left ${m.stage(d.stage).name})` };
  }
  const share = m.stage(d.stage).cycle_share;
  if (share === null) return null;
  // Without history: the segment's cycle time (its upper bound) spread over the stages.
  const readiness = (d.readiness ?? "ready") as "ready" | "exploring" | "not_ready";
  const seg = m.segment(d.tier, readiness);
  return { days: seg.cycle_time_months.max * MONTH_DAYS * share, source: `${seg.label}'s ${seg.cycle_time_months.max}-month cycle time x ${share} for this stage` };
}
