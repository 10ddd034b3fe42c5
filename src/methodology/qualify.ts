// BANT qualification. Reference: Area 2 "Smart Qualification" (BANT), waste 5 "Defects in
// Qualification". Scores, weights, qualifying statuses and disqualifiers come from data/bant.json.
import type { Methodology } from "./load.js";
import type { BantDimension } from "./schema.js";

export type BantStatuses = Record<BantDimension, string>;

export interface QualifyInput {
  budget?: { status: string; amount?: number; currency?: string; note?: string };
  authority?: { status: string; note?: string };
  need?: { status: string; pain_points?: string[]; note?: string };
  timeline?: { status: string; decision_date?: string; months?: number; note?: string };
}

export type Verdict = "qualified" | "needs_discovery" | "disqualified";

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
  next_questions: string[];
  recommended_action: string;
  reasons: string[];
}

/** The statuses a qualification input implies: a dimension left out counts as `unknown`. */
export function bantStatuses(m: Methodology, input: QualifyInput): BantStatuses {
  const out = {} as BantStatuses;
  for (const d of m.bant.dimensions) out[d.id] = input[d.id]?.status ?? "unknown";
  return out;
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

export function qualifyProspect(m: Methodology, input: QualifyInput): Qualification {
  const statuses = bantStatuses(m, input);
  const dimensions = {} as Record<BantDimension, DimensionResult>;
  const reasons: string[] = [];
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
      reasons.push(`${d.name} is "${status.id}", a gap: BANT qualification needs ${qualifying.join(" or ")}.`);
    } else {
      reasons.push(`${d.name} is "${status.id}", which qualifies.`);
    }
  }

  const disqualifiers = m.bant.disqualifiers.filter((dq) =>
    Object.entries(dq.when).every(([dim, list]) => list.includes(statuses[dim as BantDimension])),
  );
  for (const dq of disqualifiers) reasons.push(`Disqualifier "${dq.id}": ${dq.reason}`);

  const score = bantScore(m, statuses);
  const band = m.bant.score_bands.filter((b) => score >= b.min).sort((a, b) => b.min - a.min)[0]?.label ?? "weak";
  const verdict: Verdict = disqualifiers.length > 0 ? "disqualified" : gaps.length === 0 ? "qualified" : "needs_discovery";

  // One targeted question per gap, the most valuable gap first (largest weight x missing score).
  const rankedGaps = [...gaps].sort((a, b) => gapCost(m, b, statuses) - gapCost(m, a, statuses));
  const next_questions = rankedGaps.map((g) => m.bantDimension(g).questions[0]!);

  let recommended_action: string;
  if (verdict === "disqualified") {
    const [waste, index] = m.bant.actions.disqualified.split(".");
    const approach = m.waste(waste as never).elimination[Number(index)]!;
    recommended_action = `Exit or return this prospect to nurture rather than spend selling time on it (${m.waste(waste as never).name}): ${approach}`;
  } else if (verdict === "qualified") {
    const [stage] = m.bant.actions.qualified.split(".");
    recommended_action = `Qualified: move toward ${m.stage(stage as never).name}. ${m.stageActivity(m.bant.actions.qualified)}.`;
  } else {
    const first = m.bantDimension(rankedGaps[0]!);
    recommended_action = `Keep it in discovery and close the ${first.name.toLowerCase()} gap first: ${m.stageActivity(first.closing_activity)}.`;
  }
  reasons.push(`Overall BANT score ${score}/100 (${band}).`);

  return { verdict, score, band, dimensions, gaps, disqualifiers: disqualifiers.map((d) => d.id), next_questions, recommended_action, reasons };
}

function gapCost(m: Methodology, dim: BantDimension, statuses: BantStatuses): number {
  const d = m.bantDimension(dim);
  const best = d.statuses[0]!.score;
  const now = d.statuses.find((s) => s.id === statuses[dim])!.score;
  return d.weight * (best - now);
}
