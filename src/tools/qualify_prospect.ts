import { z } from "zod";
import { BantDimensionId, StageId, Verdict } from "../methodology/schema.js";
import { qualifyProspect, type QualifyInput } from "../methodology/qualify.js";
import { defineTool, reply } from "./define.js";
import { AuthorityInput, BudgetInput, DealId, NeedInput, Reasons, Recorded, Stage, TimelineInput } from "./schemas.js";

const Dimension = z.object({ status: z.string(), score: z.number(), qualifying: z.boolean(), finding: z.string() });

export default defineTool({
  name: "qualify_prospect",
  title: "Qualify a prospect (BANT)",
  kind: "append",
  description: [
    "Scores a prospect on BANT (Budget, Authority, Need, Timeline) and gives a verdict: qualified, needs_discovery, nurture (not ready: park it) or disqualified.",
    "Use it whenever the rep learns something about money, decision makers, pain or timing. Without deal_id a dimension left out counts as unknown (a gap).",
    "Returns a 0-100 score, each dimension's score and finding, the gaps, one discovery question per gap, a recommended action that fits the deal's stage, and reasons.",
    "With deal_id, send only what the call said: dimensions left out (or sent as unknown) keep the deal's last recorded status, and the result is recorded on the deal.",
    'Example: {"budget":{"status":"unknown"},"authority":{"status":"access_to_decision_maker"},"need":{"status":"confirmed"},"timeline":{"status":"defined","months":4}}',
  ].join(" "),
  input: {
    deal_id: DealId.optional(),
    stage: Stage.optional().describe("The deal's stage when there is no deal_id, so the action fits it"),
    budget: BudgetInput.optional().describe("Budget status: approved > identified > unknown > none"),
    authority: AuthorityInput.optional().describe("Authority status: decision_maker > access_to_decision_maker > influencer_only > unknown"),
    need: NeedInput.optional().describe("Need status: critical > confirmed > latent > unknown > none"),
    timeline: TimelineInput.optional().describe("Timeline status: defined > tentative > unknown > none"),
  },
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
      return reply({ ...q, recorded: false }, summary(q));
    }
    return ctx.write(() => {
      const store = ctx.store();
      const deal = store.requireDeal(deal_id);
      // Dimensions this call says nothing about keep what the deal's last qualification said.
      const prior = store.latestQualification(deal_id);
      const q = qualifyProspect(m, given as QualifyInput, {
        stage: (stage ?? deal.stage) as z.infer<typeof StageId>,
        prior: prior ? Object.fromEntries(BantDimensionId.options.map((d) => [d, prior[d]])) : undefined,
        tier: deal.tier as never,
      });
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
      if (given.timeline?.months !== undefined) store.updateDeal(deal_id, { timeline_months: given.timeline.months }, now);
      return reply({ ...q, deal_id, recorded: true }, [...summary(q), `Recorded on ${deal_id}.`]);
    });
  },
});

function summary(q: ReturnType<typeof qualifyProspect>): string[] {
  return [
    `**${q.verdict}** · BANT ${q.score}/100 (${q.band})`,
    q.gaps.length ? `Gaps: ${q.gaps.join(", ")}` : "No gaps.",
    ...(q.disqualifiers.length ? [`Disqualifiers: ${q.disqualifiers.join(", ")}`] : []),
    ...(q.nurture_triggers.length ? [`Nurture: ${q.nurture_triggers.join(", ")}`] : []),
    `Next: ${q.recommended_action}`,
    ...q.next_questions.map((x, i) => `${i + 1}. ${x}`),
  ];
}
