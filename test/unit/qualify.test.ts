import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { bantScore, qualifyProspect, type BantStatuses } from "../../src/methodology/qualify.js";
import { BANT_STATUS_IDS } from "../../src/methodology/schema.js";
import { methodology } from "../helpers/connect.js";

const m = methodology();

describe("BANT qualification", () => {
  it("a prospect with every dimension at its best status is qualified at 100", () => {
    const q = qualifyProspect(m, {
      budget: { status: "approved" },
      authority: { status: "decision_maker" },
      need: { status: "critical" },
      timeline: { status: "defined" },
    });
    expect(q).toMatchObject({ verdict: "qualified", score: 100, gaps: [], disqualifiers: [] });
    expect(q.recommended_action).toMatch(/Solution Presentation/);
  });

  it("the Acme call: VP Ops wants go-live by Q2, budget not confirmed -> needs discovery with a budget question", () => {
    const q = qualifyProspect(m, {
      authority: { status: "access_to_decision_maker", note: "VP Ops" },
      need: { status: "confirmed" },
      timeline: { status: "defined", months: 5 },
    });
    expect(q.verdict).toBe("needs_discovery");
    expect(q.gaps).toEqual(["budget"]);
    expect(q.next_questions).toHaveLength(1);
    expect(q.next_questions[0]).toBe(m.bantDimension("budget").questions[0]);
    expect(q.recommended_action).toContain(m.stageActivity("discovery.understand_budget"));
  });

  it("a dimension left out counts as unknown, and unknown is always a gap", () => {
    const q = qualifyProspect(m, {});
    expect(q.gaps).toEqual(["budget", "authority", "need", "timeline"]);
    expect(q.verdict).toBe("needs_discovery");
    expect(q.next_questions).toHaveLength(4);
  });

  it.each([
    [{ need: { status: "none" } }, ["no_need"]],
    [{ budget: { status: "none" }, timeline: { status: "none" } }, ["no_budget_no_timeline"]],
    [{ budget: { status: "approved" }, authority: { status: "decision_maker" }, need: { status: "none" }, timeline: { status: "defined" } }, ["no_need"]],
  ])("disqualifies %j", (input, disqualifiers) => {
    const q = qualifyProspect(m, input as never);
    expect(q.verdict).toBe("disqualified");
    expect(q.disqualifiers).toEqual(disqualifiers);
    expect(q.reasons.join(" ")).toMatch(/Disqualifier/);
  });

  it("budget none alone is a gap, not a disqualification", () => {
    expect(qualifyProspect(m, { budget: { status: "none" }, timeline: { status: "defined" } }).verdict).toBe("needs_discovery");
  });

  it("the score never drops when one dimension improves (property)", () => {
    const dims = Object.keys(BANT_STATUS_IDS) as Array<keyof typeof BANT_STATUS_IDS>;
    const rank = (d: keyof typeof BANT_STATUS_IDS) => m.bantDimension(d).statuses.map((s) => s.id);
    const statuses = fc.record(Object.fromEntries(dims.map((d) => [d, fc.constantFrom(...rank(d))])) as never) as fc.Arbitrary<BantStatuses>;
    fc.assert(
      fc.property(statuses, fc.constantFrom(...dims), (s, dim) => {
        const order = rank(dim);
        const i = order.indexOf(s[dim]);
        if (i === 0) return true;
        const better = { ...s, [dim]: order[i - 1]! };
        return bantScore(m, better) >= bantScore(m, s);
      }),
      { numRuns: 500 },
    );
  });

  it("qualified only when no dimension is a gap (property)", () => {
    const dims = Object.keys(BANT_STATUS_IDS) as Array<keyof typeof BANT_STATUS_IDS>;
    const arb = fc.record(Object.fromEntries(dims.map((d) => [d, fc.constantFrom(...BANT_STATUS_IDS[d])])) as never) as fc.Arbitrary<BantStatuses>;
    fc.assert(
      fc.property(arb, (s) => {
        const q = qualifyProspect(m, Object.fromEntries(dims.map((d) => [d, { status: s[d] }])) as never);
        if (q.verdict === "qualified") return q.gaps.length === 0 && q.disqualifiers.length === 0;
        if (q.verdict === "needs_discovery") return q.gaps.length > 0 && q.next_questions.length === q.gaps.length;
        return q.disqualifiers.length > 0;
      }),
      { numRuns: 300 },
    );
  });
});
