import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { connect, type Harness } from "../helpers/connect.js";

describe("update_deal", () => {
  let h: Harness;
  let id: string;
  beforeAll(async () => {
    h = await connect();
    id = (await h.callOk("create_deal", { name: "Upd", account: "Upd Co", owner: "Dana", employees: 50 })).deal.id;
  });
  afterAll(() => h.close());

  it("changes only what is sent and re-derives the segment", async () => {
    const r = await h.callOk("update_deal", { deal_id: id, employees: 5000, amount: 90000 });
    expect(r.changed).toEqual(expect.arrayContaining(["amount", "employees", "tier", "segment"]));
    expect(r.deal).toMatchObject({ employees: 5000, amount: 90000, tier: "enterprise", name: "Upd" });
  });

  it("counts an owner change as a handoff and adds stakeholders", async () => {
    const r = await h.callOk("update_deal", {
      deal_id: id,
      owner: "Sam",
      stakeholders: [{ name: "Li Wei", role: "CFO", decision_maker: true }],
    });
    expect(r.deal.owner_changes).toBe(1);
    expect(r.changed).toContain("stakeholders");
    const g = await h.callOk("get_deal", { deal_id: id });
    expect(g.stakeholders).toEqual([{ name: "Li Wei", role: "CFO", decision_maker: true }]);
  });

  it("does not move stages: stage is refused as an unknown argument", async () => {
    expect(await h.callError("update_deal", { deal_id: id, stage: "closing" })).toMatch(/stage/);
  });

  it("refuses a close reason on an open deal", async () => {
    expect(await h.callError("update_deal", { deal_id: id, close_reason: "x" })).toMatch(/open/);
  });
});
