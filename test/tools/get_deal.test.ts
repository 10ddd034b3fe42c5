import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { connect, type Harness } from "../helpers/connect.js";

describe("get_deal", () => {
  let h: Harness;
  beforeAll(async () => (h = await connect()));
  afterAll(() => h.close());

  it("returns the deal with bounded activities and says how many there are", async () => {
    const { deal } = await h.callOk("create_deal", {
      name: "Get",
      account: "Get Co",
      owner: "Dana",
      created_at: "2026-01-01",
    });
    for (let i = 1; i <= 5; i++)
      await h.callOk("log_activity", {
        deal_id: deal.id,
        type: "email",
        summary: `Email ${i}`,
        occurred_at: `2026-02-0${i}`,
      });
    const r = await h.callOk("get_deal", { deal_id: deal.id, activities_limit: 2 });
    expect(r.activities.map((a: any) => a.summary)).toEqual(["Email 5", "Email 4"]);
    expect(r).toMatchObject({
      activities_total: 5,
      activities_truncated: true,
      qualification: null,
      stage_check: null,
    });
    expect(r.__text).toMatch(/No BANT qualification yet/);
  });

  it("an unknown or malformed id is a clear error", async () => {
    expect(await h.callError("get_deal", { deal_id: "D-9999" })).toMatch(/No deal D-9999/);
    expect(await h.callError("get_deal", { deal_id: "42" })).toMatch(/deal_id/);
  });
});
