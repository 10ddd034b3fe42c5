import { z } from "zod";
import { StageId } from "../methodology/schema.js";
import { defineTool, reply, ToolError } from "./define.js";
import { dealLine, DealOut, dealText, presentDeal, toTimestamp } from "./deal-view.js";
import { deriveSegment } from "./derive.js";
import { cleanText, Currency, IsoDate, Money, Name, Reasons, Stage, Tier } from "./schemas.js";

export const StakeholderInput = z
  .object({
    name: Name.describe("Person's name, e.g. 'Priya Shah'"),
    role: cleanText(200).optional().describe("Role or title, e.g. 'VP Operations'"),
    decision_maker: z.boolean().optional().describe("true if this person can sign off the purchase"),
  })
  .strict();

/** Firmographic and readiness fields shared by create_deal and update_deal. */
export const DealFields = {
  amount: Money.optional().describe("Expected deal value, e.g. 48000"),
  currency: Currency.optional(),
  source: cleanText(100).optional().describe("Lead source, e.g. inbound, referral, outbound, event"),
  industry: cleanText(100).optional().describe("Industry, e.g. 'Logistics'"),
  employees: z.number().int().min(0).max(10_000_000).optional().describe("Employee count, e.g. 450"),
  annual_revenue: Money.optional().describe("Annual revenue in USD, e.g. 80000000"),
  tier: Tier.optional().describe("Set the tier directly instead of deriving it"),
  actively_evaluating: z.boolean().optional().describe("Actively evaluating solutions now?"),
  need_awareness: z.enum(["high", "medium", "low"]).optional().describe("How aware the prospect is of the need"),
  timeline_months: z.number().finite().min(0).max(120).optional().describe("Months until they intend to buy, e.g. 3"),
  expected_close_date: IsoDate.optional().describe("Expected close date, ISO, e.g. 2027-02-28"),
  stakeholders: z.array(StakeholderInput).max(50).optional().describe("People on the buying side: [{name, role, decision_maker}]"),
};

export default defineTool({
  name: "create_deal",
  title: "Create a deal",
  kind: "append",
  description: [
    "Creates a deal in the local store and returns it with its id (D-0042).",
    "Give name, account and owner; everything else is optional. stage defaults to prospecting; created_at and stage_entered_at let you enter an existing deal with its real dates.",
    "When employees, annual_revenue, amount or tier are given, tier, readiness and segment are derived with the classify_segment rules.",
    "Send a request_id to make a retry safe. Next: qualify_prospect and check_stage_exit with the new deal_id.",
    'Example: {"name":"Acme - fleet rollout","account":"Acme Logistics","owner":"Dana Lee","amount":48000,"employees":450,"stakeholders":[{"name":"Priya Shah","role":"VP Operations","decision_maker":true}]}',
  ].join(" "),
  input: {
    name: Name.describe("Deal name, e.g. 'Acme - fleet rollout'"),
    account: Name.describe("Customer account, e.g. 'Acme Logistics'"),
    owner: Name.describe("Sales owner, e.g. 'Dana Lee'"),
    stage: Stage.optional().describe(`Current stage (default prospecting): ${StageId.options.join(", ")}`),
    created_at: IsoDate.optional().describe("When the deal was created (default now), ISO"),
    stage_entered_at: IsoDate.optional().describe("When it entered its current stage (default created_at), ISO"),
    ...DealFields,
  },
  output: { deal: DealOut, reasons: Reasons },
  handle(input, ctx) {
    const m = ctx.methodology;
    const now = ctx.now();
    const created = input.created_at ? toTimestamp(input.created_at) : now.toISOString();
    const entered = input.stage_entered_at ? toTimestamp(input.stage_entered_at) : created;
    const soon = now.getTime() + 86_400_000;
    if (Date.parse(created) > soon) throw new ToolError("created_at is in the future; give the date the deal was actually created.", "created_at");
    if (Date.parse(entered) > soon) throw new ToolError("stage_entered_at is in the future.", "stage_entered_at");
    if (entered < created) throw new ToolError("stage_entered_at is before created_at; a deal enters its stage on or after it is created.", "stage_entered_at");
    const stage = input.stage ?? m.stages[0]!.id;
    const seg = deriveSegment(m, input);
    const reasons = seg ? seg.reasons : ["No tier signal (employees, annual_revenue, amount or tier), so no segment yet: call classify_segment when you know more."];
    return ctx.write(() => {
      const deal = ctx.store().createDeal(
        {
          name: input.name,
          account: input.account,
          owner: input.owner,
          amount: input.amount ?? null,
          currency: input.currency ?? "USD",
          stage,
          stage_index: m.stageIndex(stage),
          source: input.source ?? null,
          industry: input.industry ?? null,
          employees: input.employees ?? null,
          annual_revenue: input.annual_revenue ?? null,
          actively_evaluating: input.actively_evaluating ?? null,
          need_awareness: input.need_awareness ?? null,
          timeline_months: input.timeline_months ?? null,
          tier: seg?.tier ?? null,
          readiness: seg?.readiness ?? null,
          segment: seg?.segment ?? null,
          expected_close_date: input.expected_close_date?.slice(0, 10) ?? null,
          created_at: created,
          stage_entered_at: entered,
          stakeholders: input.stakeholders?.map((s) => ({ name: s.name, role: s.role ?? null, decision_maker: s.decision_maker ?? false })),
        },
        now.toISOString(),
      );
      return reply({ deal: presentDeal(m, deal), reasons }, [`Created ${dealLine(m, deal)}`, `Next: qualify_prospect with deal_id ${deal.id}.`], dealText([deal]));
    });
  },
});
