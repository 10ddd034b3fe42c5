import { z } from "zod";
import { assessSelling } from "../../app/assessments.js";
import { IsoDate } from "../../app/schemas.js";
import { AnswerValue } from "../../methodology/assessment.js";
import { defineTool, reply } from "../define.js";

const Measure = z.object({
  id: z.string(),
  value: z.number().nullable(),
  unit: z.string(),
  n: z.number(),
  position: z.number().nullable(),
  threshold: z.string(),
  source: z.string(),
});

export default defineTool({
  name: "assess_selling_approach",
  title: "Assess proactive vs reactive selling",
  kind: "read",
  description: [
    "Where an owner (or the team) sells between reactive and proactive, per factor of the reference's comparison, from deals created in the period: measure, threshold, moves toward proactive; weakest first. answers: question id -> always..never.",
    'Example: {"owner":"Dana Lee","from":"2026-01-01"}',
  ].join(" "),
  input: {
    owner: z.string().min(1).max(200).optional(),
    from: IsoDate.optional(),
    to: IsoDate.optional(),
    answers: z.record(z.string().max(60), AnswerValue).optional(),
  },
  output: {
    scope: z.string(),
    deals_considered: z.number(),
    overall: z.object({
      position: z.number().nullable(),
      position_name: z.string().nullable(),
      positioned_factors: z.number(),
      reason: z.string().optional(),
    }),
    compared_with: z.string().nullable(),
    factors: z.array(
      z.object({
        id: z.string(),
        factor: z.string(),
        position: z.number().nullable(),
        position_name: z.string().nullable(),
        reason: z.string().optional(),
        measures: z.array(Measure),
        moves: z.array(z.string()),
      }),
    ),
    questions_to_answer: z.array(z.object({ id: z.string(), factor: z.string(), text: z.string() })),
    scale: z.string(),
  },
  handle(input, ctx) {
    const r = assessSelling(ctx.methodology, ctx.store(), input, ctx.now());
    const factors = r.factors.map((f) => ({
      id: f.id,
      factor: f.factor,
      position: f.position,
      position_name: f.position_name,
      ...(f.reason ? { reason: f.reason } : {}),
      measures: f.measures
        .filter((x) => x.counted || x.value !== null)
        .map((x) => ({
          id: x.id,
          value: x.value,
          unit: x.unit,
          n: x.n,
          position: x.position,
          threshold: x.threshold,
          source: x.source_name,
        })),
      moves: f.moves?.items.map((i) => i.text) ?? [],
    }));
    const show = (v: number | null, unit: string) =>
      v === null ? "n/a" : unit === "share" ? `${Math.round(v * 100)}%` : unit === "percent" ? `${v}%` : `${v} ${unit}`;
    const weakest = factors.filter((f) => f.position !== null).slice(0, 3);
    const lines = [
      `**Selling approach: ${r.scope}** ${r.overall.position_name ?? "not positioned"}${r.overall.position !== null ? ` (${r.overall.position} of 5, 5 = proactive)` : ""} over ${r.deals_considered} deals, ${r.overall.positioned_factors} of ${factors.length} factors positioned${r.compared_with ? `; compared with ${r.compared_with}` : ""}`,
      ...(r.overall.reason ? [r.overall.reason] : []),
      ...weakest.map(
        (f) =>
          `- **${f.factor}**: ${f.position_name} (${f.position}) · ${f.measures.map((x) => `${x.id.replaceAll("_", " ")} ${show(x.value, x.unit)} (${x.threshold})`).join("; ")}${f.moves[0] ? ` · move: ${f.moves[0]}` : ""}`,
      ),
      ...(r.questions_to_answer.length
        ? [
            `${r.questions_to_answer.length} questions would position the rest: pass answers (${r.questions_to_answer
              .slice(0, 3)
              .map((q) => q.id)
              .join(", ")}...).`,
          ]
        : []),
    ];
    return reply(
      {
        scope: r.scope,
        deals_considered: r.deals_considered,
        overall: r.overall,
        compared_with: r.compared_with,
        factors,
        questions_to_answer: r.questions_to_answer,
        scale: `${r.scale.positions.map((p) => `${p.position} ${p.name}`).join(", ")} (${r.scale.source_name})`,
      },
      lines,
    );
  },
});
