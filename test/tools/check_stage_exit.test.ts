import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { connect, teamMethodology, type Harness } from "../helpers/connect.js";

describe("check_stage_exit", () => {
  let h: Harness;
  beforeAll(async () => (h = await connect()));
  afterAll(() => h.close());

  it("with only a stage lists its criteria, all unknown", async () => {
    const r = await h.callOk("check_stage_exit", { stage: "proposal_negotiation" });
    expect(r.stage_name).toBe("Proposal & Negotiation");
    // Its four exit criteria, then Closing's two entrance criteria.
    expect(r.criteria.map((c: any) => c.met)).toEqual([null, null, null, null, null, null]);
    expect(r.criteria.filter((c: any) => c.entrance).map((c: any) => c.id)).toEqual([
      "agreement_reached",
      "contract_prepared",
    ]);
    expect(r.can_advance).toBe(false);
    expect(r.next_stage).toBe("closing");
    expect(r.recorded).toBe(false);
  });

  it("needs a stage or a deal", async () => {
    expect(await h.callError("check_stage_exit", {})).toMatch(/stage is required without deal_id/);
  });

  it("refuses criteria of another stage with the valid ids", async () => {
    expect(await h.callError("check_stage_exit", { stage: "prospecting", met: ["terms_agreed"] })).toMatch(
      /not a criterion of the Prospecting gate.*meeting_agreed/,
    );
  });

  it("records a check on the deal's current stage", async () => {
    const { deal } = await h.callOk("create_deal", {
      name: "Gate",
      account: "Gate Co",
      owner: "Dana",
      stage: "closing",
    });
    const r = await h.callOk("check_stage_exit", {
      deal_id: deal.id,
      met: ["contract_executed", "implementation_briefed", "onboarding_scheduled", "partnership_established"],
    });
    expect(r).toMatchObject({ stage: "closing", can_advance: true, recorded: true, next_stage: "onboarding_success" });
    expect((await h.callOk("get_deal", { deal_id: deal.id })).stage_check.can_advance).toBe(true);
  });

  it("every criterion id a methodology loads can be named: one letter, or the longest allowed (60 characters)", async () => {
    const long = `m${"_x".repeat(29)}z`;
    expect(long).toHaveLength(60);
    const t = await connect({
      methodology: teamMethodology({
        "stages.json": (j) => {
          j.stages[0].exit_criteria[0].id = "m";
          j.stages[0].exit_criteria[1].id = long;
          j.stages[1].entrance_criteria[0].follows_from = ["m", "contact_verified"];
          j.stages[1].entrance_criteria[1].follows_from = [long];
        },
      }),
    });
    try {
      const r = await t.callOk("check_stage_exit", {
        stage: "prospecting",
        met: ["m", "contact_verified"],
        evidence: { [long]: "fits the profile" },
      });
      expect(r.criteria.filter((c: any) => !c.entrance).map((c: any) => [c.id, c.met])).toEqual([
        ["m", true],
        [long, true],
        ["contact_verified", true],
      ]);
      expect(r.can_advance).toBe(true);
      expect(await t.callError("check_stage_exit", { stage: "prospecting", met: [`${long}y`] })).toMatch(
        /criterion ids are at most 60 characters/,
      );
    } finally {
      await t.close();
    }
  });

  it("an entrance criterion derived from exit criteria is not recorded as said: it follows them when they change", async () => {
    const { deal } = await h.callOk("create_deal", {
      name: "Derived",
      account: "D Co",
      owner: "Dana",
      stage: "discovery",
    });
    const all = ["challenge_understood", "stakeholders_identified", "fit_assessed", "proposal_agreed"];
    const first = await h.callOk("check_stage_exit", { deal_id: deal.id, met: all });
    expect(first.criteria.find((c: any) => c.id === "presentation_wanted").met).toBe(true);
    // Stored: only what the rep said.
    const stored = h.store.latestStageCheck(deal.id, "discovery")!;
    expect(stored.criteria.presentation_wanted).toBeNull();
    expect(stored.criteria.fit_assessed).toBe(true);
    // The fit turns out wrong: the entrance criterion built on it is no longer met.
    const second = await h.callOk("check_stage_exit", { deal_id: deal.id, unmet: ["fit_assessed"] });
    expect(second.criteria.find((c: any) => c.id === "presentation_wanted").met).toBeNull();
    expect(second.unmet).toEqual(["fit_assessed"]);
    expect(second.reasons.join(" ")).toMatch(
      /"Fit is confirmed.*" follows from fit_assessed, proposal_agreed, not all met yet/,
    );
    // Said of explicitly, it stands: a refusal stays a refusal when the exit criteria are met again.
    await h.callOk("check_stage_exit", { deal_id: deal.id, unmet: ["presentation_wanted"] });
    const third = await h.callOk("check_stage_exit", { deal_id: deal.id, met: ["fit_assessed"] });
    expect(third.criteria.find((c: any) => c.id === "presentation_wanted").met).toBe(false);
    expect(third.can_advance).toBe(false);
    expect((await h.callOk("advance_stage", { deal_id: deal.id })).unmet).toEqual(["presentation_wanted"]);
  });
});
