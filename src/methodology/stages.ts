// Stage gates. Reference: "Sales Process Stages" (exit criteria per stage), Area 1 "Stage Gates:
// clear criteria for prospect advancement through pipeline", and Phase 1 "Create stage
// entrance/exit criteria": a gate checks the exit criteria of the stage left and the entrance
// criteria of the stage entered.
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
  /** An entrance criterion of the next stage (checked at the same gate); absent for exit criteria. */
  entrance?: true;
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

type StageDefOf = Methodology["stages"][number];

// The stage a won deal has reached is the methodology's (load.ts builds wonStageIndex with it).
export { stageReachedByWin } from "./load.js";
type EntranceDef = StageDefOf["entrance_criteria"][number];

/**
 * A recorded check of the deal's current stage, if it was made during its current stay there:
 * a check from an earlier stay (before the deal moved back and re-entered the stage) says
 * nothing of the deal as it stands now, so it neither passes the gate nor carries over.
 */
export function checkOfCurrentStay<C extends { recorded_at: string }>(
  check: C | undefined,
  deal: { stage_entered_at: string },
): C | undefined {
  return check && check.recorded_at >= deal.stage_entered_at ? check : undefined;
}

/**
 * An entrance criterion's state from the exit criteria it follows from: met once they all are;
 * otherwise nothing to say.
 */
export function followsFrom(c: EntranceDef, states: Record<string, boolean | null | undefined>): true | undefined {
  return c.follows_from.length > 0 && c.follows_from.every((id) => states[id] === true) ? true : undefined;
}

/**
 * The criteria of the gate between two stages: the exit criteria of the stage left, then the
 * entrance criteria of the stage entered (the reference's "stage entrance/exit criteria").
 */
export function gateCriteria(
  from: StageDefOf,
  to: StageDefOf | undefined,
): Array<{ c: StageDefOf["exit_criteria"][number] | EntranceDef; entrance: boolean }> {
  return [
    ...from.exit_criteria.map((c) => ({ c, entrance: false })),
    ...(to?.entrance_criteria ?? []).map((c) => ({ c, entrance: true })),
  ];
}

/**
 * Which required criteria of the gate from one stage to another a recorded check leaves unmet.
 * Entrance criteria the check says nothing of count as met when the exit criteria they follow
 * from are (gateStates).
 */
export function unmetAtGate(
  m: Methodology,
  from: Stage,
  to: Stage,
  recorded: Record<string, boolean | null> | undefined,
): Array<{ id: string; text: string; entrance: boolean }> {
  const states = recorded ?? {};
  const gate = gateCriteria(m.stage(from), m.stage(to));
  const read = gateStates(gate, states);
  const open = gate.filter(({ c }) => !c.optional).filter(({ c }) => read[c.id] !== true);
  // Into the next stage, an entrance criterion that only waits on unmet exit criteria is named
  // through them (as check_stage_exit does); a skipped-to stage's entrance criteria are all named.
  const isNext = m.stageIndex(to) === m.stageIndex(from) + 1;
  const openIds = new Set(open.filter(({ entrance }) => !entrance).map(({ c }) => c.id));
  return open
    .filter(
      ({ c, entrance }) =>
        !(
          isNext &&
          entrance &&
          (states[c.id] ?? null) === null &&
          (c as EntranceDef).follows_from.some((id) => openIds.has(id))
        ),
    )
    .map(({ c, entrance }) => ({ id: c.id, text: c.text, entrance }));
}

/**
 * What the rep has said of each criterion of the gate, this check over the earlier one: explicit
 * verdicts win, evidence alone marks a criterion met, otherwise an earlier answer stands (null:
 * nothing said). This is what a check records: an entrance criterion that follows from exit
 * criteria is derived when the gate is read (gateStates), never stored as if the rep had said it.
 */
export function saidAtGate(
  gate: ReturnType<typeof gateCriteria>,
  input: StageCheckInput,
): Record<string, boolean | null> {
  const said: Record<string, boolean | null> = {};
  for (const { c } of gate) {
    let state = input.previous?.met[c.id] ?? null;
    if (input.evidence?.[c.id] !== undefined) state = true;
    if (input.met?.includes(c.id)) state = true;
    if (input.unmet?.includes(c.id)) state = false;
    said[c.id] = state;
  }
  return said;
}

/**
 * The states of a gate's criteria as the gate reads them from what was said (a recorded check):
 * an entrance criterion nothing was said of is met once the exit criteria it follows from are.
 * A verdict given stands, so a required entrance criterion refused stays refused.
 */
export function gateStates(
  gate: ReturnType<typeof gateCriteria>,
  said: Record<string, boolean | null | undefined>,
): Record<string, boolean | null> {
  const states: Record<string, boolean | null> = {};
  for (const { c, entrance } of gate)
    states[c.id] = said[c.id] ?? (entrance ? (followsFrom(c as EntranceDef, said) ?? null) : null);
  return states;
}

/** The gate out of a stage: its exit criteria and the next stage's entrance criteria. */
export function gateOf(m: Methodology, stage: Stage): ReturnType<typeof gateCriteria> {
  return gateCriteria(m.stage(stage), m.stages[m.stageIndex(stage) + 1]);
}

export function checkStageExit(m: Methodology, input: StageCheckInput): StageCheck {
  const stage = m.stage(input.stage);
  const index = m.stageIndex(input.stage);
  const next = m.stages[index + 1] ?? null;
  const gate = gateCriteria(stage, next ?? undefined);
  const ids = gate.map(({ c }) => c.id);
  const known = (field: string, list: string[]) => {
    for (const id of list) {
      if (!ids.includes(id)) {
        throw new InputError(
          `${field} has "${id}", which is not a criterion of the ${stage.name} gate (its exit criteria${next && next.entrance_criteria.length ? ` and ${next.name}'s entrance criteria` : ""}). Valid ids: ${ids.join(", ")}.`,
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

  // What was said, this check over the earlier one; an entrance criterion nothing was said of
  // follows the exit criteria it builds on.
  const states = gateStates(gate, saidAtGate(gate, input));
  const criteria: CriterionState[] = gate.map(({ c, entrance }) => {
    const state = states[c.id] ?? null;
    const note = evidence[c.id] ?? input.previous?.evidence[c.id];
    return {
      id: c.id,
      text: c.text,
      met: state,
      optional: c.optional,
      ...(entrance ? { entrance: true as const } : {}),
      ...(note ? { evidence: note } : {}),
      ...(state !== true ? { question: c.question } : {}),
    };
  });

  const blocking = criteria.filter((c) => !c.optional && c.met !== true);
  // An entrance criterion still waiting on the exit criteria it follows from is not work of its
  // own: `unmet` names the exit criteria (it stays in `criteria`, met null).
  const blockingIds = new Set(blocking.map((c) => c.id));
  const waiting = (c: CriterionState, i: number) =>
    c.entrance === true && c.met === null && (gate[i]!.c as EntranceDef).follows_from.some((id) => blockingIds.has(id));
  const reasons = criteria.map((c, i) => {
    const what = c.entrance
      ? `${next!.name} entrance criterion "${c.text}"`
      : `${stage.name} exit criterion "${c.text}"`;
    if (c.met === true) return `${what} is met${c.evidence ? ` (evidence: ${c.evidence})` : ""}.`;
    if (c.optional) return `${what} is optional${c.met === false ? " and not met" : ""}.`;
    if (waiting(c, i))
      return `${what} follows from ${(gate[i]!.c as EntranceDef).follows_from.join(", ")}, not all met yet.`;
    return c.met === false ? `${what} is not met.` : `${what} has no evidence yet.`;
  });
  reasons.push(
    blocking.length === 0
      ? `Every required criterion of the ${stage.name} gate is met${next ? `: the deal may advance to ${next.name}` : ""}.`
      : `Stage gate: ${blocking.length} required criteri${blocking.length === 1 ? "on is" : "a are"} not met, so the deal stays in ${stage.name}.`,
  );
  return {
    stage: stage.id,
    stage_name: stage.name,
    criteria,
    can_advance: blocking.length === 0,
    unmet: criteria.filter((c, i) => blocking.includes(c) && !waiting(c, i)).map((c) => c.id),
    next_stage: next?.id ?? null,
    next_stage_name: next?.name ?? null,
    // What follows only once the gate can be passed; until then the questions above are the work.
    next_activities: next && blocking.length === 0 ? next.activities.map((a) => a.text) : [],
    success_metric: stage.success_metric,
    reasons,
  };
}
