import { ACTIVE_STATUSES, CLOSED_STATUSES } from "../../methodology/schema.js";
import { defineTool, reply } from "../define.js";
import { dealLine, DealOut, dealText, presentDeal } from "../../app/deal-view.js";
import { toTimestamp } from "../../app/dates.js";
import { cleanText, DealId, IsoDate, looseEnum, Reasons } from "../../app/schemas.js";
import { InputError } from "../../methodology/errors.js";
import { assertPast } from "../../app/dates.js";

export default defineTool({
  name: "close_deal",
  title: "Close a deal",
  kind: "update",
  description: [
    "Closes an open or parked deal as won, lost or disqualified (never a fit; not a loss) with its reason, which win-loss learns from.",
    'Example: {"deal_id":"D-0042","outcome":"lost","reason":"Chose a cheaper competitor"}',
  ].join(" "),
  input: {
    deal_id: DealId,
    outcome: looseEnum(CLOSED_STATUSES),
    reason: cleanText(1000, { multiline: true }).optional(),
    closed_at: IsoDate.optional(),
  },
  output: { deal: DealOut, reasons: Reasons },
  handle(input, ctx) {
    const m = ctx.methodology;
    const now = ctx.now();
    const at = input.closed_at ? toTimestamp(input.closed_at) : now.toISOString();
    assertPast(at, now, "closed_at");
    return ctx.write(() => {
      const store = ctx.store();
      const deal = store.requireDeal(input.deal_id);
      if (!(ACTIVE_STATUSES as readonly string[]).includes(deal.status)) {
        throw new InputError(
          `${deal.id} is already ${deal.status} (closed ${deal.closed_at?.slice(0, 10)}); nothing was changed.`,
          "deal_id",
        );
      }
      if (at < deal.stage_entered_at)
        throw new InputError(
          `closed_at is before ${deal.id} entered its current stage (${deal.stage_entered_at.slice(0, 10)}).`,
          "closed_at",
        );
      // A win is the closing stages' exit: the deal has reached the first stage after the sale.
      const reached = input.outcome === "won" ? m.wonStageIndex : undefined;
      const closed = store.closeDeal(
        deal.id,
        { status: input.outcome, reason: input.reason ?? null, closed_at: at, reached_stage_index: reached },
        now.toISOString(),
      );
      const reasons = [`Closed ${input.outcome} from ${m.stage(deal.stage as never).name}.`];
      if (!input.reason)
        reasons.push(
          `No reason recorded: ${m.waste("unutilized_talent").name} (no systematic knowledge capture of wins and losses). Add one with update_deal close_reason.`,
        );
      return reply(
        { deal: presentDeal(m, closed), reasons },
        [`Closed ${dealLine(m, closed)}`, ...reasons.slice(1)],
        dealText([closed]),
      );
    });
  },
});
