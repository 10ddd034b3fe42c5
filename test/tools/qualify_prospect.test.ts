import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { connect, type Harness } from "../helpers/connect.js";

describe("qualify_prospect", () => {
  let h: Harness;
  beforeAll(async () => (h = await connect()));
  afterAll(() => h.close());

  it("answers a verdict with per-dimension scores, gaps, questions and reasons", async () => {
    const r = await h.callOk("qualify_prospect", {
      budget: { status: "identified", amount: 80000, currency: "EUR" },
      authority: { status: "influencer_only" },
      need: { status: "critical", pain_points: ["late deliveries"] },
      timeline: { status: "tentative" },
    });
    expect(r.verdict).toBe("needs_discovery");
    expect(r.gaps).toEqual(["authority", "timeline"]);
    expect(r.next_questions).toHaveLength(2);
    expect(r.dimensions.need).toMatchObject({ status: "critical", score: 100, qualifying: true });
    expect(r.recorded).toBe(false);
    expect(r.__text).toMatch(/needs_discovery/);
  });

  it("disqualifies a prospect with no need and says what to do", async () => {
    const r = await h.callOk("qualify_prospect", { need: { status: "none" } });
    expect(r).toMatchObject({ verdict: "disqualified", disqualifiers: ["no_need"] });
    expect(r.recommended_action).toMatch(/disqualification triggers|Exit/i);
  });

  it("refuses an unknown status, naming the field and the accepted values", async () => {
    const msg = await h.callError("qualify_prospect", { budget: { status: "maybe" } });
    expect(msg).toMatch(/budget\.status|budget/);
    expect(msg).toMatch(/approved/);
  });

  it("refuses an unknown deal and writes nothing", async () => {
    const before = h.store.counts();
    expect(await h.callError("qualify_prospect", { deal_id: "D-4242", need: { status: "critical" } })).toMatch(
      /No deal D-4242.*list_deals/,
    );
    expect(h.store.counts()).toEqual(before);
  });

  it("records on a deal and keeps earlier dimensions", async () => {
    const { deal } = await h.callOk("create_deal", { name: "Q", account: "Q Co", owner: "Dana" });
    await h.callOk("qualify_prospect", { deal_id: deal.id, need: { status: "critical" } });
    const r = await h.callOk("qualify_prospect", { deal_id: deal.id, budget: { status: "approved" } });
    expect(r.dimensions.need.status).toBe("critical");
    expect(r.recorded).toBe(true);
    expect((await h.callOk("get_deal", { deal_id: deal.id })).deal.bant).toMatchObject({
      budget: "approved",
      need: "critical",
    });
  });
});
