// Reference: "Quick Reference: Core Lean Sales Questions", plus one question per exit
// criterion of a stage (data/stages.json) so an agent can work a stage gate.
import type { Methodology } from "./load.js";
import type { Focus, Stage } from "./schema.js";

export interface CoreQuestion {
  id: Focus;
  topic: string;
  question: string;
  follow_ups: string[];
}

export interface StageQuestion {
  id: string;
  criterion_id: string;
  criterion: string;
  question: string;
  optional: boolean;
}

export interface QuestionSet {
  questions: CoreQuestion[];
  stage: Stage | null;
  stage_name: string | null;
  stage_questions: StageQuestion[];
}

/** "{qualification dimensions}" in a question: the active framework's dimensions ("budget, authority, need and timeline"). */
export function inTerms(m: Methodology, text: string): string {
  if (!text.includes("{qualification dimensions}")) return text;
  const names = m.qualification.dimensions.map((d) => d.name.toLowerCase());
  const list = `${names.slice(0, -1).join(", ")} and ${names[names.length - 1]}`;
  return text.replace("{qualification dimensions}", list);
}

export function coreQuestions(
  m: Methodology,
  opts: { focus?: Focus; stage?: Stage; open_criteria?: string[] },
): QuestionSet {
  const questions = m.questions
    .filter((q) => !opts.focus || q.id === opts.focus)
    .map((q) => ({
      id: q.id,
      topic: q.topic,
      question: q.question,
      follow_ups: q.follow_ups.map((f) => inTerms(m, f)),
    }));
  if (!opts.stage) return { questions, stage: null, stage_name: null, stage_questions: [] };
  const stage = m.stage(opts.stage);
  const next = m.stages[m.stageIndex(opts.stage) + 1];
  // The gate's criteria: the stage's exit criteria, and the next stage's entrance criteria that
  // do not simply follow from them (those are settled by the exit questions).
  const stage_questions = [
    ...stage.exit_criteria,
    ...(next?.entrance_criteria ?? []).filter((c) => !c.follows_from.length),
  ]
    // With a stored check, ask only about the criteria still open.
    .filter((c) => !opts.open_criteria || opts.open_criteria.includes(c.id))
    .map((c) => ({
      id: `${stage.id}.${c.id}`,
      criterion_id: c.id,
      criterion: c.text,
      question: c.question,
      optional: c.optional,
    }));
  return { questions, stage: stage.id, stage_name: stage.name, stage_questions };
}
