import { z } from "zod";
import { coreQuestions } from "../../methodology/questions.js";
import { checkOfCurrentStay } from "../../methodology/stages.js";
import { FocusId, StageId } from "../../methodology/schema.js";
import { defineTool, reply } from "../define.js";
import { DealId, Focus, stageEnum } from "../../app/schemas.js";

export default defineTool({
  name: "core_questions",
  title: "Core Lean Sales questions",
  kind: "read",
  description: [
    "The eight core Lean Sales questions with follow-ups (focus narrows them), plus one per open exit criterion of the stage (or deal_id's stage). For call prep, coaching, reviews.",
    'Example: {"focus":"qualification","stage":"discovery"}',
  ].join(" "),
  input: (m) => ({
    stage: stageEnum(m).optional(),
    focus: Focus.optional(),
    deal_id: DealId.optional(),
  }),

  output: {
    questions: z.array(
      z.object({ id: FocusId, topic: z.string(), question: z.string(), follow_ups: z.array(z.string()) }),
    ),
    stage: StageId.nullable(),
    stage_name: z.string().nullable(),
    stage_questions: z.array(
      z.object({
        id: z.string(),
        criterion_id: z.string(),
        criterion: z.string(),
        question: z.string(),
        optional: z.boolean(),
      }),
    ),
    deal_id: DealId.optional(),
  },
  handle(input, ctx) {
    const m = ctx.methodology;
    let stage = input.stage;
    let open: string[] | undefined;
    if (input.deal_id) {
      const store = ctx.store();
      const deal = store.requireDeal(input.deal_id);
      stage ??= deal.stage as NonNullable<typeof stage>;
      const latest = store.latestStageCheck(input.deal_id, stage!);
      const check = stage === deal.stage ? checkOfCurrentStay(latest, deal) : latest;
      if (check)
        open = Object.entries(check.criteria)
          .filter(([, v]) => v !== true)
          .map(([k]) => k);
    }
    const q = coreQuestions(m, { focus: input.focus, stage, open_criteria: open });
    const lines = [
      ...q.questions.map((x) => `- **${x.topic}**: ${x.question}`),
      ...(q.stage_name
        ? [
            `**${q.stage_name}** exit criteria to establish:`,
            ...q.stage_questions.map((x) => `- ${x.question} (${x.criterion})`),
          ]
        : []),
    ];
    return reply({ ...q, ...(input.deal_id ? { deal_id: input.deal_id } : {}) }, lines);
  },
});
