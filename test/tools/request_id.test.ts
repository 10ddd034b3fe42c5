// Write tools take a request_id: a retry returns the first answer instead of writing twice.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { connect, type Harness } from "../helpers/connect.js";

describe("request_id idempotency", () => {
  let h: Harness;
  beforeAll(async () => {
    h = await connect();
  });
  afterAll(() => h.close());

  it("a retried create_deal returns the same deal and writes once", async () => {
    const args = { name: "Retry Co deal", account: "Retry Co", owner: "Dana Lee", request_id: "req-create-0001" };
    const first = await h.callOk("create_deal", args);
    const again = await h.callOk("create_deal", args);
    expect(again.deal.id).toBe(first.deal.id);
    expect(h.store.counts().deals).toBe(1);
  });

  it("a retried log_activity writes one activity", async () => {
    const { deal } = await h.callOk("create_deal", { name: "Act", account: "Act Co", owner: "Sam" });
    const args = { deal_id: deal.id, type: "call", summary: "Call", request_id: "req-activity-0001" };
    await h.callOk("log_activity", args);
    await h.callOk("log_activity", args);
    expect((await h.callOk("get_deal", { deal_id: deal.id })).activities_total).toBe(1);
  });

  it("the same request_id with different arguments is refused", async () => {
    await h.callOk("create_deal", { name: "A", account: "A", owner: "A", request_id: "req-conflict-01" });
    expect(
      await h.callError("create_deal", { name: "B", account: "B", owner: "B", request_id: "req-conflict-01" }),
    ).toMatch(/already used for a different/);
  });

  it("a refused write stores nothing under its request_id", async () => {
    const before = h.store.counts();
    expect(
      await h.callError("log_activity", {
        deal_id: "D-9999",
        type: "call",
        summary: "x",
        request_id: "req-missing-01",
      }),
    ).toMatch(/No deal D-9999/);
    expect(h.store.counts()).toEqual(before);
  });
});
