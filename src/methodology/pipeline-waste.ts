// The seven wastes found in a stored pipeline. Pure: the store streams one fact row per deal
// and the stage-time norms; every threshold comes from data/wastes.json (pipeline, this server's
// defaults) and the segmentation matrix, and every finding names the threshold it crossed and
// whose it is. The same per-deal rules judge one deal before a stage move (dealWarnings), so
// the gate and the waste analysis never disagree.
// Reference: "Seven Forms of Waste in Sales"; Area 1 "Time Targets"; Overproduction's
// "Deals stuck in same stage for months"; Waiting's "Long periods between initial contact and follow-up".
import type { Methodology } from "./load.js";
import type { Stage, Tier, Waste } from "./schema.js";
import { matchSignals, type Severity, type WasteFinding } from "./waste.js";

/** One open deal, as the store keeps it (dates as epoch milliseconds). */
export interface DealFacts {
  id: string;
  owner: string;
  amount: number | null;
  currency: string;
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
  without_reason: { by_stage: Array<{ stage: Stage; n: number }>; ids: string[]; owners?: string[] };
  /** Lost deals with a reason: each distinct reason (trimmed, lower case) by stage. */
  lost_reasons: Array<{ reason: string; stage: Stage; n: number }>;
}

export interface PipelineInput {
  /** Open deals; a source may refill one object per row, so nothing here keeps a row. */
  open: Iterable<DealFacts>;
  closed: ClosedFacts;
  /** Up to `limit` lost deals whose reason is one of `reasons`, with that reason. */
  lostDeals(reasons: string[], limit: number): Array<{ id: string; reason: string; owner?: string }>;
  /** Deals parked in nurture whose revisit date has come (a sample and the total). */
  nurtureDue?: NurtureDue;
}

/** Parked deals due for a revisit: a sample, the total and the count per stage. */
export interface NurtureDue {
  deals: Array<{ id: string; owner: string; revisit_on: string }>;
  total: number;
  by_stage: Array<{ stage: Stage; n: number }>;
}

/** Observed time deals of a tier spent in a stage: median days and how many left it. */
export type StageNorms = Map<string, { median_days: number; exits: number }>;
export const normKey = (tier: string, stage: string) => `${tier}:${stage}`;

export interface DealFlag {
  deal_id: string;
  owner?: string;
  /** The deal's open value, when it has one. */
  amount?: number;
  currency?: string;
  severity: Severity;
  evidence: string;
}

export interface PipelineFinding extends WasteFinding {
  rule: string;
  threshold: string;
  deal_count: number;
  /** Open value of the flagged deals, per currency (what is at stake). */
  value_at_stake: Record<string, number>;
  flags: DealFlag[];
}

/** What an analysis says of open deals without a tier (their time in stage is not judged). */
export function unsegmentedNote(n: number): string {
  return `${n} open deal${n === 1 ? " has" : "s have"} no tier, so their time in stage was not judged (classify_segment fixes that)`;
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

/** A rule a single deal can break, as advance_stage reports it. */
export interface DealWarning {
  rule: string;
  waste: Waste;
  name: string;
  severity: Severity;
  evidence: string;
  threshold: string;
}

const DAY = 86_400_000;
const MONTH_DAYS = 365.25 / 12;
const days = (from: number, to: number) => Math.max(0, (to - from) / DAY);
const isoDay = (ms: number) => new Date(ms).toISOString().slice(0, 10);
const round1 = (n: number) => Math.round(n * 10) / 10;

interface RuleDef {
  waste: Waste;
  /** The elimination approach that fixes what this rule finds. */
  remedy: string;
  rule: string;
  label: string;
  threshold: string;
}

type RuleKey =
  | "stalled"
  | "inflation"
  | "unqualified"
  | "no_budget_timeline"
  | "single"
  | "silent"
  | "overdue"
  | "nurture_due"
  | "handoffs"
  | "meetings"
  | "internal"
  | "proposals"
  | "error_losses"
  | "no_reason";

/** The rules with their wording and thresholds, built once per methodology. */
const ruleCache = new WeakMap<Methodology, Record<RuleKey, RuleDef>>();
export function pipelineRules(m: Methodology): Record<RuleKey, RuleDef> {
  let rules = ruleCache.get(m);
  if (rules) return rules;
  const p = m.wasteRules.pipeline;
  const own = m.sourceName("wastes.pipeline");
  const qualStage = m.stage(m.qualification.qualification_stage.stage).name;
  // The active framework's name; a verdict recorded under an earlier framework still counts.
  const fw = m.qualification.name;
  const defs: Record<RuleKey, Omit<RuleDef, "waste" | "remedy">> = {
    stalled: {
      rule: "stalled_in_stage",
      label: "stuck in their current stage",
      threshold: `over ${p.stall_warn_multiplier}x (warn) or ${p.stall_flag_multiplier}x (flag) the tier's median days in the stage (from ${p.min_stage_exits_for_history} exits; before that, the segment's cycle over the stages)`,
    },
    inflation: {
      rule: "pipeline_inflation",
      label: `early in the funnel without a qualifying ${fw}, inflating the pipeline`,
      threshold: `more than ${Math.round(p.inflation_unqualified_share * 100)}% of at least ${p.inflation_min_early_deals} open deals in ${p.early_stages.join("/")} without a qualifying ${fw}`,
    },
    unqualified: {
      rule: "advanced_unqualified",
      label: `past ${qualStage} without a qualifying ${fw}`,
      threshold: `stage after ${qualStage} (whose success metric is a qualified opportunity) and latest ${fw} verdict not "qualified"`,
    },
    no_budget_timeline: {
      rule: "no_budget_no_timeline",
      label: "pursued with budget and timeline both none",
      threshold: `${fw} budget none and timeline none`,
    },
    single: {
      rule: "single_threaded",
      label: "single-threaded with no decision maker",
      threshold: `stage after ${m.stage(p.single_threaded_after).name}, at most 1 stakeholder and no decision maker`,
    },
    silent: {
      rule: "no_recent_activity",
      label: "without activity beyond the silence limit for their tier",
      threshold: `no activity for more than ${Object.entries(p.silence_days)
        .map(([t, d]) => `${d} days (${t})`)
        .join(", ")}`,
    },
    overdue: {
      rule: "close_date_passed",
      label: "open past their expected close date",
      threshold: "expected_close_date before as_of",
    },
    nurture_due: {
      rule: "nurture_due",
      label: "parked in nurture and due for a fresh look",
      threshold: "revisit_on on or before as_of",
    },
    handoffs: {
      rule: "owner_handoffs",
      label: "handed between owners too often",
      threshold: `more than ${p.max_owner_handoffs} owner changes`,
    },
    meetings: {
      rule: "meetings_without_progress",
      label: "meeting repeatedly without a stage move",
      threshold: `more than ${p.max_meetings_without_stage_move} meetings in the current stage`,
    },
    internal: {
      rule: "internal_outweighs_customer",
      label: "with internal and approval work outweighing customer-facing work",
      threshold: `${p.internal_activity_types.join("+")} activities more than ${p.internal_to_customer_ratio}x the ${p.customer_facing_activity_types.join("/")} ones (at least ${p.min_internal_activities})`,
    },
    proposals: {
      rule: "proposal_rework",
      label: "with proposals re-sent or corrected",
      threshold: `more than ${p.max_proposals_per_stage} proposals in one stage, or a proposal noted as ${p.correction_signals.slice(0, 4).join("/")}...`,
    },
    error_losses: {
      rule: "loss_from_errors",
      label: "lost to errors in what we sent",
      threshold: `close reason mentions ${p.defect_reason_signals.slice(0, 4).join("/")}...`,
    },
    no_reason: {
      rule: "closed_without_reason",
      label: "closed with no recorded reason, so nothing is learned",
      threshold: "won or lost with an empty close_reason",
    },
  };
  rules = Object.fromEntries(
    Object.entries(defs).map(([k, d]) => {
      const r = p.rules[d.rule]!;
      return [
        k,
        { ...d, waste: r.waste, remedy: m.waste(r.waste).elimination[r.remedy]!, threshold: `${d.threshold} (${own})` },
      ];
    }),
  ) as Record<RuleKey, RuleDef>;
  ruleCache.set(m, rules);
  return rules;
}

interface Hit {
  key: RuleKey;
  severity: Severity;
  evidence: () => string;
}

/** Per-call state the deal rules share: the stage-time baselines per tier, readiness and stage. */
interface JudgeState {
  asOf: number;
  norms: StageNorms;
  baselines: Map<string, { days: number; source: string } | null>;
}

/** Every per-deal rule the deal breaks (pipeline inflation is judged over the whole pipeline). */
function judgeDeal(m: Methodology, d: DealFacts, st: JudgeState, hits: Hit[]): { unsegmented: boolean } {
  const stageName = m.stages[d.stage_index]!.name;
  const unsegmented = judgeStall(m, d, st, hits);
  judgeQualification(m, d, stageName, hits);
  judgeWaiting(m, d, st, hits);
  judgeMotion(m, d, stageName, hits);
  judgeOverProcessing(m, d, hits);
  judgeDefects(m, d, stageName, hits);
  return { unsegmented };
}

/**
 * Overproduction: time in the current stage against the norm for the tier. Returns true when the
 * deal has no baseline (no tier), so it cannot be judged.
 */
function judgeStall(m: Methodology, d: DealFacts, st: JudgeState, hits: Hit[]): boolean {
  const p = m.wasteRules.pipeline;
  const stage = m.stages[d.stage_index]!;
  const inStage = days(d.stage_entered_ms, st.asOf);
  const baseKey = `${d.tier}|${d.readiness}|${stage.id}`;
  let base = st.baselines.get(baseKey);
  if (base === undefined)
    st.baselines.set(
      baseKey,
      (base = stageBaseline(m, { tier: d.tier, readiness: d.readiness, stage: stage.id }, st.norms)),
    );
  if (!base) return true;
  if (inStage > base.days * p.stall_warn_multiplier) {
    const severe = inStage > base.days * p.stall_flag_multiplier;
    const b = base;
    hits.push({
      key: "stalled",
      severity: severe ? "high" : "medium",
      evidence: () =>
        `${d.id} has been in ${stage.name} ${round1(inStage)} days; ${b.source} is ${round1(b.days)} days, so ${severe ? "flag" : "warn"} beyond ${round1(b.days * (severe ? p.stall_flag_multiplier : p.stall_warn_multiplier))} days.`,
    });
  }
  return false;
}

/** Qualification defects: past qualification without a qualifying verdict, no budget and no timeline, single-threaded. */
function judgeQualification(m: Methodology, d: DealFacts, stageName: string, hits: Hit[]): void {
  const p = m.wasteRules.pipeline;
  const qualified = d.bant_verdict === "qualified";
  if (d.stage_index > m.stageIndex(m.qualification.qualification_stage.stage) && !qualified) {
    hits.push({
      key: "unqualified",
      severity: "high",
      evidence: () =>
        `${d.id} is in ${stageName} with ${d.bant_verdict ? `${m.qualification.name} verdict "${d.bant_verdict}"` : `no ${m.qualification.name} qualification recorded`}.`,
    });
  }
  if (d.bant_budget === "none" && d.bant_timeline === "none") {
    hits.push({
      key: "no_budget_timeline",
      severity: "high",
      evidence: () => `${d.id} has budget none and timeline none but is still open in ${stageName}.`,
    });
  }
  if (d.stage_index > m.stageIndex(p.single_threaded_after) && d.stakeholders <= 1 && d.decision_makers === 0) {
    hits.push({
      key: "single",
      severity: "medium",
      evidence: () =>
        `${d.id} is in ${stageName} with ${d.stakeholders} stakeholder${d.stakeholders === 1 ? "" : "s"} and no decision maker.`,
    });
  }
}

/** Waiting: silent beyond the tier's limit, or open past the expected close day. */
function judgeWaiting(m: Methodology, d: DealFacts, st: JudgeState, hits: Hit[]): void {
  const p = m.wasteRules.pipeline;
  const lastTouch = d.last_activity_ms ?? d.stage_entered_ms;
  const silent = days(lastTouch, st.asOf);
  const allowed = d.tier ? p.silence_days[d.tier] : Math.max(...Object.values(p.silence_days));
  if (silent > allowed) {
    hits.push({
      key: "silent",
      severity: silent > 2 * allowed ? "high" : "medium",
      evidence: () =>
        `${d.id} has had no activity for ${Math.floor(silent)} days (${d.last_activity_ms !== null ? "since the last activity" : "none logged since entering the stage"}); the ${d.tier ?? "unknown-tier (widest)"} limit is ${allowed} days.`,
    });
  }
  // The expected close day has passed once its last millisecond is behind as_of.
  if (d.expected_close_ms !== null && d.expected_close_ms + DAY - 1 < st.asOf) {
    hits.push({
      key: "overdue",
      severity: "medium",
      evidence: () => `${d.id} expected to close on ${isoDay(d.expected_close_ms!)} and is still open.`,
    });
  }
}

/** Motion: too many owner handoffs, or meetings without a stage move. */
function judgeMotion(m: Methodology, d: DealFacts, stageName: string, hits: Hit[]): void {
  const p = m.wasteRules.pipeline;
  if (d.owner_changes > p.max_owner_handoffs)
    hits.push({
      key: "handoffs",
      severity: "medium",
      evidence: () => `${d.id} changed owner ${d.owner_changes} times (limit ${p.max_owner_handoffs}).`,
    });
  if (d.meetings_in_stage > p.max_meetings_without_stage_move) {
    hits.push({
      key: "meetings",
      severity: "medium",
      evidence: () =>
        `${d.id} had ${d.meetings_in_stage} meetings in ${stageName} without a stage move (limit ${p.max_meetings_without_stage_move}).`,
    });
  }
}

/** Over-processing: internal and approval work outweighing customer-facing work. */
function judgeOverProcessing(m: Methodology, d: DealFacts, hits: Hit[]): void {
  const p = m.wasteRules.pipeline;
  const internal = d.internal_activities;
  const customer = d.customer_activities;
  if (internal >= p.min_internal_activities && internal > customer * p.internal_to_customer_ratio) {
    hits.push({
      key: "internal",
      severity: internal > 2 * Math.max(1, customer) ? "high" : "medium",
      evidence: () => `${d.id} has ${internal} internal/approval activities against ${customer} customer-facing ones.`,
    });
  }
}

/** Defects: proposals re-sent in one stage, or noted as corrected. */
function judgeDefects(m: Methodology, d: DealFacts, stageName: string, hits: Hit[]): void {
  const p = m.wasteRules.pipeline;
  const corrections = d.proposal_notes ? matchSignals(d.proposal_notes, p.correction_signals) : [];
  if (d.proposals_in_stage > p.max_proposals_per_stage || corrections.length > 0) {
    hits.push({
      key: "proposals",
      severity: "medium",
      evidence: () =>
        `${d.id} has ${d.proposals_in_stage} proposals in ${stageName}${corrections.length ? `, noted as ${corrections.map((c) => `"${c}"`).join(", ")}` : ""} (limit ${p.max_proposals_per_stage}).`,
    });
  }
}

/** The pipeline rules one deal breaks as things stand (e.g. right after a stage move). */
export function dealWarnings(m: Methodology, d: DealFacts, opts: { as_of: Date; norms: StageNorms }): DealWarning[] {
  const hits: Hit[] = [];
  judgeDeal(m, d, { asOf: opts.as_of.getTime(), norms: opts.norms, baselines: new Map() }, hits);
  const rules = pipelineRules(m);
  return hits.map((h) => {
    const r = rules[h.key];
    return {
      rule: r.rule,
      waste: r.waste,
      name: m.waste(r.waste).name,
      severity: h.severity,
      evidence: h.evidence(),
      threshold: r.threshold,
    };
  });
}

interface Tally {
  count: number;
  high: number;
  value: Record<string, number>;
  list: DealFlag[];
}

/**
 * The running totals of one analysis: a tally per rule (in the order the rules first fire) and the
 * flags per stage and waste.
 */
interface Tallies {
  rules: Map<RuleKey, Tally>;
  by_stage: PipelineWasteReport["by_stage"];
  cap: number;
}

function tallyOf(acc: Tallies, key: RuleKey): Tally {
  let t = acc.rules.get(key);
  if (!t) acc.rules.set(key, (t = { count: 0, high: 0, value: {}, list: [] }));
  return t;
}

function countAt(acc: Tallies, stage: Stage, waste: Waste, n = 1): void {
  const row = (acc.by_stage[stage] ??= {});
  row[waste] = (row[waste] ?? 0) + n;
}

/** Open deals in the early stages, and those of them without a qualifying verdict (for pipeline inflation). */
interface EarlyStages {
  deals: number;
  unqualified: Array<{ id: string; owner: string }>;
  unqualifiedByStage: Map<Stage, number>;
  value: Record<string, number>;
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
  const rules = pipelineRules(m);
  const acc: Tallies = { rules: new Map(), by_stage: {}, cap: opts.max_flags_per_rule ?? 100 };
  // Closed deals, from the store's groups: every distinct reason is judged once.
  const closedFacts = input.closed;
  tallyClosedWithoutReason(closedFacts, rules, acc);
  tallyErrorLosses(m, input, rules, acc);
  tallyNurtureDue(input, rules, acc);
  const st: JudgeState = { asOf: opts.as_of.getTime(), norms: opts.norms, baselines: new Map() };
  const { open, unsegmented, early } = tallyOpenDeals(m, input.open, st, rules, acc);
  tallyInflation(m, early, rules, acc);
  const findings = toFindings(m, rules, acc);
  findings.sort(byImpact(m.segmentation.tier_thresholds.currency));
  return {
    findings,
    by_stage: acc.by_stage,
    deals_analyzed: closedFacts.total + open,
    open_deals: open,
    closed_deals: closedFacts.total,
    unsegmented_open_deals: unsegmented,
  };
}

/** Won or lost deals closed without a reason. */
function tallyClosedWithoutReason(closedFacts: ClosedFacts, rules: Record<RuleKey, RuleDef>, acc: Tallies): void {
  for (const g of closedFacts.without_reason.by_stage) countAt(acc, g.stage, rules.no_reason.waste, g.n);
  const withoutReason = closedFacts.without_reason.by_stage.reduce((a, g) => a + g.n, 0);
  if (withoutReason > 0) {
    const t = tallyOf(acc, "no_reason");
    t.count = withoutReason;
    const owners = closedFacts.without_reason.owners ?? [];
    t.list = closedFacts.without_reason.ids.slice(0, acc.cap).map((id, i) => ({
      deal_id: id,
      ...(owners[i] ? { owner: owners[i] } : {}),
      severity: "medium" as const,
      evidence: `${id} was closed without a reason.`,
    }));
  }
}

/** Lost deals whose close reason names an error in what we sent. */
function tallyErrorLosses(m: Methodology, input: PipelineInput, rules: Record<RuleKey, RuleDef>, acc: Tallies): void {
  const p = m.wasteRules.pipeline;
  const defectReasons = new Map<string, string[]>();
  let errorLosses = 0;
  for (const g of input.closed.lost_reasons) {
    let found = defectReasons.get(g.reason);
    if (!found) defectReasons.set(g.reason, (found = matchSignals(g.reason, p.defect_reason_signals)));
    if (found.length === 0) continue;
    errorLosses += g.n;
    countAt(acc, g.stage, rules.error_losses.waste, g.n);
  }
  if (errorLosses > 0) {
    const matched = [...defectReasons].filter(([, f]) => f.length > 0);
    const t = tallyOf(acc, "error_losses");
    t.count = errorLosses;
    t.high = errorLosses;
    t.list = input
      .lostDeals(
        matched.map(([r]) => r),
        acc.cap,
      )
      .map(({ id, reason, owner }) => ({
        deal_id: id,
        ...(owner ? { owner } : {}),
        severity: "high" as const,
        evidence: `${id} was lost; its close reason mentions ${(defectReasons.get(reason) ?? []).map((h) => `"${h}"`).join(", ")}.`,
      }));
  }
}

/** Parked deals whose revisit date has come: back on the list to act on. */
function tallyNurtureDue(input: PipelineInput, rules: Record<RuleKey, RuleDef>, acc: Tallies): void {
  if (input.nurtureDue && input.nurtureDue.total > 0) {
    const t = tallyOf(acc, "nurture_due");
    t.count = input.nurtureDue.total;
    for (const g of input.nurtureDue.by_stage) countAt(acc, g.stage, rules.nurture_due.waste, g.n);
    t.list = input.nurtureDue.deals.slice(0, acc.cap).map((n) => ({
      deal_id: n.id,
      owner: n.owner,
      severity: "medium" as const,
      evidence: `${n.id} was parked in nurture until ${n.revisit_on}: requalify it or close it.`,
    }));
  }
}

/** Every open deal through the per-deal rules, counting the early-stage ones for pipeline inflation. */
function tallyOpenDeals(
  m: Methodology,
  deals: Iterable<DealFacts>,
  st: JudgeState,
  rules: Record<RuleKey, RuleDef>,
  acc: Tallies,
): { open: number; unsegmented: number; early: EarlyStages } {
  const earlyStages = new Set<string>(m.wasteRules.pipeline.early_stages);
  const early: EarlyStages = { deals: 0, unqualified: [], unqualifiedByStage: new Map(), value: {} };
  const hits: Hit[] = [];
  let open = 0;
  let unsegmented = 0;
  for (const d of deals) {
    open++;
    const stage = m.stages[d.stage_index]!.id;
    hits.length = 0;
    if (judgeDeal(m, d, st, hits).unsegmented) unsegmented++;
    for (const h of hits) {
      countAt(acc, stage, rules[h.key].waste);
      flagDeal(tallyOf(acc, h.key), d, h, acc.cap);
    }
    if (earlyStages.has(stage)) {
      early.deals++;
      if (d.bant_verdict !== "qualified") {
        if (early.unqualified.length < 100_000) early.unqualified.push({ id: d.id, owner: d.owner });
        early.unqualifiedByStage.set(stage, (early.unqualifiedByStage.get(stage) ?? 0) + 1);
        if (d.amount !== null) early.value[d.currency] = (early.value[d.currency] ?? 0) + d.amount;
      }
    }
  }
  return { open, unsegmented, early };
}

/** Counts one rule an open deal breaks, and keeps its flag while under the cap (the most severe first). */
function flagDeal(t: Tally, d: DealFacts, h: Hit, cap: number): void {
  t.count++;
  if (h.severity === "high") t.high++;
  if (d.amount !== null) t.value[d.currency] = (t.value[d.currency] ?? 0) + d.amount;
  // Keep the most severe first when the cap is reached; evidence only for flags that are kept.
  const flag = () => ({
    deal_id: d.id,
    owner: d.owner,
    ...(d.amount !== null ? { amount: d.amount, currency: d.currency } : {}),
    severity: h.severity,
    evidence: h.evidence(),
  });
  if (t.list.length < cap) t.list.push(flag());
  else if (h.severity === "high" && t.high <= cap) {
    const i = t.list.findIndex((x) => x.severity !== "high");
    if (i >= 0) t.list[i] = flag();
  }
}

/** Pipeline inflation: too large a share of the early-stage deals without a qualifying verdict. */
function tallyInflation(m: Methodology, early: EarlyStages, rules: Record<RuleKey, RuleDef>, acc: Tallies): void {
  const p = m.wasteRules.pipeline;
  const unqualified = early.unqualified;
  if (early.deals >= p.inflation_min_early_deals && unqualified.length / early.deals > p.inflation_unqualified_share) {
    const share = unqualified.length / early.deals;
    const severity: Severity = share > 0.75 ? "high" : "medium";
    const r = rules.inflation;
    for (const [stage, n] of early.unqualifiedByStage) countAt(acc, stage, r.waste, n);
    const summary = `${unqualified.length} of ${early.deals} open deals in ${p.early_stages.map((s) => m.stage(s).name).join(" and ")} (${Math.round(share * 100)}%) have no qualifying ${m.qualification.name}`;
    const t = tallyOf(acc, "inflation");
    t.count = unqualified.length;
    t.high = severity === "high" ? unqualified.length : 0;
    t.value = early.value;
    t.list = unqualified.slice(0, acc.cap).map(({ id, owner }) => ({
      deal_id: id,
      owner,
      severity,
      evidence: `${id} is early-stage and unqualified; ${summary}.`,
    }));
  }
}

/** One finding per rule that fired, its flags in the order to act on them (not yet sorted by impact). */
function toFindings(m: Methodology, rules: Record<RuleKey, RuleDef>, acc: Tallies): PipelineFinding[] {
  const findings: PipelineFinding[] = [];
  for (const [key, t] of acc.rules) {
    const r = rules[key];
    // The deals to act on first: severe flags, then the most open value, so a shortened list still shows them.
    t.list.sort((a, b) =>
      a.severity === b.severity ? (b.amount ?? 0) - (a.amount ?? 0) : a.severity === "high" ? -1 : 1,
    );
    const w = m.waste(r.waste);
    findings.push({
      waste: r.waste,
      name: w.name,
      rule: r.rule,
      severity: t.high > 0 ? "high" : "medium",
      threshold: r.threshold,
      deal_count: t.count,
      value_at_stake: t.value,
      evidence: `${t.count} deal${t.count === 1 ? "" : "s"} ${r.label}${t.high ? ` (${t.high} severe)` : ""}.`,
      deal_ids: t.list.map((x) => x.deal_id),
      flags: t.list,
      // The approach that fits this rule first, then the waste's others.
      remedy: [r.remedy, ...w.elimination.filter((e) => e !== r.remedy)],
    });
  }
  return findings;
}

/**
 * Impact first: the open value at stake (in the main currency, then in all), then severity,
 * then how many deals; what a manager should fix first comes first.
 */
export function byImpact(currency: string) {
  const total = (f: PipelineFinding) => Object.values(f.value_at_stake).reduce((a, v) => a + v, 0);
  return (a: PipelineFinding, b: PipelineFinding) =>
    (b.value_at_stake[currency] ?? 0) - (a.value_at_stake[currency] ?? 0) ||
    total(b) - total(a) ||
    (a.severity === b.severity ? 0 : a.severity === "high" ? -1 : 1) ||
    b.deal_count - a.deal_count;
}

/** The days a deal may spend in its stage before it counts as late, and where that number comes from. */
export function stageBaseline(
  m: Methodology,
  d: { tier: Tier | null; readiness: string | null; stage: Stage },
  norms: StageNorms,
): { days: number; source: string } | null {
  const p = m.wasteRules.pipeline;
  if (!d.tier) return null;
  const norm = norms.get(normKey(d.tier, d.stage));
  if (norm && norm.exits >= p.min_stage_exits_for_history) {
    return {
      days: norm.median_days,
      source: `the median for ${d.tier} deals (${norm.exits} left ${m.stage(d.stage).name})`,
    };
  }
  const share = m.stage(d.stage).cycle_share;
  if (share === null) return null;
  // Without history: the segment's cycle time (its upper bound) spread over the stages.
  const readiness = (d.readiness ?? "unknown") as "ready" | "exploring" | "not_ready" | "unknown";
  const seg = m.segment(d.tier, readiness);
  return {
    days: seg.cycle_time_months.max * MONTH_DAYS * share,
    source: `${seg.label}'s ${seg.cycle_time_months.max}-month cycle time (${seg.source}) x ${share} for this stage (${m.sourceName(`stages.stages[${m.stageIndex(d.stage)}].cycle_share`)})`,
  };
}
