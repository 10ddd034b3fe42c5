import { z } from "zod";
import { assessMaturity } from "../../app/assessments.js";
import { AnswerValue } from "../../methodology/assessment.js";
import { defineTool, reply } from "../define.js";

const Rating = z.object({
  kind: z.string(),
  id: z.string(),
  name: z.string(),
  level: z.number().nullable(),
  level_name: z.string().nullable(),
  reason: z.string().optional(),
  signals: z.array(
    z.object({
      id: z.string(),
      value: z.union([z.number(), z.boolean()]).nullable(),
      level: z.number().nullable(),
      threshold: z.string(),
    }),
  ),
});

export default defineTool({
  name: "assess_lean_maturity",
  title: "Assess Lean maturity",
  kind: "read",
  description: [
    "The team's maturity (1-5) on the reference's five principles and four management areas, from the store and optional answers (question id -> always..never), with the implementation steps next and the baseline to record.",
    'Example: {"answers":{"regular_coaching":"rarely"}}',
  ].join(" "),
  input: { answers: z.record(z.string().max(60), AnswerValue).optional() },
  output: {
    overall: z.object({
      level: z.number().nullable(),
      level_name: z.string().nullable(),
      rated: z.number(),
      of: z.number(),
    }),
    ratings: z.array(Rating),
    current_phase: z.object({ name: z.string(), weeks: z.string(), because: z.string() }).nullable(),
    roadmap: z.array(
      z.object({ phase: z.string(), activity: z.string(), items: z.array(z.string()), for: z.array(z.string()) }),
    ),
    baseline_to_record: z.object({ reason: z.string(), metrics: z.array(z.string()) }).nullable(),
    questions_to_answer: z.array(z.object({ id: z.string(), text: z.string(), for: z.string() })),
    scale: z.string(),
    evidence: z.record(z.string(), z.union([z.number(), z.boolean()]).nullable()),
  },
  handle(input, ctx) {
    const r = assessMaturity(ctx.methodology, ctx.store(), input, ctx.now());
    const ratings = [...r.principles, ...r.areas].map((x) => ({
      kind: x.kind,
      id: x.id,
      name: x.name,
      level: x.level,
      level_name: x.level_name,
      ...(x.reason ? { reason: x.reason } : {}),
      signals: x.signals.map((s) => ({ id: s.id, value: s.value, level: s.level, threshold: s.threshold })),
    }));
    const round = (v: number | boolean | null) => (typeof v === "number" ? Math.round(v * 1000) / 1000 : v);
    const lowest = ratings
      .filter((x) => x.level !== null)
      .sort((a, b) => a.level! - b.level!)
      .slice(0, 3);
    const structured = {
      overall: { level: r.overall.level, level_name: r.overall.level_name, rated: r.overall.rated, of: r.overall.of },
      ratings,
      current_phase: r.current_phase
        ? { name: r.current_phase.name, weeks: r.current_phase.weeks, because: r.current_phase.because }
        : null,
      roadmap: r.next_steps.map((s) => ({
        phase: s.phase.name,
        activity: s.activity,
        items: s.items,
        for: s.for.map((f) => f.name),
      })),
      baseline_to_record: r.baseline_to_record
        ? { reason: r.baseline_to_record.reason, metrics: r.baseline_to_record.metrics }
        : null,
      questions_to_answer: r.unrated.flatMap((u) => u.questions.map((q) => ({ id: q.id, text: q.text, for: u.name }))),
      scale: `${r.scale.levels.map((l) => `${l.level} ${l.name}`).join(", ")} (${r.scale.source_name})`,
      evidence: Object.fromEntries(Object.entries(r.evidence).map(([k, v]) => [k, round(v)])),
    };
    const lines = [
      `**Lean maturity** ${r.overall.level_name ?? "not rated"}${r.overall.level !== null ? ` (${r.overall.level} of 5)` : ""}, ${r.overall.rated} of ${r.overall.of} principles and areas rated (scale: ${r.scale.source_name})`,
      ...lowest.map((x) => `- Lowest: **${x.name}** ${x.level_name} (${x.level})`),
      ...(structured.current_phase
        ? [
            `Next: ${structured.current_phase.name} (${structured.current_phase.weeks}): ${structured.roadmap
              .slice(0, 3)
              .map((s) => s.activity)
              .join("; ")}`,
          ]
        : []),
      ...(structured.baseline_to_record ? [`Record a baseline: ${structured.baseline_to_record.reason}`] : []),
      ...(structured.questions_to_answer.length
        ? [`${structured.questions_to_answer.length} questions would rate the rest: pass answers.`]
        : []),
    ];
    return reply(structured, lines, undefined, [
      ...(structured.baseline_to_record
        ? [
            {
              tool: "record_baseline",
              arguments: { label: "lean-kickoff" },
              why: "the baseline to measure the change against",
            },
          ]
        : []),
    ]);
  },
});
