import fc from "fast-check";
import { describe, expect, it } from "vitest";
import {
  qualificationScore as bantScore,
  qualifyProspect,
  signalsOf,
  underFramework,
  type QualificationStatuses as BantStatuses,
} from "../../src/methodology/qualify.js";
import { SIGNAL_VALUES as BANT_STATUS_IDS } from "../../src/methodology/schema.js";
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
    expect(q.next_questions[0]).toBe(m.qualificationDimension("budget").questions[0]);
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
    [
      {
        budget: { status: "approved" },
        authority: { status: "decision_maker" },
        need: { status: "none" },
        timeline: { status: "defined" },
      },
      ["no_need"],
    ],
  ])("disqualifies %j (no need: nothing of value to sell)", (input, disqualifiers) => {
    const q = qualifyProspect(m, input as never);
    expect(q.verdict).toBe("disqualified");
    expect(q.disqualifiers).toEqual(disqualifiers);
    expect(q.band).toBe("weak");
    expect(q.reasons.join(" ")).toMatch(/Disqualifier "no_need" \(this server's default\)/);
  });

  it.each([
    // The reference's Not Ready profile: problem awareness low, no active timeline.
    [{ need: { status: "latent" }, timeline: { status: "none" } }, "not_ready_profile"],
    [{ need: { status: "unknown" }, timeline: { status: "none" } }, "not_ready_profile"],
    // A real need, but no budget and no plan to act: nurture, not disqualified.
    [
      { budget: { status: "none" }, need: { status: "confirmed" }, timeline: { status: "none" } },
      "no_budget_no_timeline",
    ],
  ])("%j is a nurture candidate (%s), banded weak, with a nurture action", (input, trigger) => {
    const q = qualifyProspect(m, input as never);
    expect(q.verdict).toBe("nurture");
    expect(q.nurture_triggers).toEqual([trigger]);
    expect(q.disqualifiers).toEqual([]);
    expect(q.band).toBe("weak");
    expect(q.recommended_action).toMatch(/nurture/);
    expect(q.recommended_action).not.toMatch(/Keep it in discovery/);
  });

  it("budget none alone stays a gap, with the reference's reason and a way to requalify", () => {
    const q = qualifyProspect(m, {
      budget: { status: "none" },
      authority: { status: "decision_maker" },
      need: { status: "critical" },
      timeline: { status: "defined" },
    });
    expect(q.verdict).toBe("needs_discovery");
    expect(q.reasons.join(" ")).toMatch(/no identified budget as a Defect in Qualification/);
    expect(q.recommended_action).toMatch(/Requalify the budget/);
  });

  it("the band never contradicts the verdict: only qualified is strong, disqualified and nurture are weak", () => {
    const q = qualifyProspect(m, {
      budget: { status: "approved" },
      authority: { status: "decision_maker" },
      need: { status: "critical" },
      timeline: { status: "tentative" },
    });
    expect(q.verdict).toBe("needs_discovery");
    expect(q.score).toBeGreaterThanOrEqual(80);
    expect(q.band).toBe("moderate");
  });

  it("the score never drops when one dimension improves (property)", () => {
    const dims = Object.keys(BANT_STATUS_IDS) as Array<keyof typeof BANT_STATUS_IDS>;
    const rank = (d: keyof typeof BANT_STATUS_IDS) => m.qualificationDimension(d).statuses.map((s) => s.id);
    const statuses = fc.record(
      Object.fromEntries(dims.map((d) => [d, fc.constantFrom(...rank(d))])) as never,
    ) as fc.Arbitrary<BantStatuses>;
    fc.assert(
      fc.property(statuses, fc.constantFrom(...dims), (s, dim) => {
        const order = rank(dim);
        const i = order.indexOf(s[dim]!);
        if (i === 0) return true;
        const better = { ...s, [dim]: order[i - 1]! };
        return bantScore(m, better) >= bantScore(m, s);
      }),
      { numRuns: 500 },
    );
  });

  it("qualified only when no dimension is a gap (property)", () => {
    const dims = Object.keys(BANT_STATUS_IDS) as Array<keyof typeof BANT_STATUS_IDS>;
    const arb = fc.record(
      Object.fromEntries(dims.map((d) => [d, fc.constantFrom(...BANT_STATUS_IDS[d])])) as never,
    ) as fc.Arbitrary<BantStatuses>;
    fc.assert(
      fc.property(arb, (s) => {
        const q = qualifyProspect(m, Object.fromEntries(dims.map((d) => [d, { status: s[d] }])) as never);
        const bandOk = q.verdict === "qualified" || q.band !== "strong";
        if (!bandOk) return false;
        if (q.verdict === "qualified") return q.gaps.length === 0 && q.disqualifiers.length === 0;
        if (q.verdict === "needs_discovery") return q.gaps.length > 0 && q.next_questions.length === q.gaps.length;
        if (q.verdict === "nurture") return q.nurture_triggers.length > 0 && q.band === "weak";
        return q.disqualifiers.length > 0 && q.band === "weak";
      }),
      { numRuns: 300 },
    );
  });
});

describe("the recommended action follows the deal's stage", () => {
  const perfect = {
    budget: { status: "approved" },
    authority: { status: "decision_maker" },
    need: { status: "critical" },
    timeline: { status: "defined" },
  } as const;
  it("a qualified deal in Proposal & Negotiation keeps working its stage, never moves back toward Solution Presentation", () => {
    const q = qualifyProspect(m, perfect, { stage: "proposal_negotiation" });
    expect(q.recommended_action).toMatch(/keep working Proposal & Negotiation/);
    expect(q.recommended_action).not.toMatch(/Solution Presentation/);
  });

  it("a deal in Closing with an unknown budget gets a Defects-in-Qualification warning and what to do now, not 'keep it in discovery'", () => {
    const q = qualifyProspect(m, { ...perfect, budget: { status: "unknown" } }, { stage: "closing" });
    expect(q.verdict).toBe("needs_discovery");
    expect(q.recommended_action).toMatch(/^Defects in Qualification warning: Closing is past Discovery/);
    expect(q.recommended_action).toMatch(/without moving it back/);
    expect(q.recommended_action).not.toMatch(/Keep it in/);
  });

  it("in Discovery a gap is closed in discovery", () => {
    expect(
      qualifyProspect(m, { ...perfect, budget: { status: "unknown" } }, { stage: "discovery" }).recommended_action,
    ).toMatch(/^Keep it in Discovery/);
  });
});

describe("silence never replaces a known status", () => {
  const prior = {
    framework: "bant",
    statuses: { budget: "approved", authority: "decision_maker", need: "confirmed", timeline: "defined" },
  };
  it("a call that says nothing about a dimension keeps the deal's last one", () => {
    const q = qualifyProspect(m, { need: { status: "critical" } }, { prior });
    expect(q.dimensions.budget!.status).toBe("approved");
    expect(q.dimensions.need!.status).toBe("critical");
    expect(q.verdict).toBe("qualified");
  });

  it("an explicit unknown does not wipe a known status, and the reasons say so", () => {
    const q = qualifyProspect(m, { budget: { status: "unknown" } }, { prior });
    expect(q.dimensions.budget!.status).toBe("approved");
    expect(q.reasons.join(" ")).toMatch(/Budget stays "approved" as last recorded/);
  });

  it("an explicit new status does replace it", () => {
    expect(qualifyProspect(m, { budget: { status: "none" } }, { prior }).dimensions.budget!.status).toBe("none");
  });
});

describe.each(["bant", "meddicc", "spiced", "champ"])("the shipped %s framework", (id) => {
  const fm = underFramework(m, id)!;
  const dims = fm.qualification.dimensions;
  const all = (pick: (d: (typeof dims)[number]) => string) =>
    Object.fromEntries(dims.map((d) => [d.id, { status: pick(d) }]));

  it("every dimension at its best status qualifies at 100; nothing known is a gap in every dimension", () => {
    expect(
      qualifyProspect(
        fm,
        all((d) => d.statuses[0]!.id),
      ),
    ).toMatchObject({ verdict: "qualified", score: 100 });
    const none = qualifyProspect(fm, {});
    expect(none.verdict).toBe("needs_discovery");
    expect(none.gaps).toEqual(dims.map((d) => d.id));
    expect(none.next_questions).toHaveLength(dims.length);
  });

  it("the score never drops when one dimension improves (property)", () => {
    const statuses = fc.record(
      Object.fromEntries(dims.map((d) => [d.id, fc.constantFrom(...d.statuses.map((s) => s.id))])),
    );
    fc.assert(
      fc.property(statuses, fc.constantFrom(...dims), (s, d) => {
        const order = d.statuses.map((x) => x.id);
        const i = order.indexOf(s[d.id]!);
        if (i === 0) return true;
        return bantScore(fm, { ...s, [d.id]: order[i - 1]! }) >= bantScore(fm, s);
      }),
      { numRuns: 300 },
    );
  });

  it("the worst status of the need dimension disqualifies", () => {
    const need = dims.find((d) => d.id === fm.qualification.signals.need.dimension)!;
    const q = qualifyProspect(fm, { [need.id]: { status: need.statuses[need.statuses.length - 1]!.id } });
    expect(q.verdict).toBe("disqualified");
  });

  it("its signals speak BANT's values for every status, and unknown means unknown", () => {
    const unknown = signalsOf(fm, Object.fromEntries(dims.map((d) => [d.id, "unknown"])));
    for (const v of Object.values(unknown)) expect([null, "unknown"]).toContain(v);
    const best = signalsOf(fm, Object.fromEntries(dims.map((d) => [d.id, d.statuses[0]!.id])));
    if (best.need !== null) expect(best.need).toBe("critical");
  });
});
