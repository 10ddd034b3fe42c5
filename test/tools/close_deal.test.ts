import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { connect, type Harness } from "../helpers/connect.js";

describe("close_deal", () => {
  let h: Harness;
  beforeAll(async () => (h = await connect()));
  afterAll(() => h.close());

  it("closing without a reason works but warns about unutilized talent", async () => {
    const { deal } = await h.callOk("create_deal", {
      name: "C1",
      account: "C1",
      owner: "Dana",
      created_at: "2026-10-01",
    });
    const r = await h.callOk("close_deal", { deal_id: deal.id, outcome: "lost", closed_at: "2026-11-01" });
    expect(r.deal).toMatchObject({ status: "lost", close_reason: null });
    expect(r.reasons.join(" ")).toMatch(/Unutilized Talent/);
    // The reason can be added afterwards.
    const u = await h.callOk("update_deal", { deal_id: deal.id, close_reason: "Budget frozen" });
    expect(u.deal.close_reason).toBe("Budget frozen");
  });

  it("closes the open stage-history row at the close date", async () => {
    const { deal } = await h.callOk("create_deal", {
      name: "C2",
      account: "C2",
      owner: "Dana",
      created_at: "2026-10-01",
    });
    await h.callOk("close_deal", {
      deal_id: deal.id,
      outcome: "disqualified",
      reason: "No need",
      closed_at: "2026-10-11",
    });
    const g = await h.callOk("get_deal", { deal_id: deal.id });
    expect(g.stage_history[0]).toMatchObject({ exited_at: "2026-10-11T00:00:00.000Z", days: 10 });
  });

  it("refuses an unknown outcome naming the accepted values", async () => {
    const { deal } = await h.callOk("create_deal", { name: "C3", account: "C3", owner: "Dana" });
    expect(await h.callError("close_deal", { deal_id: deal.id, outcome: "abandoned" })).toMatch(
      // Nothing is near enough to suggest: the accepted values, and no misleading "did you mean".
      /outcome: "abandoned" is not one of won, lost, disqualified(?!; did you mean)/,
    );
  });
});
