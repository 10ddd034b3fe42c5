import { z } from "zod";
import { classifySegment, type SegmentInput } from "../../methodology/segment.js";
import { defineTool, reply } from "../define.js";
import {
  BudgetStatus,
  Count,
  DealId,
  looseEnum,
  Money,
  Months,
  Readiness,
  Reasons,
  Recorded,
  Tier,
} from "../../app/schemas.js";

export default defineTool({
  name: "classify_segment",
  title: "Classify the segment",
  kind: "update",
  description: [
    "Segment (tier x readiness) with its sales approach, engagement and cycle time: tier from company size (deal size only when size is unknown), readiness from evaluation, budget and timeline, or unknown.",
    "With deal_id, gaps are filled from the deal and the segment is saved on it.",
    'Example: {"employees":450,"actively_evaluating":true,"budget_status":"identified","timeline_months":2}',
  ].join(" "),
  input: {
    deal_id: DealId.optional(),
    employees: Count.optional(),
    annual_revenue: Money.optional(),
    expected_deal_size: Money.optional().describe("value a year"),
    tier: Tier.optional().describe("overrides the size signals"),
    actively_evaluating: z.boolean().optional(),
    budget_status: looseEnum(BudgetStatus.options).optional(),
    timeline_months: Months.optional().describe("until they intend to buy"),
    need_awareness: looseEnum(["high", "medium", "low"]).optional(),
  },
  output: {
    tier: Tier,
    readiness: Readiness,
    segment: z.string(),
    label: z.string(),
    in_matrix: z.boolean(),
    sales_approach: z.string(),
    engagement_level: z.string(),
    cycle_time_months: z.object({ min: z.number(), max: z.number() }),
    cycle_note: z.string().optional(),
    reasons: Reasons,
    deal_id: DealId.optional(),
    recorded: Recorded,
  },
  handle(input, ctx) {
    const m = ctx.methodology;
    const { deal_id, ...given } = input;
    if (!deal_id) {
      const s = classifySegment(m, given as SegmentInput);
      return reply({ ...s, recorded: false }, summary(s));
    }
    const mergedWithDeal = () => {
      const deal = ctx.store().requireDeal(deal_id);
      return {
        employees: given.employees ?? deal.employees ?? undefined,
        annual_revenue: given.annual_revenue ?? deal.annual_revenue ?? undefined,
        expected_deal_size:
          given.expected_deal_size ??
          (deal.currency === m.segmentation.tier_thresholds.currency ? (deal.amount ?? undefined) : undefined),
        tier: given.tier,
        actively_evaluating: given.actively_evaluating ?? deal.actively_evaluating ?? undefined,
        budget_status: given.budget_status ?? deal.bant?.budget,
        timeline_status: deal.bant?.timeline,
        timeline_months: given.timeline_months ?? deal.timeline_months ?? undefined,
        need_awareness: given.need_awareness ?? ((deal.need_awareness as SegmentInput["need_awareness"]) || undefined),
      } satisfies SegmentInput;
    };
    if (ctx.readOnly) {
      const s = classifySegment(m, mergedWithDeal());
      return reply({ ...s, deal_id, recorded: false }, [...summary(s), "Not saved: this server is read-only."]);
    }
    return ctx.write(() => {
      const store = ctx.store();
      const s = classifySegment(m, mergedWithDeal());
      store.updateDeal(
        deal_id,
        {
          tier: s.tier,
          readiness: s.readiness,
          segment: s.segment,
          employees: given.employees,
          annual_revenue: given.annual_revenue,
          actively_evaluating: given.actively_evaluating,
          timeline_months: given.timeline_months,
          need_awareness: given.need_awareness,
        },
        ctx.now().toISOString(),
      );
      return reply({ ...s, deal_id, recorded: true }, [...summary(s), `Saved on ${deal_id}.`]);
    });
  },
});

function summary(s: ReturnType<typeof classifySegment>): string[] {
  const c = s.cycle_time_months;
  return [
    `**${s.label}** (${s.segment})${s.in_matrix ? "" : " · not in the reference matrix, derived guidance"}`,
    `Approach: ${s.sales_approach} · Engagement: ${s.engagement_level} · Cycle: ${c.min}-${c.max} months${s.cycle_note ? ` ${s.cycle_note}` : ""}`,
  ];
}
