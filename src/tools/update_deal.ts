import type { Tier } from "../methodology/schema.js";
import { DealFields } from "./create_deal.js";
import { defineTool, reply, ToolError } from "./define.js";
import { dealLine, DealOut, dealText, presentDeal } from "./deal-view.js";
import { deriveSegment } from "./derive.js";
import type { DealPatch } from "../store/types.js";
import { cleanText, DealId, Name, Reasons } from "./schemas.js";
import { z } from "zod";

export default defineTool({
  name: "update_deal",
  title: "Update a deal's fields",
  kind: "update",
  description: [
    "Changes fields of a stored deal: name, account, owner (a handoff is counted), amount, currency, source, industry, firmographics, readiness signals, expected close date, and adds or updates stakeholders by name.",
    "Only the fields you send change; the deal's segment is re-derived when a tier or readiness signal changes.",
    "It does not move stages (use advance_stage) or close deals (use close_deal).",
    'Example: {"deal_id":"D-0042","amount":52000,"expected_close_date":"2027-01-31","stakeholders":[{"name":"Li Wei","role":"CFO","decision_maker":true}]}',
  ].join(" "),
  input: {
    deal_id: DealId,
    name: Name.optional().describe("New deal name"),
    account: Name.optional().describe("New account name"),
    owner: Name.optional().describe("New owner; each change counts as a handoff"),
    close_reason: cleanText(1000, { multiline: true }).optional().describe("Why a closed deal was won or lost, if it was not given at close"),
    ...DealFields,
  },
  output: { deal: DealOut, changed: z.array(z.string()), reasons: Reasons },
  handle(input, ctx) {
    const m = ctx.methodology;
    const { deal_id, stakeholders, ...fields } = input;
    return ctx.write(() => {
      const store = ctx.store();
      const before = store.requireDeal(deal_id);
      if (fields.close_reason !== undefined && before.status === "open") {
        throw new ToolError(`${deal_id} is open: give the reason when you close it (close_deal reason).`, "close_reason");
      }
      const patch: DealPatch = { ...fields, ...(fields.expected_close_date ? { expected_close_date: fields.expected_close_date.slice(0, 10) } : {}) };
      const reasons: string[] = [];
      const signals = ["employees", "annual_revenue", "amount", "currency", "tier", "actively_evaluating", "timeline_months", "need_awareness"] as const;
      if (signals.some((k) => fields[k] !== undefined)) {
        const seg = deriveSegment(m, {
          employees: fields.employees ?? before.employees,
          annual_revenue: fields.annual_revenue ?? before.annual_revenue,
          amount: fields.amount ?? before.amount,
          currency: fields.currency ?? before.currency,
          tier: (fields.tier ?? null) as Tier | null,
          actively_evaluating: fields.actively_evaluating ?? before.actively_evaluating,
          timeline_months: fields.timeline_months ?? before.timeline_months,
          need_awareness: fields.need_awareness ?? before.need_awareness,
          budget_status: before.bant?.budget ?? null,
        });
        if (seg) {
          Object.assign(patch, { tier: seg.tier, readiness: seg.readiness, segment: seg.segment });
          reasons.push(...seg.reasons);
        }
      }
      const now = ctx.now().toISOString();
      const after = store.updateDeal(deal_id, patch, now);
      if (stakeholders?.length) {
        store.upsertStakeholders(deal_id, stakeholders.map((s) => ({ name: s.name, role: s.role ?? null, decision_maker: s.decision_maker ?? false })));
        store.recordEvent(deal_id, "stakeholders", { names: stakeholders.map((s) => s.name) }, now);
      }
      const changed = Object.keys(patch).filter((k) => JSON.stringify((before as never)[k]) !== JSON.stringify((after as never)[k]));
      if (stakeholders?.length) changed.push("stakeholders");
      return reply(
        { deal: presentDeal(m, after), changed, reasons },
        [`Updated ${dealLine(m, after)}`, changed.length ? `Changed: ${changed.join(", ")}` : "Nothing changed (the values were already set)."],
        dealText([after]),
      );
    });
  },
});
