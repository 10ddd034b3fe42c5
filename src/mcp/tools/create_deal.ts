import { defineTool, reply } from "../define.js";
import { dealLine, DealOut, dealText, presentDeal } from "../../app/deal-view.js";
import { toTimestamp } from "../../app/dates.js";
import { deriveSegment } from "../../app/derive.js";
import { IsoDate, Name, Reasons, stageRef } from "../../app/schemas.js";
import { InputError } from "../../methodology/errors.js";
import { DealFields } from "../../app/deal-input.js";
import { assertPast } from "../../app/dates.js";

export default defineTool({
  name: "create_deal",
  title: "Create a deal",
  kind: "append",
  description: [
    "Creates a deal (D-0042). name and account are required; owner defaults to the configured user, stage to the first. Size and readiness fields derive the segment; created_at enters an existing deal with its real dates.",
    'Example: {"name":"Acme - fleet rollout","account":"Acme Logistics","amount":48000,"employees":450}',
  ].join(" "),
  input: (m) => ({
    name: Name,
    account: Name,
    owner: Name.optional().describe("default: the configured user"),
    stage: stageRef(m).optional(),
    created_at: IsoDate.optional(),
    stage_entered_at: IsoDate.optional(),
    ...DealFields,
  }),

  output: { deal: DealOut, reasons: Reasons },
  handle(input, ctx) {
    const m = ctx.methodology;
    const now = ctx.now();
    const created = input.created_at ? toTimestamp(input.created_at) : now.toISOString();
    const entered = input.stage_entered_at ? toTimestamp(input.stage_entered_at) : created;
    assertPast(created, now, "created_at", "give the date the deal was actually created.");
    assertPast(entered, now, "stage_entered_at");
    if (entered < created)
      throw new InputError(
        "stage_entered_at is before created_at; a deal enters its stage on or after it is created.",
        "stage_entered_at",
      );
    const stage = input.stage ?? m.stages[0]!.id;
    const owner = input.owner ?? ctx.user;
    if (!owner)
      throw new InputError(
        "owner is required here: no default user is configured (start the server with --user or LEAN_SALES_USER).",
        "owner",
      );
    const seg = deriveSegment(m, input);
    const reasons = seg
      ? seg.reasons
      : [
          "No tier signal (employees, annual_revenue, amount or tier), so no segment yet: call classify_segment when you know more.",
        ];
    return ctx.write(() => {
      const deal = ctx.store().createDeal(
        {
          name: input.name,
          account: input.account,
          owner,
          amount: input.amount ?? null,
          currency: input.currency ?? ctx.methodology.currency,
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
          stakeholders: input.stakeholders?.map((s) => ({
            name: s.name,
            role: s.role ?? null,
            decision_maker: s.decision_maker ?? false,
          })),
        },
        now.toISOString(),
      );
      return reply({ deal: presentDeal(m, deal), reasons }, [`Created ${dealLine(m, deal)}`], dealText([deal]), [
        {
          tool: "qualify_prospect",
          arguments: { deal_id: deal.id },
          why: "record what is known of budget, authority, need and timing",
        },
        {
          tool: "check_stage_exit",
          arguments: { deal_id: deal.id },
          why: `see what ${m.stage(stage).name} needs before it can move on`,
        },
      ]);
    });
  },
});
