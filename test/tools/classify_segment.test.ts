import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { connect, teamMethodology, type Harness } from "../helpers/connect.js";

describe("classify_segment", () => {
  let h: Harness;
  beforeAll(async () => (h = await connect()));
  afterAll(() => h.close());

  it("places an enterprise that is ready in the Enterprise-Ready row", async () => {
    const r = await h.callOk("classify_segment", {
      employees: 12000,
      actively_evaluating: true,
      budget_status: "approved",
      timeline_months: 2,
    });
    expect(r).toMatchObject({
      segment: "enterprise_ready",
      label: "Enterprise-Ready",
      in_matrix: true,
      sales_approach: "Account team + executive engagement",
      engagement_level: "High-touch, consultative",
      cycle_time_months: { min: 4, max: 6 },
    });
  });

  it("gives derived guidance for a combination the matrix lacks", async () => {
    const r = await h.callOk("classify_segment", { employees: 20, need_awareness: "high", timeline_months: 5 });
    expect(r).toMatchObject({ segment: "smb_exploring", in_matrix: false });
    expect(r.__text).toMatch(/derived/);
  });

  it("refuses a call with no tier signal, naming what to send", async () => {
    expect(await h.callError("classify_segment", { actively_evaluating: true })).toMatch(
      /employees, annual_revenue, expected_deal_size, or tier/,
    );
  });

  it("with deal_id uses the deal's amount and BANT budget and saves the segment", async () => {
    const { deal } = await h.callOk("create_deal", { name: "Seg", account: "Seg Co", owner: "Dana", amount: 200000 });
    await h.callOk("qualify_prospect", { deal_id: deal.id, budget: { status: "approved" } });
    const r = await h.callOk("classify_segment", { deal_id: deal.id, actively_evaluating: true, timeline_months: 3 });
    expect(r).toMatchObject({ tier: "enterprise", readiness: "ready", recorded: true });
    expect((await h.callOk("get_deal", { deal_id: deal.id })).deal).toMatchObject({
      segment: "enterprise_ready",
      segment_label: "Enterprise-Ready",
    });
  });
});

describe("classify_segment under SPICED (no budget dimension)", () => {
  let h: Harness;
  beforeAll(
    async () =>
      (h = await connect({ methodology: teamMethodology({ "qualification.json": (j) => (j.active = "spiced") }) })),
  );
  afterAll(() => h.close());

  it("a qualified SPICED deal cannot be Ready: the budget is unknown, and the answer says why", async () => {
    const { deal } = await h.callOk("create_deal", { name: "S", account: "S Co", owner: "Dana", employees: 300 });
    const q = await h.callOk("qualify_prospect", {
      deal_id: deal.id,
      situation: "understood",
      pain: "critical",
      impact: "quantified",
      critical_event: { status: "committed", months: 2 },
      decision: "mapped",
    });
    expect(q.verdict).toBe("qualified");
    const got = await h.callOk("get_deal", { deal_id: deal.id });
    expect(got.qualification).toMatchObject({ framework: "spiced", budget: "unknown", timeline: "defined" });
    const r = await h.callOk("classify_segment", { deal_id: deal.id, actively_evaluating: true });
    expect(r.readiness).not.toBe("ready");
    expect(r.reasons.join(" ")).toMatch(/budget unknown: SPICED has no budget dimension/);
  });

  it("a budget status given outright still counts", async () => {
    const r = await h.callOk("classify_segment", {
      employees: 300,
      actively_evaluating: true,
      budget_status: "approved",
      timeline_months: 2,
    });
    expect(r.readiness).toBe("ready");
  });
});
