import type { Tier } from "../../methodology/schema.js";
import { DealFields } from "../../app/deal-input.js";
import { ACTIVE_STATUSES } from "../../methodology/schema.js";
import { defineTool, reply } from "../define.js";
import { dealLine, DealOut, dealText, presentDeal } from "../../app/deal-view.js";
import { deriveSegment } from "../../app/derive.js";
import type { Deal, DealPatch, DealStore } from "../../store/types.js";
import type { Methodology } from "../../methodology/load.js";
import { nurtureHorizon } from "../../methodology/qualify.js";
import { cleanText, DealId, IsoDate, looseEnum, Name, Reasons } from "../../app/schemas.js";
import { z } from "zod";
import { InputError } from "../../methodology/errors.js";
import { localDate } from "../../zone.js";

export default defineTool({
  name: "update_deal",
  title: "Update a deal",
  kind: "update",
  description: [
    "Changes the fields sent (stakeholders added or updated by name); the segment is re-derived. status nurture parks a deal until revisit_on, open brings it back. Stages: advance_stage; closing: close_deal.",
    'Example: {"deal_id":"D-0042","amount":52000,"stakeholders":[{"name":"Li Wei","role":"CFO","decision_maker":true}]}',
  ].join(" "),
  input: {
    deal_id: DealId,
    name: Name.optional(),
    account: Name.optional(),
    owner: Name.optional(),
    close_reason: cleanText(1000, { multiline: true }).optional().describe("closed deals only"),
    status: looseEnum(ACTIVE_STATUSES).optional(),
    revisit_on: IsoDate.optional(),
    ...DealFields,
  },
  output: { deal: DealOut, changed: z.array(z.string()), reasons: Reasons },
  handle(input, ctx) {
    const m = ctx.methodology;
    const { deal_id, stakeholders, status, revisit_on, ...fields } = input;
    return ctx.write(() => {
      const store = ctx.store();
      let before = store.requireDeal(deal_id);
      const now = ctx.now().toISOString();
      const reasons: string[] = [];
      const parked = park(m, store, before, { status, revisit_on }, ctx.now(), reasons);
      if (parked) before = parked;
      if (fields.close_reason !== undefined && before.status === "open") {
        throw new InputError(
          `${deal_id} is open: give the reason when you close it (close_deal reason).`,
          "close_reason",
        );
      }
      const patch: DealPatch = {
        ...fields,
        ...(fields.expected_close_date ? { expected_close_date: fields.expected_close_date.slice(0, 10) } : {}),
      };
      const signals = [
        "employees",
        "annual_revenue",
        "amount",
        "currency",
        "tier",
        "actively_evaluating",
        "timeline_months",
        "need_awareness",
      ] as const;
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
          timeline_status: before.bant?.timeline ?? null,
        });
        if (seg) {
          Object.assign(patch, { tier: seg.tier, readiness: seg.readiness, segment: seg.segment });
          reasons.push(...seg.reasons);
        }
      }
      const after = store.updateDeal(deal_id, patch, now);
      if (stakeholders?.length) {
        store.upsertStakeholders(
          deal_id,
          stakeholders.map((s) => ({ name: s.name, role: s.role ?? null, decision_maker: s.decision_maker ?? false })),
        );
        store.recordEvent(deal_id, "stakeholders", { names: stakeholders.map((s) => s.name) }, now);
      }
      const changed = Object.keys(patch).filter(
        (k) => JSON.stringify((before as never)[k]) !== JSON.stringify((after as never)[k]),
      );
      if (parked) changed.unshift("status", ...(parked.revisit_on ? ["revisit_on"] : []));
      if (stakeholders?.length) changed.push("stakeholders");
      return reply(
        { deal: presentDeal(m, after), changed, reasons },
        [
          `Updated ${dealLine(m, after)}`,
          changed.length ? `Changed: ${changed.join(", ")}` : "Nothing changed (the values were already set).",
        ],
        dealText([after]),
      );
    });
  },
});

/** Parks an open deal in nurture or brings a parked one back; returns the deal after, or undefined when status was not sent. */
function park(
  m: Methodology,
  store: DealStore,
  deal: Deal,
  want: { status?: "nurture" | "open"; revisit_on?: string },
  now: Date,
  reasons: string[],
): Deal | undefined {
  if (want.revisit_on !== undefined && want.status !== "nurture" && deal.status !== "nurture") {
    throw new InputError(`revisit_on applies to parked deals: send status "nurture" with it.`, "revisit_on");
  }
  if (want.status === undefined) {
    if (want.revisit_on === undefined) return undefined;
    return store.parkDeal(deal.id, want.revisit_on.slice(0, 10), now.toISOString());
  }
  if (want.status === "open") {
    if (deal.status !== "nurture")
      throw new InputError(
        `${deal.id} is ${deal.status}, not parked in nurture; status open only brings a parked deal back.`,
        "status",
      );
    reasons.push(`Back from nurture into ${m.stage(deal.stage as never).name}; its time in stage starts again today.`);
    return store.reopenDeal(deal.id, now.toISOString());
  }
  if (deal.status !== "open" && deal.status !== "nurture")
    throw new InputError(`${deal.id} is ${deal.status}; only open deals can be parked in nurture.`, "status");
  let revisit = want.revisit_on?.slice(0, 10);
  if (!revisit) {
    const h = nurtureHorizon(m, deal.tier as never);
    const d = new Date(now);
    d.setUTCMonth(d.getUTCMonth() + h.months);
    revisit = d.toISOString().slice(0, 10);
    reasons.push(`Parked until ${revisit}: ${h.reason}.`);
  } else reasons.push(`Parked until ${revisit}.`);
  if (revisit <= localDate(now))
    throw new InputError(`revisit_on must be after today (${localDate(now)}).`, "revisit_on");
  reasons.push(
    "A parked deal is left out of pipeline value, velocity and the waste rules; find_waste and list_deals bring it back up when it is due.",
  );
  return store.parkDeal(deal.id, revisit, now.toISOString());
}
