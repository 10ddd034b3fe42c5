// An export is a resource link whose URI says what it holds: reading it produces the file, and
// asking for it writes nothing.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { connect, type Harness } from "../helpers/connect.js";

describe("export_deals", () => {
  let h: Harness;
  beforeAll(async () => {
    h = await connect();
    await h.callOk("create_deal", {
      name: 'Quote "this", please',
      account: "=HYPERLINK(evil)",
      owner: "Dana",
      amount: 1000,
    });
    for (let i = 0; i < 4; i++) await h.callOk("create_deal", { name: `D${i}`, account: "A", owner: "Sam", amount: i });
  });
  afterAll(() => h.close());

  const read = async (uri: string) =>
    (await h.client.readResource({ uri })).contents[0] as { text: string; mimeType: string };

  it("answers with a link to the CSV (our field names, quoting, formula-injection guard), not the file inline", async () => {
    const raw = await h.call("export_deals", {});
    const link = (raw.content as any[]).find((c) => c.type === "resource_link");
    expect(link).toMatchObject({ uri: "lean-sales://exports/deals.csv", mimeType: "text/csv" });
    expect(raw.structuredContent).toMatchObject({ format: "csv", total: 5, uri: link.uri });
    expect(JSON.stringify(raw).length).toBeLessThan(2000);
    const csv = await read(link.uri);
    const lines = csv.text.trim().split("\r\n");
    expect(lines[0]).toMatch(/^id,external_id,name,account,owner,amount,currency,stage,status/);
    expect(lines).toHaveLength(6);
    expect(lines[1]).toContain('"Quote ""this"", please"');
    expect(lines[1]).toContain("'=HYPERLINK(evil)");
  });

  it("the URI is computed from the filters and format, and any reader gets the same file", async () => {
    const r = await h.callOk("export_deals", { format: "JSON", filters: { owner: "Sam" } });
    expect(r.uri).toBe("lean-sales://exports/deals.json?owner=Sam");
    expect(r.total).toBe(4);
    const deals = JSON.parse((await read(r.uri)).text);
    expect(deals.map((d: any) => d.name)).toEqual(["D0", "D1", "D2", "D3"]);
    // Another client on another server process would compute the same URI and file.
    const other = await connect({ dbPath: h.dbPath });
    try {
      expect(
        JSON.parse(((await other.client.readResource({ uri: r.uri })).contents[0] as { text: string }).text),
      ).toEqual(deals);
    } finally {
      await other.close();
    }
  });

  it("refuses a URI that is not an export, saying where to get one", async () => {
    await expect(h.client.readResource({ uri: "lean-sales://exports/secrets.txt" })).rejects.toThrow(
      /Call export_deals/,
    );
    await expect(h.client.readResource({ uri: "lean-sales://exports/deals.csv?password=x" })).rejects.toThrow(
      /Call export_deals/,
    );
  });
});
