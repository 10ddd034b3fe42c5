// A deal's whole life through a real MCP client, and that all of it survives a restart.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { connect, tempDir, type Harness } from "../helpers/connect.js";
import { join } from "node:path";

describe("a deal's whole life", () => {
  const tmp = tempDir();
  const dbPath = join(tmp.dir, "deals.db");
  let h: Harness;
  let id: string;
  beforeAll(async () => {
    h = await connect({ dbPath });
  });
  afterAll(async () => {
    await h.close();
    tmp.cleanup();
  });

  it("creates the deal from the rep's call and derives its segment", async () => {
    const r = await h.callOk("create_deal", {
      name: "Acme - fleet rollout",
      account: "Acme Logistics",
      owner: "Dana Lee",
      amount: 48000,
      employees: 450,
      actively_evaluating: true,
      timeline_months: 5,
      created_at: "2026-11-02",
      stakeholders: [{ name: "Priya Shah", role: "VP Operations" }],
    });
    id = r.deal.id;
    expect(id).toMatch(/^D-\d{4}$/);
    expect(r.deal).toMatchObject({
      stage: "prospecting",
      stage_name: "Prospecting",
      status: "open",
      tier: "mid_market",
      readiness: "exploring",
      segment: "mid_market_exploring",
    });
    expect(r.__text).toContain(id);
  });

  it("qualifies it: budget not confirmed yet is a gap, recorded on the deal", async () => {
    const q = await h.callOk("qualify_prospect", {
      deal_id: id,
      authority: { status: "access_to_decision_maker", note: "VP Ops" },
      need: { status: "confirmed", pain_points: ["manual dispatch"] },
      timeline: { status: "defined", months: 5 },
    });
    expect(q).toMatchObject({ verdict: "needs_discovery", gaps: ["budget"], recorded: true, deal_id: id });
    // A later call with only the budget keeps the other dimensions from the deal.
    const q2 = await h.callOk("qualify_prospect", { deal_id: id, budget: { status: "identified", amount: 50000 } });
    expect(q2).toMatchObject({ verdict: "qualified", gaps: [] });
    expect(q2.dimensions.authority.status).toBe("access_to_decision_maker");
  });

  it("refuses to advance without a recorded stage check, and changes nothing", async () => {
    const r = await h.callOk("advance_stage", { deal_id: id });
    expect(r).toMatchObject({ moved: false, gate: "refused", from_stage: "prospecting" });
    expect(r.unmet).toEqual(["meeting_agreed", "basic_fit_assessed", "contact_verified"]);
    expect(r.__text).toMatch(/Refused/);
    expect((await h.callOk("get_deal", { deal_id: id })).deal.stage).toBe("prospecting");
  });

  it("refuses while a criterion is unmet, then advances once the check passes", async () => {
    const c1 = await h.callOk("check_stage_exit", { deal_id: id, met: ["meeting_agreed", "basic_fit_assessed"] });
    expect(c1).toMatchObject({ stage: "prospecting", can_advance: false, unmet: ["contact_verified"], recorded: true });
    const refused = await h.callOk("advance_stage", { deal_id: id });
    expect(refused.moved).toBe(false);
    expect(refused.unmet).toEqual(["contact_verified"]);
    // The earlier answers carry over: only the missing one is sent now.
    const c2 = await h.callOk("check_stage_exit", {
      deal_id: id,
      evidence: { contact_verified: "Direct line confirmed on 2026-11-05" },
    });
    expect(c2.can_advance).toBe(true);
    const moved = await h.callOk("advance_stage", { deal_id: id, at: "2026-11-06" });
    expect(moved).toMatchObject({ moved: true, gate: "passed", from_stage: "prospecting", to_stage: "discovery" });
    expect(moved.deal.stage_entered_at).toBe("2026-11-06T00:00:00.000Z");
  });

  it("an override passes an unmet gate and is kept in the history", async () => {
    const r = await h.callOk("advance_stage", {
      deal_id: id,
      override_reason: "Customer asked for the proposal before the stakeholder map",
      at: "2026-11-10",
    });
    expect(r).toMatchObject({ moved: true, gate: "override", to_stage: "solution_presentation" });
    expect(r.unmet.length).toBeGreaterThan(0);
  });

  it("logs activities and closes the deal with a reason", async () => {
    await h.callOk("log_activity", {
      deal_id: id,
      type: "demo",
      summary: "Demo for ops team",
      occurred_at: "2026-11-12T15:00:00Z",
      duration_minutes: 60,
    });
    await h.callOk("log_activity", {
      deal_id: id,
      type: "proposal",
      summary: "Proposal v1 sent",
      occurred_at: "2026-11-20",
    });
    const closed = await h.callOk("close_deal", {
      deal_id: id,
      outcome: "won",
      reason: "ROI case on dispatch time convinced the CFO",
      closed_at: "2026-11-25",
    });
    expect(closed.deal).toMatchObject({
      status: "won",
      closed_at: "2026-11-25T00:00:00.000Z",
      close_reason: "ROI case on dispatch time convinced the CFO",
    });
    expect(await h.callError("close_deal", { deal_id: id, outcome: "lost" })).toMatch(/already won/);
  });

  it("all of it survives a restart", async () => {
    await h.close();
    h = await connect({ dbPath });
    const r = await h.callOk("get_deal", { deal_id: id });
    expect(r.deal).toMatchObject({ status: "won", stage: "solution_presentation", bant: { verdict: "qualified" } });
    expect(r.stage_history.map((x: any) => [x.stage, x.gate])).toEqual([
      ["prospecting", "created"],
      ["discovery", "passed"],
      ["solution_presentation", "override"],
    ]);
    expect(r.stage_history[2].override_reason).toBe("Customer asked for the proposal before the stakeholder map");
    expect(r.stage_history[0].days).toBe(4);
    expect(r.activities.map((a: any) => a.type)).toEqual(["proposal", "demo"]);
    expect(r.stakeholders).toEqual([{ name: "Priya Shah", role: "VP Operations", decision_maker: false }]);
    expect(r.qualification).toMatchObject({ verdict: "qualified", budget: "identified" });
    // Stored text comes back fenced as data in the text content.
    expect(r.__text).toMatch(
      /<untrusted-data-[0-9a-f]{12}>[\s\S]*Acme - fleet rollout[\s\S]*<\/untrusted-data-[0-9a-f]{12}>/,
    );
  });
});
