import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { connect, type Harness } from "../helpers/connect.js";

describe("log_activity", () => {
  let h: Harness;
  let id: string;
  beforeAll(async () => {
    h = await connect({ now: "2026-11-28T12:00:00Z" });
    id = (await h.callOk("create_deal", { name: "Log", account: "Log Co", owner: "Dana", created_at: "2026-11-01" }))
      .deal.id;
  });
  afterAll(() => h.close());

  it("records the activity in the deal's current stage and moves last_activity_at", async () => {
    const r = await h.callOk("log_activity", {
      deal_id: id,
      type: "meeting",
      summary: "Kick-off with ops",
      occurred_at: "2026-11-20T10:00:00Z",
      duration_minutes: 45,
    });
    expect(r.activity).toMatchObject({ type: "meeting", stage: "prospecting", duration_minutes: 45, deal_id: id });
    expect((await h.callOk("get_deal", { deal_id: id })).deal.last_activity_at).toBe("2026-11-20T10:00:00.000Z");
    // An older activity logged later does not move last_activity_at back.
    await h.callOk("log_activity", { deal_id: id, type: "email", summary: "Earlier email", occurred_at: "2026-11-05" });
    expect((await h.callOk("get_deal", { deal_id: id })).deal.last_activity_at).toBe("2026-11-20T10:00:00.000Z");
  });

  it.each([
    [{ type: "lunch", summary: "x" }, /type: "lunch" is not one of email, call/],
    [{ type: "call", summary: "" }, /summary/],
    [{ type: "call", summary: "x", occurred_at: "2027-05-01" }, /occurred_at is in the future/],
    [{ type: "call", summary: "x", occurred_at: "2026-10-01" }, /before .* was created/],
    [{ type: "call", summary: "x", duration_minutes: -3 }, /duration_minutes/],
  ])("refuses %j", async (args, message) => {
    expect(await h.callError("log_activity", { deal_id: id, ...args })).toMatch(message);
  });
});
