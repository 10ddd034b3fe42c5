// When an import meets stage labels that no mapping resolves, the user can say what each one
// means: one question per label, with this pipeline's stages (and won, lost, disqualified) as
// the choices, or "skip" to leave that label's rows out. Pure: the MCP layer asks (an
// input-required result on 2026-07-28, elicitation on 2025 connections) and hands the answers
// back to prepareImport as an extra stage resolver.
import { createHash } from "node:crypto";
import { z } from "zod";
import type { Methodology } from "../../methodology/load.js";
import { stageTargets, type StageTargetId } from "./presets.js";
import { suggestStage } from "./run.js";

/** More unknown labels than this are not asked one by one (the report says how to map them). */
export const MAX_ASKED_LABELS = 20;
export const SKIP = "skip";

export interface StageQuestion {
  /** Stable per label, so that answers find their label in any later round. */
  key: string;
  label: string;
  rows: number;
  suggested: StageTargetId;
}

export const questionKey = (label: string) => `stage_${createHash("sha256").update(label).digest("hex").slice(0, 12)}`;

/** The questions for these unknown labels, or undefined when there are too many to ask. */
export function stageQuestions(m: Methodology, unknown: Map<string, number>): StageQuestion[] | undefined {
  if (unknown.size === 0 || unknown.size > MAX_ASKED_LABELS) return undefined;
  return [...unknown].map(([label, rows]) => ({
    key: questionKey(label),
    label,
    rows,
    suggested: suggestStage(m, label) as StageTargetId,
  }));
}

/** The form: one choice per label, the likeliest stage preselected. */
export function stageForm(m: Methodology, questions: StageQuestion[]) {
  const choices = [...stageTargets(m), SKIP] as [string, ...string[]];
  const names = m.stages.map((s) => `${s.id} = ${s.name}`).join(", ");
  return z.object(
    Object.fromEntries(
      questions.map((q) => [
        q.key,
        z
          .enum(choices)
          .default(q.suggested)
          .meta({
            title: `"${q.label.slice(0, 100)}" (${q.rows} row${q.rows === 1 ? "" : "s"})`,
            description: `Which stage is "${q.label.slice(0, 100)}"? ${names}; won, lost or disqualified for closed deals; skip leaves these rows out.`,
          }),
      ]),
    ),
  );
}

export function stageMessage(questions: StageQuestion[], format: string): string {
  const rows = questions.reduce((n, q) => n + q.rows, 0);
  return `The ${format} file uses ${questions.length} stage label${questions.length === 1 ? "" : "s"} this pipeline does not know (${rows} row${rows === 1 ? "" : "s"}). Which stage is each one? Rows of a skipped label are not imported.`;
}

/**
 * The answers as a resolver for prepareImport: label -> stage for every answered label (skip
 * leaves it unresolved). Anything that is not one of the choices is ignored, since the content
 * comes from the client.
 */
export function answeredStages(
  m: Methodology,
  content: Record<string, unknown> | undefined,
): (label: string) => StageTargetId | undefined {
  const targets: string[] = stageTargets(m);
  const byKey = new Map<string, StageTargetId>();
  for (const [k, v] of Object.entries(content ?? {}))
    if (/^stage_[0-9a-f]{12}$/.test(k) && typeof v === "string" && targets.includes(v)) byKey.set(k, v);
  return (label) => (byKey.size ? byKey.get(questionKey(label)) : undefined);
}
