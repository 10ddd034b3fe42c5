import { z } from "zod";
import { BantDimensionId } from "../methodology/schema.js";
import { qualifyProspect, type QualifyInput } from "../methodology/qualify.js";
import { defineTool, reply } from "./define.js";
import { AuthorityInput, BudgetInput, DealId, NeedInput, Reasons, Recorded, TimelineInput } from "./schemas.js";

const Dimension = z.object({ status: z.string(), score: z.number(), qualifying: z.boolean(), finding: z.string() });

export default defineTool({
  name: "qualify_prospect",
  title: "Qualify a prospect (BANT)",
  kind: "append",
  description: [
    "Scores a prospect on BANT (Budget, Authority, Need, Timeline) and gives a verdict: qualified, needs_discovery or disqualified.",
    "Use it whenever the rep learns something about money, decision makers, pain or timing. A dimension left out counts as unknown (a gap).",
    "Returns a 0-100 score, each dimension's score and finding, the gaps, one discovery question per gap, a recommended next action and reasons.",
    "With deal_id, dimensions you leave out are taken from the deal's latest qualification and the result is recorded on the deal (recorded: true).",
    'Example: {"budget":{"status":"unknown"},"authority":{"status":"access_to_decision_maker"},"need":{"status":"confirmed"},"timeline":{"status":"defined","months":4}}',
  ].join(" "),
  input: {
    deal_id: DealId.optional(),
    budget: BudgetInput.optional().describe("Budget status: approved > identified > unknown > none"),
    authority: AuthorityInput.optional().describe("Authority status: decision_maker > access_to_decision_maker > influencer_only > unknown"),
    need: NeedInput.optional().describe("Need status: critical > confirmed > latent > unknown > none"),
    timeline: TimelineInput.optional().describe("Timeline status: defined > tentative > unknown > none"),
  },
  output: {
    verdict: z.enum(["qualified", "needs_discovery", "disqualified"]),
    score: z.number().min(0).max(100),
    band: z.string(),
    dimensions: z.object({ budget: Dimension, authority: Dimension, need: Dimension, timeline: Dimension }),
    gaps: z.array(BantDimensionId),
    disqualifiers: z.array(z.string()),
    next_questions: z.array(z.string()),
    recommended_action: z.string(),
    reasons: Reasons,
    deal_id: DealId.optional(),
    recorded: Recorded,
  },
  handle(input, ctx) {
    const m = ctx.methodology;
    const { deal_id, ...given } = input;
    if (!deal_id) {
      const q = qualifyProspect(m, given as QualifyInput);
      return reply({ ...q, recorded: false }, summary(q));
    }
    return ctx.write(() => {
      const store = ctx.store();
      store.requireDeal(deal_id);
      // Dimensions not given now keep what the deal's last qualification said.
      const prior = store.latestQualification(deal_id);
      const merged: QualifyInput = { ...given };
      for (const dim of BantDimensionId.options) {
        if (!merged[dim] && prior) merged[dim] = { status: prior[dim] } as never;
      }
      const q = qualifyProspect(m, merged);
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
    `Next: ${q.recommended_action}`,
    ...q.next_questions.map((x, i) => `${i + 1}. ${x}`),
  ];
}
