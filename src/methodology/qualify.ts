// Qualification under the active framework (BANT by default; MEDDICC, SPICED, CHAMP or a team's
// own). Reference: Area 2 "Smart Qualification" (BANT, "or similar" in Phase 1), the Not Ready
// profile of the segmentation model ("pre-sales nurture candidates"), waste 5 "Defects in
// Qualification". Statuses, weights, bands, disqualifiers and nurture triggers are this server's
// defaults or the team's (data/qualification.json); the reasons say so.
import type { Methodology } from "./load.js";
import { SignalId, type SignalName, type Stage, type Tier } from "./schema.js";

/** A status per dimension of the active framework, keyed by its dimension ids. */
export type QualificationStatuses = Record<string, string>;

/** One dimension as a call gives it; the extras exist on the dimensions that speak to a signal. */
export interface DimensionInput {
  status: string;
  note?: string;
  amount?: number;
  currency?: string;
  pain_points?: string[];
  decision_date?: string;
  months?: number;
}
export type QualifyInput = Record<string, DimensionInput | undefined>;

/** A deal's last recorded qualification: its framework and statuses. */
export interface PriorQualification {
  framework: string;
  statuses: Partial<QualificationStatuses>;
  recorded_at?: string;
}

/** What is known beyond this call: the deal's stage and its last recorded qualification. */
export interface QualifyContext {
  stage?: Stage;
  prior?: PriorQualification;
  tier?: Tier | null;
}

export type Verdict = "qualified" | "needs_discovery" | "nurture" | "disqualified";

export interface DimensionResult {
  status: string;
  score: number;
  qualifying: boolean;
  finding: string;
}

export interface Qualification {
  /** The framework's id and name. */
  framework: { id: string; name: string };
  verdict: Verdict;
  score: number;
  band: string;
  dimensions: Record<string, DimensionResult>;
  gaps: string[];
  disqualifiers: string[];
  nurture_triggers: string[];
  next_questions: string[];
  recommended_action: string;
  reasons: string[];
}

/**
 * The statuses to judge: what this call says, else what the deal last recorded, else unknown.
 * Silence never replaces a known status, and neither does an explicit `unknown` (it says
 * nothing new); any other status sent replaces the recorded one.
 */
export function mergeStatuses(
  m: Methodology,
  input: QualifyInput,
  prior: Partial<QualificationStatuses> = {},
): { statuses: QualificationStatuses; kept: string[] } {
  const statuses: QualificationStatuses = {};
  const kept: string[] = [];
  for (const d of m.qualification.dimensions) {
    const sent = input[d.id]?.status;
    // A status the framework no longer lists (the team changed it) counts as unknown.
    const before = d.statuses.some((s) => s.id === prior[d.id]) ? prior[d.id] : undefined;
    const known = before !== undefined && before !== "unknown";
    if (sent !== undefined && (sent !== "unknown" || !known)) statuses[d.id] = sent;
    else {
      statuses[d.id] = before ?? "unknown";
      if (known)
        kept.push(
          `${d.name} stays "${before}" as last recorded (${sent === "unknown" ? '"unknown" adds nothing new' : "not mentioned in this call"}).`,
        );
    }
  }
  return { statuses, kept };
}

/** The statuses a qualification input implies: a dimension left out counts as `unknown`. */
export function qualificationStatuses(m: Methodology, input: QualifyInput): QualificationStatuses {
  return mergeStatuses(m, input).statuses;
}

/** Weighted 0..100 score. Monotonic: a better status in any dimension never lowers it. */
export function qualificationScore(m: Methodology, statuses: QualificationStatuses): number {
  let total = 0;
  let weights = 0;
  for (const d of m.qualification.dimensions) {
    const status = d.statuses.find((s) => s.id === statuses[d.id])!;
    total += d.weight * status.score;
    weights += d.weight;
  }
  return Math.round(total / weights);
}

const matches = (when: Record<string, string[]>, statuses: QualificationStatuses) =>
  Object.entries(when).every(([dim, list]) => list.includes(statuses[dim]!));

/**
 * The four buying signals (budget, authority, need, timeline, in BANT's values) the statuses
 * speak to under the active framework; null where the framework cannot say (SPICED has no budget).
 * Readiness, the waste rules, lead scoring and the store's signal columns read these.
 */
export function signalsOf(m: Methodology, statuses: Partial<QualificationStatuses>): Record<SignalName, string | null> {
  const out = {} as Record<SignalName, string | null>;
  for (const signal of SignalId.options) {
    const s = m.qualification.signals[signal];
    const status = s.dimension === null ? undefined : statuses[s.dimension];
    out[signal] = status === undefined ? null : (s.statuses?.[status] ?? status);
  }
  return out;
}

/** The dimension of the active framework that speaks to a signal, if any. */
export function signalDimension(m: Methodology, signal: SignalName): string | null {
  return m.qualification.signals[signal].dimension;
}

/** Why the active framework cannot tell a signal (null when it can). */
export function signalGap(m: Methodology, signal: SignalName): string | null {
  const s = m.qualification.signals[signal];
  return s.dimension === null ? (s.why ?? `${m.qualification.name} has no ${signal} dimension.`) : null;
}

/**
 * The methodology as if another of its frameworks were the active one (e.g. the demo, whose
 * deals carry BANT statuses, under a team that qualifies with MEDDICC); undefined if it has none by that id.
 */
export function underFramework(m: Methodology, id: string): Methodology | undefined {
  if (m.qualification.id === id) return m;
  const i = m.frameworks.findIndex((f) => f.id === id);
  if (i < 0) return undefined;
  const fw = m.frameworks[i]!;
  const dims = new Map(fw.dimensions.map((d) => [d.id, d]));
  return {
    ...m,
    qualification: {
      ...fw,
      path: `qualification.frameworks[${i}]`,
      qualification_stage: m.qualification.qualification_stage,
      actions: m.qualification.actions,
    },
    qualificationDimension: (d) => dims.get(d)!,
  };
}

/**
 * A recorded qualification in a line: "BANT needs_discovery; gaps: budget unknown, timeline none".
 * The gaps are named only under the active framework (another framework's statuses are not judged).
 */
export function qualificationNote(
  m: Methodology,
  q: { framework: string; verdict: string; statuses: Partial<QualificationStatuses> },
): string {
  const name = m.frameworks.find((f) => f.id === q.framework)?.name ?? q.framework;
  if (q.framework !== m.qualification.id)
    return `${name} ${q.verdict}, not yet qualified under ${m.qualification.name}`;
  const gaps = m.qualification.dimensions
    .filter((d) => !d.statuses.find((s) => s.id === q.statuses[d.id])?.qualifying)
    .map((d) => `${d.id} ${q.statuses[d.id] ?? "unknown"}`);
  return `${name} ${q.verdict}; gaps: ${gaps.join(", ")}`;
}

/** The highest band the score reaches among those that admit the verdict. */
export function bandFor(m: Methodology, score: number, verdict: Verdict): string {
  const allowed = m.qualification.score_bands.filter((b) => b.verdicts.includes(verdict)).sort((a, b) => b.min - a.min);
  return (allowed.find((b) => score >= b.min) ?? allowed[allowed.length - 1]!).label;
}

/** How long a parked deal waits: the start of its tier's nurture window in the matrix. */
export function nurtureHorizon(m: Methodology, tier: Tier | null | undefined): { months: number; reason: string } {
  const row = m.segment(tier ?? "smb", "not_ready");
  return {
    months: row.cycle_time_months.min,
    reason: `${row.label}'s nurture window is ${row.cycle_time_months.min}-${row.cycle_time_months.max} months (${row.source})`,
  };
}

export function qualifyProspect(m: Methodology, input: QualifyInput, ctx: QualifyContext = {}): Qualification {
  const fw = m.qualification;
  // Statuses carry over only from a qualification made under the same framework.
  const same = ctx.prior && ctx.prior.framework === fw.id;
  const { statuses, kept } = mergeStatuses(m, input, same ? ctx.prior!.statuses : {});
  const dimensions: Record<string, DimensionResult> = {};
  const house = m.sourceName(`${fw.path}.dimensions`);
  const reasons: string[] = [...kept];
  if (ctx.prior && !same) {
    const name = m.frameworks.find((f) => f.id === ctx.prior!.framework)?.name ?? ctx.prior.framework;
    reasons.push(
      `The deal's last qualification${ctx.prior.recorded_at ? ` (${ctx.prior.recorded_at.slice(0, 10)})` : ""} was under ${name}; its statuses are not carried over to ${fw.name}, so dimensions this call leaves out are unknown.`,
    );
  }
  const gaps: string[] = [];

  for (const d of fw.dimensions) {
    const status = d.statuses.find((s) => s.id === statuses[d.id])!;
    const note = input[d.id]?.note;
    dimensions[d.id] = {
      status: status.id,
      score: status.score,
      qualifying: status.qualifying,
      finding: note ? `${status.finding} Note: ${note}` : status.finding,
    };
    if (!status.qualifying) {
      gaps.push(d.id);
      const qualifying = d.statuses.filter((s) => s.qualifying).map((s) => s.id);
      reasons.push(`${d.name} is "${status.id}", a gap: qualifying needs ${qualifying.join(" or ")} (${house}).`);
    } else {
      reasons.push(`${d.name} is "${status.id}", which qualifies (${house}).`);
    }
  }

  const disqualifiers = fw.disqualifiers.filter((dq) => matches(dq.when, statuses));
  const nurture = disqualifiers.length ? [] : fw.nurture_triggers.filter((t) => matches(t.when, statuses));
  const requalify = fw.requalify.filter((r) => matches(r.when, statuses));
  for (const dq of disqualifiers)
    reasons.push(`Disqualifier "${dq.id}" (${m.sourceName(`${fw.path}.disqualifiers`)}): ${dq.reason}`);
  for (const t of nurture)
    reasons.push(`Nurture "${t.id}" (${m.sourceName(`${fw.path}.nurture_triggers`)}): ${t.reason}`);

  const score = qualificationScore(m, statuses);
  const verdict: Verdict =
    disqualifiers.length > 0
      ? "disqualified"
      : nurture.length > 0
        ? "nurture"
        : gaps.length === 0
          ? "qualified"
          : "needs_discovery";
  const band = bandFor(m, score, verdict);
  reasons.push(
    `Score ${score}/100, band ${band} (${m.sourceName(`${fw.path}.score_bands`)} bands; a band never contradicts the verdict).`,
  );

  // One targeted question per gap, the most valuable gap first (largest weight x missing score).
  const rankedGaps = [...gaps].sort((a, b) => gapCost(m, b, statuses) - gapCost(m, a, statuses));
  const next_questions = rankedGaps.map((g) => m.qualificationDimension(g).questions[0]!);
  const recommended_action = actionFor(m, { verdict, rankedGaps, requalify, stage: ctx.stage, tier: ctx.tier });
  if (requalify.length && verdict === "needs_discovery") reasons.push(...requalify.map((r) => r.reason));

  return {
    framework: { id: fw.id, name: fw.name },
    verdict,
    score,
    band,
    dimensions,
    gaps,
    disqualifiers: disqualifiers.map((d) => d.id),
    nurture_triggers: nurture.map((t) => t.id),
    next_questions,
    recommended_action,
    reasons,
  };
}

/**
 * What to do now. It follows the deal's stage: before the qualification stage is left a gap is
 * closed in discovery; after it, the gap is a Defect in Qualification to fix where the deal is,
 * never a step back the rep cannot take.
 */
function actionFor(
  m: Methodology,
  q: {
    verdict: Verdict;
    rankedGaps: string[];
    requalify: Array<{ how: string }>;
    stage?: Stage;
    tier?: Tier | null;
  },
): string {
  const gateStage = m.qualification.qualification_stage.stage;
  const late = q.stage !== undefined && m.stageIndex(q.stage) > m.stageIndex(gateStage);
  const here = q.stage ? m.stage(q.stage) : undefined;
  const defects = m.waste("qualification_defects").name;
  const lateWarning = late
    ? `${defects} warning: ${here!.name} is past ${m.stage(gateStage).name}, where the deal should have been qualified. `
    : "";

  if (q.verdict === "disqualified") {
    const [waste, index] = m.qualification.actions.disqualified.split(".");
    const approach = m.waste(waste as never).elimination[Number(index)]!;
    return `${lateWarning}Exit this prospect: close it with close_deal outcome disqualified and the reason (${m.waste(waste as never).name}: ${approach}).`;
  }
  if (q.verdict === "nurture") {
    const h = nurtureHorizon(m, q.tier);
    return `${lateWarning}Park it in nurture rather than sell now: update_deal status nurture, revisit in about ${h.months} months (${h.reason}); ${m.segment(q.tier ?? "smb", "not_ready").sales_approach.toLowerCase()}.`;
  }
  if (q.verdict === "qualified") {
    if (late)
      return `Qualified: keep working ${here!.name} (${here!.objective.replace(/\.$/, "")}); its exit is checked with check_stage_exit.`;
    if (here && m.stageIndex(here.id) < m.stageIndex(gateStage)) {
      return `Qualified early: finish ${here.name} and move on to ${m.stages[m.stageIndex(here.id) + 1]!.name} (check_stage_exit records the gate).`;
    }
    const [stage] = m.qualification.actions.qualified.split(".");
    return `Qualified: move toward ${m.stage(stage as never).name}. ${m.stageActivity(m.qualification.actions.qualified)}.`;
  }
  const first = m.qualificationDimension(q.rankedGaps[0]!);
  const requalify = q.requalify.length ? ` ${q.requalify.map((r) => r.how).join(" ")}` : "";
  if (late) {
    return `${lateWarning}Close the ${first.name.toLowerCase()} gap where the deal is, without moving it back: ask "${first.questions[0]}" in the next ${here!.name} conversation.${requalify}`;
  }
  const how = first.closing_activity ? m.stageActivity(first.closing_activity) : `ask "${first.questions[0]}"`;
  return `Keep it in ${m.stage(gateStage).name} and close the ${first.name.toLowerCase()} gap first: ${how}.${requalify}`;
}

function gapCost(m: Methodology, dim: string, statuses: QualificationStatuses): number {
  const d = m.qualificationDimension(dim);
  const best = d.statuses[0]!.score;
  const now = d.statuses.find((s) => s.id === statuses[dim])!.score;
  return d.weight * (best - now);
}
