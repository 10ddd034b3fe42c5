// The deal fields create_deal and update_deal take (and the import maps onto).
import { z } from "zod";
import { cleanText, closedObject, Count, Currency, IsoDate, Money, Months, Name, looseEnum, Tier } from "./schemas.js";

export const StakeholderInput = closedObject({
  name: Name,
  role: cleanText(200).optional(),
  decision_maker: z.boolean().optional(),
});

/** Firmographic and readiness fields shared by create_deal and update_deal. */
export const DealFields = {
  amount: Money.optional(),
  currency: Currency.optional(),
  source: cleanText(100).optional().describe("e.g. inbound, referral"),
  industry: cleanText(100).optional(),
  employees: Count.optional(),
  annual_revenue: Money.optional(),
  tier: Tier.optional().describe("overrides the size signals"),
  actively_evaluating: z.boolean().optional(),
  need_awareness: looseEnum(["high", "medium", "low"]).optional(),
  timeline_months: Months.optional().describe("until they intend to buy"),
  expected_close_date: IsoDate.optional(),
  stakeholders: z.array(StakeholderInput).max(50).optional().describe("buying side; added or updated by name"),
};
