import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { connect, type Harness } from "../helpers/connect.js";

describe("list_deals", () => {
  let h: Harness;
  beforeAll(async () => {
    h = await connect();
    const now = new Date().toISOString();
    h.store.transaction(() => {
      for (let i = 1; i <= 230; i++) {
        h.store.createDeal(
          {
            name: `Deal ${i}`,
            account: i % 10 === 0 ? "Acme Corp" : `Account ${i}`,
            owner: i % 2 ? "Dana Lee" : "Sam Ortiz",
            currency: "USD",
            amount: i * 1000,
            stage: i % 3 ? "prospecting" : "discovery",
            stage_index: i % 3 ? 0 : 1,
            created_at: `2026-0${(i % 9) + 1}-15T00:00:00.000Z`,
            stage_entered_at: `2026-0${(i % 9) + 1}-15T00:00:00.000Z`,
          },
          now,
        );
      }
    });
  });
  afterAll(() => h.close());

  it("pages through more deals than one page, with total, truncated and next_cursor", async () => {
    const seen: string[] = [];
    let cursor: string | undefined;
    let pages = 0;
    do {
      const r = await h.callOk("list_deals", { limit: 100, ...(cursor ? { cursor } : {}) });
      expect(r.total).toBe(230);
      seen.push(...r.deals.map((d: any) => d.id));
      cursor = r.next_cursor ?? undefined;
      expect(r.truncated).toBe(cursor !== undefined);
      pages++;
    } while (cursor);
    expect(pages).toBe(3);
    expect(new Set(seen).size).toBe(230);
  });

  it("filters combine, are echoed, and stages come back with id and name", async () => {
    const r = await h.callOk("list_deals", { filters: { owner: "Dana Lee", stage: "discovery" } });
    expect(r.filters).toMatchObject({ owner: "Dana Lee", stage: "discovery" });
    expect(r.total).toBe(38);
    // Compact rows: the stage id (get_deal and detail full give its name too).
    expect(r.deals[0]).toMatchObject({ stage: "discovery", owner: "Dana Lee" });
    expect(r.__text).toContain("Discovery");
  });

  it("q searches names and accounts; from/to bound the creation date inclusively", async () => {
    expect((await h.callOk("list_deals", { filters: { q: "acme" } })).total).toBe(23);
    const r = await h.callOk("list_deals", { filters: { from: "2026-03-15", to: "2026-03-15" } });
    expect(r.total).toBeGreaterThan(0);
    expect(r.deals.every((d: any) => d.id)).toBe(true);
  });

  it("summary rows by default, every field with detail full", async () => {
    const s = await h.callOk("list_deals", { limit: 1 });
    expect(Object.keys(s.deals[0])).not.toContain("stage_entered_at");
    const f = await h.callOk("list_deals", { limit: 1, detail: "full" });
    expect(Object.keys(f.deals[0])).toContain("stage_entered_at");
  });

  it("refuses a limit above 200 and a cursor from another query, naming the field", async () => {
    expect(await h.callError("list_deals", { limit: 500 })).toMatch(/limit/);
    const first = await h.callOk("list_deals", { limit: 10 });
    expect(
      await h.callError("list_deals", { limit: 10, cursor: first.next_cursor, filters: { owner: "Sam Ortiz" } }),
    ).toMatch(/cursor belongs to a different query/);
    expect(await h.callError("list_deals", { cursor: "garbage!" })).toMatch(/cursor/);
  });
});
