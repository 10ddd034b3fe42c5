// BANT qualification. Reference: Area 2 "Smart Qualification" (BANT), the Not Ready profile of
// the segmentation model ("pre-sales nurture candidates"), waste 5 "Defects in Qualification".
// Statuses, weights, bands, disqualifiers and nurture triggers are this server's defaults
// (data/bant.json); the reasons say so.
import type { Methodology } from "./load.js";
import type { BantDimension, Stage, Tier } from "./schema.js";

export type BantStatuses = Record<BantDimension, string>;

export interface QualifyInput {
  budget?: { status: string; amount?: number; currency?: string; note?: string };
  authority?: { status: string; note?: string };
  need?: { status: string; pain_points?: string[]; note?: string };
  timeline?: { status: string; decision_date?: string; months?: number; note?: string };
}

/** What is known beyond this call: the deal's stage and its last recorded statuses. */
export interface QualifyContext {
  stage?: Stage;
  prior?: Partial<BantStatuses>;
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
  verdict: Verdict;
  score: number;
  band: string;
  dimensions: Record<BantDimension, DimensionResult>;
  gaps: BantDimension[];
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
  prior: Partial<BantStatuses> = {},
): { statuses: BantStatuses; kept: string[] } {
  const statuses = {} as BantStatuses;
  const kept: string[] = [];
  for (const d of m.bant.dimensions) {
    const sent = input[d.id]?.status;
    const before = prior[d.id];
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
export function bantStatuses(m: Methodology, input: QualifyInput): BantStatuses {
  return mergeStatuses(m, input).statuses;
}

/** Weighted 0..100 score. Monotonic: a better status in any dimension never lowers it. */
export function bantScore(m: Methodology, statuses: BantStatuses): number {
  let total = 0;
  let weights = 0;
  for (const d of m.bant.dimensions) {
    const status = d.statuses.find((s) => s.id === statuses[d.id])!;
    total += d.weight * status.score;
    weights += d.weight;
  }
  return Math.round(total / weights);
}

const matches = (when: Partial<Record<BantDimension, string[]>>, statuses: BantStatuses) =>
  Object.entries(when).every(([dim, list]) => list.includes(statuses[dim as BantDimension]));

/** The highest band the score reaches among those that admit the verdict. */
export function bandFor(m: Methodology, score: number, verdict: Verdict): string {
  const allowed = m.bant.score_bands.filter((b) => b.verdicts.includes(verdict)).sort((a, b) => b.min - a.min);
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
  const { statuses, kept } = mergeStatuses(m, input, ctx.prior);
  const dimensions = {} as Record<BantDimension, DimensionResult>;
  const house = m.sourceName("bant.dimensions");
  const reasons: string[] = [...kept];
  const gaps: BantDimension[] = [];

  for (const d of m.bant.dimensions) {
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

  const disqualifiers = m.bant.disqualifiers.filter((dq) => matches(dq.when, statuses));
  const nurture = disqualifiers.length ? [] : m.bant.nurture_triggers.filter((t) => matches(t.when, statuses));
  const requalify = m.bant.requalify.filter((r) => matches(r.when, statuses));
  for (const dq of disqualifiers)
    reasons.push(`Disqualifier "${dq.id}" (${m.sourceName("bant.disqualifiers")}): ${dq.reason}`);
  for (const t of nurture) reasons.push(`Nurture "${t.id}" (${m.sourceName("bant.nurture_triggers")}): ${t.reason}`);

  const score = bantScore(m, statuses);
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
    `Score ${score}/100, band ${band} (${m.sourceName("bant.score_bands")} bands; a band never contradicts the verdict).`,
  );

  // One targeted question per gap, the most valuable gap first (largest weight x missing score).
  const rankedGaps = [...gaps].sort((a, b) => gapCost(m, b, statuses) - gapCost(m, a, statuses));
  const next_questions = rankedGaps.map((g) => m.bantDimension(g).questions[0]!);
  const recommended_action = actionFor(m, { verdict, rankedGaps, requalify, stage: ctx.stage, tier: ctx.tier });
  if (requalify.length && verdict === "needs_discovery") reasons.push(...requalify.map((r) => r.reason));

  return {
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
    rankedGaps: BantDimension[];
    requalify: Array<{ how: string }>;
    stage?: Stage;
    tier?: Tier | null;
  },
): string {
  const gateStage = m.bant.qualification_stage.stage;
  const late = q.stage !== undefined && m.stageIndex(q.stage) > m.stageIndex(gateStage);
  const here = q.stage ? m.stage(q.stage) : undefined;
  const defects = m.waste("qualification_defects").name;
  const lateWarning = late
    ? `${defects} warning: ${here!.name} is past ${m.stage(gateStage).name}, where the deal should have been qualified. `
    : "";

  if (q.verdict === "disqualified") {
    const [waste, index] = m.bant.actions.disqualified.split(".");
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
    const [stage] = m.bant.actions.qualified.split(".");
    return `Qualified: move toward ${m.stage(stage as never).name}. ${m.stageActivity(m.bant.actions.qualified)}.`;
  }
  const first = m.bantDimension(q.rankedGaps[0]!);
  const requalify = q.requalify.length ? ` ${q.requalify.map((r) => r.how).join(" ")}` : "";
  if (late) {
    return `${lateWarning}Close the ${first.name.toLowerCase()} gap where the deal is, without moving it back: ask "${first.questions[0]}" in the next ${here!.name} conversation.${requalify}`;
  }
  return `Keep it in ${m.stage(gateStage).name} and close the ${first.name.toLowerCase()} gap first: ${m.stageActivity(first.closing_activity)}.${requalify}`;
}

function gapCost(m: Methodology, dim: BantDimension, statuses: BantStatuses): number {
  const d = m.bantDimension(dim);
  const best = d.statuses[0]!.score;
  const now = d.statuses.find((s) => s.id === statuses[dim])!.score;
  return d.weight * (best - now);
}
