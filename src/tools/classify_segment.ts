import { z } from "zod";
import { classifySegment, type SegmentInput } from "../methodology/segment.js";
import { defineTool, reply } from "./define.js";
import { BudgetStatus, DealId, Readiness, Reasons, Recorded, Tier } from "./schemas.js";

export default defineTool({
  name: "classify_segment",
  title: "Classify the customer segment (tier x readiness)",
  kind: "update",
  description: [
    "Places a prospect in the Lean Sales segmentation matrix: tier (enterprise, mid_market, smb) from company size (employees or annual revenue; expected deal size only when neither is known), and readiness (ready, exploring, not_ready) from evaluation, budget, timeline and need awareness, or unknown when no signal supports a level.",
    "Returns the segment with its sales approach, engagement level and cycle time in months; in_matrix is false for the three combinations the reference's matrix lacks (the guidance is then derived and says so).",
    "With deal_id, missing inputs come from the deal (its amount is the expected deal size, its latest BANT budget the budget status) and the tier, readiness and segment are saved on the deal.",
    'Example: {"employees":450,"actively_evaluating":true,"budget_status":"identified","timeline_months":2}',
  ].join(" "),
  input: {
    deal_id: DealId.optional(),
    employees: z.number().int().min(0).max(10_000_000).optional().describe("Employee count, e.g. 450"),
    annual_revenue: z.number().finite().min(0).max(1e13).optional().describe("Annual revenue in USD, e.g. 120000000"),
    expected_deal_size: z.number().finite().min(0).max(1e12).optional().describe("Expected annual contract value in USD, e.g. 60000"),
    tier: Tier.optional().describe("Set the tier directly; overrides the firmographic signals"),
    actively_evaluating: z.boolean().optional().describe("Is the prospect actively evaluating solutions now?"),
    budget_status: BudgetStatus.optional().describe("BANT budget status: approved, identified, unknown or none"),
    timeline_months: z.number().finite().min(0).max(120).optional().describe("Months until the customer intends to buy, e.g. 3"),
    need_awareness: z.enum(["high", "medium", "low"]).optional().describe("How aware the prospect is of the need: high, medium or low"),
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
    return ctx.write(() => {
      const store = ctx.store();
      const deal = store.requireDeal(deal_id);
      const merged: SegmentInput = {
        employees: given.employees ?? deal.employees ?? undefined,
        annual_revenue: given.annual_revenue ?? deal.annual_revenue ?? undefined,
        expected_deal_size: given.expected_deal_size ?? (deal.currency === m.segmentation.tier_thresholds.currency ? deal.amount ?? undefined : undefined),
        tier: given.tier,
        actively_evaluating: given.actively_evaluating ?? deal.actively_evaluating ?? undefined,
        budget_status: given.budget_status ?? deal.bant?.budget,
        timeline_status: deal.bant?.timeline,
        timeline_months: given.timeline_months ?? deal.timeline_months ?? undefined,
        need_awareness: given.need_awareness ?? ((deal.need_awareness as SegmentInput["need_awareness"]) || undefined),
      };
      const s = classifySegment(m, merged);
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
