import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { join } from "node:path";
import { connect, tempDir, type Harness } from "../helpers/connect.js";

describe("advance_stage", () => {
  let h: Harness;
  beforeAll(async () => (h = await connect()));
  afterAll(() => h.close());

  const make = async (stage = "discovery") =>
    (await h.callOk("create_deal", { name: "Adv", account: "Adv Co", owner: "Dana", stage, created_at: "2026-10-01" }))
      .deal.id as string;

  it("a deal without stakeholders identified cannot leave discovery", async () => {
    const id = await make();
    await h.callOk("check_stage_exit", {
      deal_id: id,
      met: ["challenge_understood", "fit_assessed", "proposal_agreed"],
    });
    const r = await h.callOk("advance_stage", { deal_id: id });
    // The exit criterion (Solution Presentation's entrance criterion built on it waits on it).
    expect(r).toMatchObject({ moved: false, gate: "refused", unmet: ["stakeholders_identified"] });
    expect(r.reasons.join(" ")).toMatch(/"Identified stakeholders and their priorities" is not met/);
    expect((await h.callOk("get_deal", { deal_id: id })).stage_history).toHaveLength(1);
  });

  it("an unmet entrance criterion of the stage entered refuses the move even when every exit criterion is met", async () => {
    const id = await make();
    const all = ["challenge_understood", "stakeholders_identified", "fit_assessed", "proposal_agreed"];
    await h.callOk("check_stage_exit", { deal_id: id, met: all, unmet: ["presentation_wanted"] });
    const r = await h.callOk("advance_stage", { deal_id: id });
    expect(r).toMatchObject({ moved: false, gate: "refused", unmet: ["presentation_wanted"] });
    expect(r.reasons.join(" ")).toMatch(/Solution Presentation entrance criterion "Fit is confirmed/);
    await h.callOk("check_stage_exit", { deal_id: id, evidence: { presentation_wanted: "CTO asked for a demo" } });
    expect(await h.callOk("advance_stage", { deal_id: id })).toMatchObject({ moved: true, gate: "passed" });
  });

  it("an open deal does not advance past Closing: the win is close_deal's, and nothing changes", async () => {
    const id = await make("closing");
    await h.callOk("check_stage_exit", { deal_id: id, met: ["contract_executed"] });
    for (const args of [{}, { to_stage: "onboarding_success", override_reason: "signed yesterday" }]) {
      const msg = await h.callError("advance_stage", { deal_id: id, ...args });
      expect(msg).toMatch(
        /Onboarding & Success comes after the sale: D-\d+ gets there by being won\. Call close_deal with outcome "won" .*Nothing was changed/,
      );
    }
    expect((await h.callOk("get_deal", { deal_id: id })).deal).toMatchObject({ stage: "closing", status: "open" });
    expect((await h.callOk("close_deal", { deal_id: id, outcome: "won" })).deal.status).toBe("won");
  });

  it("skipping a stage needs an override reason", async () => {
    const id = await make("prospecting");
    const r = await h.callOk("advance_stage", { deal_id: id, to_stage: "proposal_negotiation" });
    expect(r.moved).toBe(false);
    expect(r.reasons.join(" ")).toMatch(/not the next stage/);
    const o = await h.callOk("advance_stage", {
      deal_id: id,
      to_stage: "proposal_negotiation",
      override_reason: "Inbound RFP: discovery done by the customer",
    });
    expect(o).toMatchObject({ moved: true, gate: "override", to_stage: "proposal_negotiation" });
  });

  it("closed deals and the last stage cannot move", async () => {
    const id = await make("onboarding_success");
    expect(await h.callError("advance_stage", { deal_id: id })).toMatch(/last stage/);
    await h.callOk("close_deal", { deal_id: id, outcome: "won", reason: "Signed" });
    expect(await h.callError("advance_stage", { deal_id: id, override_reason: "x" })).toMatch(/only open deals/);
  });

  it("a move cannot be dated before the deal entered its stage", async () => {
    const id = await make("prospecting");
    expect(await h.callError("advance_stage", { deal_id: id, override_reason: "x", at: "2026-09-01" })).toMatch(
      /before/,
    );
  });
});

describe("a stage check from an earlier stay in the stage", () => {
  it("does not pass the gate after the deal moved back and re-entered the stage, nor carry over", async () => {
    const tmp = tempDir();
    const dbPath = join(tmp.dir, "deals.db");
    const all = ["challenge_understood", "stakeholders_identified", "fit_assessed", "proposal_agreed"];
    // 20 November: Discovery's gate passes and the deal moves on.
    const before = await connect({ dbPath, now: "2026-11-20T12:00:00.000Z" });
    const { deal } = await before.callOk("create_deal", {
      name: "Back",
      account: "Back Co",
      owner: "Dana",
      stage: "discovery",
      created_at: "2026-10-01",
    });
    await before.callOk("check_stage_exit", { deal_id: deal.id, met: all });
    expect(await before.callOk("advance_stage", { deal_id: deal.id })).toMatchObject({ moved: true, gate: "passed" });
    await before.close();
    // 25 November: back to Discovery (the champion left); the 20 November check is of the earlier stay.
    const h = await connect({ dbPath, now: "2026-11-25T12:00:00.000Z" });
    try {
      await h.callOk("advance_stage", { deal_id: deal.id, to_stage: "discovery", override_reason: "champion left" });
      const r = await h.callOk("advance_stage", { deal_id: deal.id });
      expect(r).toMatchObject({ moved: false, gate: "refused" });
      expect(r.unmet).toEqual(all);
      expect(r.reasons[0]).toMatch(
        /The last Discovery exit check .* \(2026-11-20\) was made before it entered Discovery again \(2026-11-25\)/,
      );
      expect((await h.callOk("get_deal", { deal_id: deal.id })).stage_check).toBeNull();
      // A new check starts from nothing said; once it passes, the deal moves.
      const bare = await h.callOk("check_stage_exit", { deal_id: deal.id });
      expect(bare.criteria.every((c: any) => c.met === null)).toBe(true);
      expect(bare.can_advance).toBe(false);
      await h.callOk("check_stage_exit", { deal_id: deal.id, met: all });
      expect(await h.callOk("advance_stage", { deal_id: deal.id })).toMatchObject({ moved: true, gate: "passed" });
    } finally {
      await h.close();
      tmp.cleanup();
    }
  });
});
