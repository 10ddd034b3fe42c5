import { z } from "zod";
import { BantDimensionId, StageId, Verdict } from "../../methodology/schema.js";
import { qualifyProspect, type QualifyInput } from "../../methodology/qualify.js";
import { defineTool, reply, type NextStep } from "../define.js";
import { BantShape, DealId, Reasons, Recorded, stageRef } from "../../app/schemas.js";

const Dimension = z.object({ status: z.string(), score: z.number(), qualifying: z.boolean(), finding: z.string() });

export default defineTool({
  name: "qualify_prospect",
  title: "Qualify a prospect (BANT)",
  kind: "append",
  description: [
    "BANT verdict (qualified, needs_discovery, nurture, disqualified), 0-100 score, gaps, one question per gap, and an action that fits the deal's stage.",
    "Each dimension is {status, note?} or just the status. With deal_id send only what the call said: the rest keeps the deal's last status; the result is recorded.",
    'Example: {"deal_id":"D-0042","budget":"unknown","need":{"status":"confirmed","note":"go-live by Q2"}}',
  ].join(" "),
  input: (m) => ({
    deal_id: DealId.optional(),
    stage: stageRef(m).optional().describe("the deal's stage, without deal_id"),
    ...BantShape,
  }),

  output: {
    verdict: Verdict,
    score: z.number().min(0).max(100),
    band: z.string(),
    dimensions: z.object({ budget: Dimension, authority: Dimension, need: Dimension, timeline: Dimension }),
    gaps: z.array(BantDimensionId),
    disqualifiers: z.array(z.string()),
    nurture_triggers: z.array(z.string()),
    next_questions: z.array(z.string()),
    recommended_action: z.string(),
    reasons: Reasons,
    deal_id: DealId.optional(),
    recorded: Recorded,
  },
  handle(input, ctx) {
    const m = ctx.methodology;
    const { deal_id, stage, ...given } = input;
    if (!deal_id) {
      const q = qualifyProspect(m, given as QualifyInput, { stage });
      return reply({ ...q, recorded: false }, summary(q), undefined, next(q));
    }
    const judge = () => {
      const store = ctx.store();
      const deal = store.requireDeal(deal_id);
      // Dimensions this call says nothing about keep what the deal's last qualification said.
      const prior = store.latestQualification(deal_id);
      return qualifyProspect(m, given as QualifyInput, {
        stage: (stage ?? deal.stage) as z.infer<typeof StageId>,
        prior: prior ? Object.fromEntries(BantDimensionId.options.map((d) => [d, prior[d]])) : undefined,
        tier: deal.tier as never,
      });
    };
    if (ctx.readOnly) {
      const q = judge();
      return reply(
        { ...q, deal_id, recorded: false },
        [...summary(q), `Not recorded: this server is read-only.`],
        undefined,
        [],
      );
    }
    return ctx.write(() => {
      const store = ctx.store();
      const q = judge();
      const now = ctx.now().toISOString();
      store.recordQualification(
        deal_id,
        {
          budget: q.dimensions.budget.status,
          authority: q.dimensions.authority.status,
          need: q.dimensions.need.status,
          timeline: q.dimensions.timeline.status,
          score: q.score,
          verdict: q.verdict,
          detail: { input: given },
        },
        now,
      );
      if (given.timeline?.months !== undefined)
        store.updateDeal(deal_id, { timeline_months: given.timeline.months }, now);
      return reply(
        { ...q, deal_id, recorded: true },
        [...summary(q), `Recorded on ${deal_id}.`],
        undefined,
        next(q, deal_id),
      );
    });
  },
});

function summary(q: ReturnType<typeof qualifyProspect>): string[] {
  return [
    `**${q.verdict}** · BANT ${q.score}/100 (${q.band})`,
    q.gaps.length ? `Gaps: ${q.gaps.join(", ")}` : "No gaps.",
    ...(q.disqualifiers.length ? [`Disqualifiers: ${q.disqualifiers.join(", ")}`] : []),
    ...(q.nurture_triggers.length ? [`Nurture: ${q.nurture_triggers.join(", ")}`] : []),
    `Action: ${q.recommended_action}`,
    ...q.next_questions.map((x, i) => `${i + 1}. ${x}`),
  ];
}

/** What to call next, by verdict; with a deal, on that deal. */
function next(q: ReturnType<typeof qualifyProspect>, deal_id?: string): NextStep[] {
  if (!deal_id)
    return q.verdict === "disqualified"
      ? []
      : [
          {
            tool: "create_deal",
            arguments: { name: "<deal name>", account: "<account>" },
            why: "store the prospect, then qualify it with its deal_id so the result is kept",
          },
        ];
  if (q.verdict === "disqualified")
    return [
      {
        tool: "close_deal",
        arguments: { deal_id, outcome: "disqualified", reason: q.disqualifiers.join(", ") },
        why: "exit the prospect (once the user agrees)",
      },
    ];
  if (q.verdict === "nurture")
    return [
      {
        tool: "update_deal",
        arguments: { deal_id, status: "nurture" },
        why: "park it until its revisit date (once the user agrees)",
      },
    ];
  if (q.verdict === "qualified")
    return [{ tool: "check_stage_exit", arguments: { deal_id }, why: "check whether it may leave its stage" }];
  return [
    { tool: "core_questions", arguments: { deal_id, focus: "qualification" }, why: "questions that close the gaps" },
  ];
}
