import { describe, expect, it } from "vitest";
import { InputError } from "../../src/methodology/errors.js";
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

  it("a 20-person company with a 200k deal is SMB: company size decides, deal size only when size is unknown", () => {
    const t = classifyTier(m, { employees: 20, expected_deal_size: 200_000 });
    expect(t.tier).toBe("smb");
    expect(t.reasons.join(" ")).toMatch(
      /would point to Enterprise, but the company's size decides the tier when it is known \(this server's default\)/,
    );
  });

  it("deal size decides only as a fallback, and says so", () => {
    const t = classifyTier(m, { expected_deal_size: 200_000 });
    expect(t.tier).toBe("enterprise");
    expect(t.reasons.join(" ")).toMatch(/No company size is known.*fallback/);
  });

  it("the cuts are labelled as this server's defaults, never as the reference's", () => {
    expect(classifyTier(m, { employees: 450 }).reasons[0]).toMatch(/this server's default cuts/);
    expect(m.provenance("segmentation.tier_thresholds")).toMatchObject({ source: "default" });
    expect(m.provenance("segmentation.matrix[0]")).toMatchObject({ source: "reference" });
  });

  it("when employees and revenue disagree the larger tier wins and the reasons say which signal decided", () => {
    const t = classifyTier(m, { employees: 40, annual_revenue: 2_000_000_000 });
    expect(t.tier).toBe("enterprise");
    expect(t.reasons.join(" ")).toMatch(/disagree.*annual_revenue decided/);
  });

  it("an explicit tier overrides the signals", () => {
    expect(classifyTier(m, { employees: 40, tier: "enterprise" }).tier).toBe("enterprise");
  });

  it("no signal at all is refused, naming the fields to send", () => {
    expect(() => classifyTier(m, {})).toThrow(InputError);
    expect(() => classifyTier(m, {})).toThrow(/employees, annual_revenue, expected_deal_size, or tier/);
  });
});

describe("readiness and the matrix", () => {
  it("ready: evaluating, budget identified, 3 months -> Mid-Market-Ready row of the matrix", () => {
    const s = classifySegment(m, {
      employees: 450,
      actively_evaluating: true,
      budget_status: "identified",
      timeline_months: 3,
    });
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

  it("an enterprise actively evaluating with approved budget and a defined 5-month timeline is Ready (4-6 month cycle)", () => {
    const s = classifySegment(m, {
      employees: 5000,
      actively_evaluating: true,
      budget_status: "approved",
      timeline_months: 5,
      timeline_status: "defined",
    });
    expect(s).toMatchObject({ segment: "enterprise_ready", cycle_time_months: { min: 4, max: 6 } });
  });

  it("the same 5-month timeline at a mid-market company is Exploring: timeline bands differ by tier", () => {
    expect(
      classifySegment(m, { employees: 450, actively_evaluating: true, budget_status: "approved", timeline_months: 5 })
        .readiness,
    ).toBe("exploring");
  });

  it.each([
    [{ actively_evaluating: true, budget_status: "identified", timeline_months: 7 }, "exploring"],
    [{ actively_evaluating: false, need_awareness: "high", timeline_months: 6 }, "exploring"],
    [{ need_awareness: "medium", timeline_months: 10 }, "not_ready"],
    [{ need_awareness: "low", timeline_months: 2 }, "not_ready"],
    [{ actively_evaluating: true, budget_status: "unknown", timeline_months: 1 }, "exploring"],
    [{ actively_evaluating: true, budget_status: "approved" }, "exploring"],
    [{ need_awareness: "high", timeline_status: "none" }, "not_ready"],
  ])("an enterprise with %j is %s", (input, readiness) => {
    expect(classifySegment(m, { employees: 5000, ...(input as object) }).readiness).toBe(readiness);
  });

  it.each([[{}], [{ budget_status: "approved" }], [{ actively_evaluating: false }], [{ budget_status: "unknown" }]])(
    "no signal that supports a level (%j) leaves readiness unknown, never Not Ready",
    (input) => {
      const s = classifySegment(m, { employees: 450, ...(input as object) });
      expect(s).toMatchObject({
        readiness: "unknown",
        segment: "mid_market_unknown",
        label: "Mid-Market, readiness unknown",
        in_matrix: false,
      });
      expect(s.reasons.join(" ")).toMatch(/no signal supports a readiness level/);
    },
  );

  it.each([
    ["enterprise", { need_awareness: "low" }],
    ["mid_market", { need_awareness: "low" }],
    ["smb", { need_awareness: "high", timeline_months: 5 }],
  ])(
    "%s x the missing readiness gets derived guidance with in_matrix false, labelled as this server's",
    (tier, input) => {
      const s = classifySegment(m, { tier: tier as never, ...(input as object) });
      expect(s.in_matrix).toBe(false);
      expect(s.reasons.join(" ")).toMatch(
        /not in the reference's segmentation matrix; this guidance is this server's default/,
      );
      expect(s.sales_approach.length).toBeGreaterThan(5);
    },
  );
});
