import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { connect, type Harness } from "../helpers/connect.js";

describe("export_deals", () => {
  let h: Harness;
  beforeAll(async () => {
    h = await connect();
    await h.callOk("create_deal", { name: 'Quote "this", please', account: "=HYPERLINK(evil)", owner: "Dana", amount: 1000 });
    for (let i = 0; i < 4; i++) await h.callOk("create_deal", { name: `D${i}`, account: "A", owner: "Sam", amount: i });
  });
  afterAll(() => h.close());

  it("exports CSV with our field names, quoting and formula-injection guard", async () => {
    const r = await h.callOk("export_deals", {});
    const lines = r.csv.trim().split("\r\n");
    expect(lines[0]).toMatch(/^id,external_id,name,account,owner,amount,currency,stage,status/);
    expect(lines).toHaveLength(6);
    expect(lines[1]).toContain('"Quote ""this"", please"');
    expect(lines[1]).toContain("'=HYPERLINK(evil)");
    expect(r).toMatchObject({ total: 5, returned: 5, truncated: false, next_cursor: null, format: "csv" });
  });

  it("pages JSON exports with a cursor and echoes filters", async () => {
    const p1 = await h.callOk("export_deals", { format: "json", limit: 3, filters: { owner: "Sam" } });
    expect(p1.deals).toHaveLength(3);
    expect(p1).toMatchObject({ total: 4, truncated: true, filters: { owner: "Sam" } });
    const p2 = await h.callOk("export_deals", { format: "json", limit: 3, filters: { owner: "Sam" }, cursor: p1.next_cursor });
    expect(p2.deals).toHaveLength(1);
    expect(p2.truncated).toBe(false);
  });
});
