// Stage gates. Reference: "Sales Process Stages" (exit criteria per stage) and Area 1
// "Stage Gates: clear criteria for prospect advancement through pipeline".
import { InputError } from "./errors.js";
import type { Methodology } from "./load.js";
import type { Stage } from "./schema.js";

export interface StageCheckInput {
  stage: Stage;
  met?: string[];
  unmet?: string[];
  evidence?: Record<string, string>;
  /** Criterion states carried over from an earlier check of the same stage (a stored deal). */
  previous?: { met: Record<string, boolean | null>; evidence: Record<string, string> };
}

export interface CriterionState {
  id: string;
  text: string;
  met: boolean | null;
  optional: boolean;
  evidence?: string;
  /** For a criterion not yet met: the question that settles it (the one core_questions asks). */
  question?: string;
}

export interface StageCheck {
  stage: Stage;
  stage_name: string;
  criteria: CriterionState[];
  can_advance: boolean;
  unmet: string[];
  next_stage: Stage | null;
  next_stage_name: string | null;
  next_activities: string[];
  success_metric: string;
  reasons: string[];
}

export function checkStageExit(m: Methodology, input: StageCheckInput): StageCheck {
  const stage = m.stage(input.stage);
  const ids = stage.exit_criteria.map((c) => c.id);
  const known = (field: string, list: string[]) => {
    for (const id of list) {
      if (!ids.includes(id)) {
        throw new InputError(
          `${field} has "${id}", which is not a ${stage.name} exit criterion. Valid ids: ${ids.join(", ")}.`,
          field,
        );
      }
    }
  };
  const met = input.met ?? [];
  const unmet = input.unmet ?? [];
  const evidence = input.evidence ?? {};
  known("met", met);
  known("unmet", unmet);
  known("evidence", Object.keys(evidence));
  const both = met.filter((id) => unmet.includes(id));
  if (both.length > 0) throw new InputError(`${both.join(", ")} cannot be both met and unmet.`, "met");

  const criteria: CriterionState[] = stage.exit_criteria.map((c) => {
    // Explicit verdicts win; evidence alone marks a criterion met; otherwise an earlier check stands.
    let state: boolean | null = input.previous?.met[c.id] ?? null;
    if (evidence[c.id] !== undefined) state = true;
    if (met.includes(c.id)) state = true;
    if (unmet.includes(c.id)) state = false;
    const note = evidence[c.id] ?? input.previous?.evidence[c.id];
    return {
      id: c.id,
      text: c.text,
      met: state,
      optional: c.optional,
      ...(note ? { evidence: note } : {}),
      ...(state !== true ? { question: c.question } : {}),
    };
  });

  const blocking = criteria.filter((c) => !c.optional && c.met !== true);
  const index = m.stageIndex(input.stage);
  const next = m.stages[index + 1] ?? null;
  const reasons = criteria.map((c) => {
    const what = `${stage.name} exit criterion "${c.text}"`;
    if (c.met === true) return `${what} is met${c.evidence ? ` (evidence: ${c.evidence})` : ""}.`;
    if (c.optional) return `${what} is optional${c.met === false ? " and not met" : ""}.`;
    return c.met === false ? `${what} is not met.` : `${what} has no evidence yet.`;
  });
  reasons.push(
    blocking.length === 0
      ? `Every required ${stage.name} exit criterion is met${next ? `: the deal may advance to ${next.name}` : ""}.`
      : `Stage gate: ${blocking.length} required criteri${blocking.length === 1 ? "on is" : "a are"} not met, so the deal stays in ${stage.name}.`,
  );
  return {
    stage: stage.id,
    stage_name: stage.name,
    criteria,
    can_advance: blocking.length === 0,
    unmet: blocking.map((c) => c.id),
    next_stage: next?.id ?? null,
    next_stage_name: next?.name ?? null,
    // What follows only once the gate can be passed; until then the questions above are the work.
    next_activities: next && blocking.length === 0 ? next.activities.map((a) => a.text) : [],
    success_metric: stage.success_metric,
    reasons,
  };
}
