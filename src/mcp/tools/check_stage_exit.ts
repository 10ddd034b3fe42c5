import { z } from "zod";
import { checkOfCurrentStay, checkStageExit, gateOf, saidAtGate } from "../../methodology/stages.js";
import { CriterionId, StageId } from "../../methodology/schema.js";
import { defineTool, reply } from "../define.js";
import { cleanText, DealId, Reasons, Recorded, stageEnum } from "../../app/schemas.js";
import { InputError } from "../../methodology/errors.js";

export default defineTool({
  name: "check_stage_exit",
  title: "Check a stage gate",
  kind: "append",
  description: [
    "The stage gate: the stage's exit criteria and the next stage's entrance criteria (entrance:true), met true/false/null, the question that settles each unmet one, can_advance, and the next stage's activities once it can. Only a stage: lists the ids.",
    "With deal_id the check is recorded and earlier answers carry over; advance_stage needs a passing one. evidence {id: note} marks met.",
    'Example: {"deal_id":"D-0042","met":["challenge_understood"],"evidence":{"proposal_agreed":"CFO asked for it"}}',
  ].join(" "),
  input: (m) => ({
    stage: stageEnum(m).optional().describe("required without deal_id"),
    deal_id: DealId.optional(),
    met: z.array(CriterionId).max(20).optional(),
    unmet: z.array(CriterionId).max(20).optional(),
    evidence: z.record(CriterionId, cleanText(1000)).optional(),
  }),

  output: {
    stage: StageId,
    stage_name: z.string(),
    criteria: z.array(
      z.object({
        id: z.string(),
        text: z.string(),
        met: z.boolean().nullable(),
        optional: z.boolean(),
        entrance: z.literal(true).optional(),
        evidence: z.string().optional(),
        question: z.string().optional(),
      }),
    ),
    can_advance: z.boolean(),
    unmet: z.array(z.string()),
    next_stage: StageId.nullable(),
    next_stage_name: z.string().nullable(),
    next_activities: z.array(z.string()),
    success_metric: z.string(),
    reasons: Reasons,
    deal_id: DealId.optional(),
    recorded: Recorded,
  },
  handle(input, ctx) {
    const m = ctx.methodology;
    const { deal_id, stage, met, unmet, evidence } = input;
    if (!deal_id) {
      if (!stage)
        throw new InputError(
          `stage is required without deal_id: one of ${m.stages.map((s) => s.id).join(", ")}.`,
          "stage",
        );
      const c = checkStageExit(m, { stage, met, unmet, evidence });
      return reply({ ...c, recorded: false }, summary(c));
    }
    const judge = () => {
      const store = ctx.store();
      const deal = store.requireDeal(deal_id);
      const at = (stage ?? deal.stage) as z.infer<typeof StageId>;
      // Earlier answers carry over within the deal's current stay in its stage, not from an earlier one.
      const latest = store.latestStageCheck(deal_id, at);
      const prior = at === deal.stage ? checkOfCurrentStay(latest, deal) : latest;
      const check = {
        stage: at,
        met,
        unmet,
        evidence,
        previous: prior && { met: prior.criteria, evidence: prior.evidence },
      };
      // Recorded: what was said; the entrance criteria that follow from exit criteria are derived when read.
      return { deal, at, c: checkStageExit(m, check), said: saidAtGate(gateOf(m, at), check) };
    };
    if (ctx.readOnly) {
      const { c } = judge();
      return reply({ ...c, deal_id, recorded: false }, [...summary(c), "Not recorded: this server is read-only."]);
    }
    return ctx.write(() => {
      const store = ctx.store();
      const { deal, at, c, said } = judge();
      store.recordStageCheck(
        deal_id,
        {
          stage: at,
          criteria: said,
          evidence: Object.fromEntries(c.criteria.filter((x) => x.evidence).map((x) => [x.id, x.evidence!])),
          can_advance: c.can_advance,
        },
        ctx.now().toISOString(),
      );
      const note =
        at !== deal.stage
          ? [
              `Note: ${deal_id} is in ${m.stage(deal.stage as never).name}; this check of ${c.stage_name} does not gate its next move.`,
            ]
          : [];
      const next =
        c.can_advance && at === deal.stage
          ? [{ tool: "advance_stage", arguments: { deal_id }, why: `the gate passes: move it to ${c.next_stage_name}` }]
          : [];
      return reply(
        { ...c, deal_id, recorded: true },
        [...summary(c), ...note, `Recorded on ${deal_id}.`],
        undefined,
        next,
      );
    });
  },
});

function summary(c: ReturnType<typeof checkStageExit>): string[] {
  const mark = (v: boolean | null) => (v === true ? "[x]" : v === false ? "[ ]" : "[?]");
  return [
    `**${c.stage_name}** gate: ${c.can_advance ? `can advance to ${c.next_stage_name ?? "(last stage)"}` : `blocked by ${c.unmet.length} criteri${c.unmet.length === 1 ? "on" : "a"}`}`,
    ...c.criteria.map(
      (x) =>
        `- ${mark(x.met)} ${x.entrance ? `To enter ${c.next_stage_name}: ` : ""}${x.text} (\`${x.id}\`${x.optional ? ", optional" : ""})${x.met !== true && x.question ? `. Ask: ${x.question}` : ""}`,
    ),
    ...(c.can_advance && c.next_activities.length
      ? [`In ${c.next_stage_name}: ${c.next_activities.slice(0, 2).join("; ")}`]
      : []),
  ];
}
