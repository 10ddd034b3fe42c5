import { describe, expect, it } from "vitest";
import { RuleInputError } from "../../src/methodology/errors.js";
import { classifySegment, classifyTier } from "../../src/methodology/segment.js";
import { methodology } from "../helpers/connect.js";

const m = methodology();

describe("tier", () => {
  it.each([
    [{ employees: 99 }, "smb"],
    [{ employees: 100 }, "mid_market"],
    [{ employees: 999 }, "mid_market"],
    [{ employees: 1000 }, "enterprise"],
    [{ annual_revenue: 49_999_999 }, "smb"],
    [{ annual_revenue: 50_000_000 }, "mid_market"],
    [{ annual_revenue: 1_000_000_000 }, "enterprise"],
    [{ expected_deal_size: 10_000 }, "smb"],
    [{ expected_deal_size: 200_000 }, "enterprise"],
  ])("%j is %s", (input, tier) => {
    expect(classifyTier(m, input).tier).toBe(tier);
  });

  it("when signals disagree the larger tier wins and the reasons say which signal decided", () => {
    const t = classifyTier(m, { employees: 40, annual_revenue: 2_000_000_000 });
    expect(t.tier).toBe("enterprise");
    expect(t.reasons.join(" ")).toMatch(/disagree.*annual_revenue decided/);
  });

  it("an explicit tier overrides the signals", () => {
    expect(classifyTier(m, { employees: 40, tier: "enterprise" }).tier).toBe("enterprise");
  });

  it("no signal at all is refused, naming the fields to send", () => {
    expect(() => classifyTier(m, {})).toThrow(RuleInputError);
    expect(() => classifyTier(m, {})).toThrow(/employees, annual_revenue, expected_deal_size, or tier/);
  });
});

describe("readiness and the matrix", () => {
  it("ready: evaluating, budget identified, 3 months -> Mid-Market-Ready row of the matrix", () => {
    const s = classifySegment(m, { employees: 450, actively_evaluating: true, budget_status: "identified", timeline_months: 3 });
    expect(s).toMatchObject({
      tier: "mid_market",
      readiness: "ready",
      segment: "mid_market_ready",
      label: "Mid-Market-Ready",
      in_matrix: true,
      sales_approach: "Direct sales + some support",
      engagement_level: "Medium-touch",
      cycle_time_months: { min: 2, max: 3 },
    });
  });

  it.each([
    [{ actively_evaluating: true, budget_status: "identified", timeline_months: 4 }, "exploring"],
    [{ actively_evaluating: false, need_awareness: "high", timeline_months: 6 }, "exploring"],
    [{ need_awareness: "medium", timeline_months: 7 }, "not_ready"],
    [{ need_awareness: "low", timeline_months: 2 }, "not_ready"],
    [{ actively_evaluating: true, budget_status: "unknown", timeline_months: 1 }, "exploring"],
    [{ actively_evaluating: true, budget_status: "approved" }, "not_ready"],
  ])("%j -> %s", (input, readiness) => {
    expect(classifySegment(m, { employees: 5000, ...(input as object) }).readiness).toBe(readiness);
  });

  it.each([
    ["enterprise", { need_awareness: "low" }],
    ["mid_market", { need_awareness: "low" }],
    ["smb", { need_awareness: "high", timeline_months: 5 }],
  ])("%s x the missing readiness gets derived guidance with in_matrix false", (tier, input) => {
    const s = classifySegment(m, { tier: tier as never, ...(input as object) });
    expect(s.in_matrix).toBe(false);
    expect(s.reasons.join(" ")).toMatch(/not in the reference's segmentation matrix/);
    expect(s.sales_approach.length).toBeGreaterThan(5);
  });
});
