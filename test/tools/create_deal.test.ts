import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { connect, type Harness } from "../helpers/connect.js";

describe("create_deal", () => {
  let h: Harness;
  beforeAll(async () => (h = await connect()));
  afterAll(() => h.close());

  it("enters an existing deal with its real history dates", async () => {
    const r = await h.callOk("create_deal", {
      name: "Globex renewal",
      account: "Globex",
      owner: "Sam Ortiz",
      stage: "proposal_negotiation",
      created_at: "2026-06-01",
      stage_entered_at: "2026-10-15T09:30:00Z",
      amount: 250000,
      currency: "EUR",
      annual_revenue: 2_000_000_000,
    });
    expect(r.deal).toMatchObject({
      stage: "proposal_negotiation",
      created_at: "2026-06-01T00:00:00.000Z",
      stage_entered_at: "2026-10-15T09:30:00.000Z",
      currency: "EUR",
      tier: "enterprise",
    });
    const g = await h.callOk("get_deal", { deal_id: r.deal.id });
    expect(g.stage_history).toEqual([
      expect.objectContaining({
        stage: "proposal_negotiation",
        entered_at: "2026-10-15T09:30:00.000Z",
        gate: "created",
      }),
    ]);
  });

  it("without firmographics leaves the segment empty and says how to set it", async () => {
    const r = await h.callOk("create_deal", { name: "Tiny", account: "Tiny", owner: "Sam" });
    expect(r.deal.segment).toBeNull();
    expect(r.reasons[0]).toMatch(/classify_segment/);
  });

  it.each([
    [{ name: "", account: "A", owner: "B" }, "name", /blank|too short|at least/],
    [{ name: "   ", account: "A", owner: "B" }, "name", /blank/],
    [
      { name: "X", account: "A", owner: "B", stage: "negotiation" },
      "stage",
      /"negotiation" is not a stage; stages are prospecting, discovery.*did you mean proposal_negotiation/,
    ],
    [{ name: "X", account: "A", owner: "B", amount: -5 }, "amount", /must be an amount between 0/i],
    [{ name: "X", account: "A", owner: "B", currency: "dollars" }, "currency", /ISO 4217/],
    [{ name: "X", account: "A", owner: "B", created_at: "2026-13-40" }, "created_at", /calendar date|ISO/],
    [{ name: "X", account: "A", owner: "B", created_at: "2030-01-01" }, "created_at", /in the future/],
    [
      { name: "X", account: "A", owner: "B", created_at: "2026-05-01", stage_entered_at: "2026-04-01" },
      "stage_entered_at",
      /before created_at/,
    ],
    [{ name: "X\u202Eevil", account: "A", owner: "B" }, "name", /bidi/],
    [{ name: "X\ud800", account: "A", owner: "B" }, "name", /lone surrogate/],
    [{ name: "\u0000X", account: "A", owner: "B" }, "name", /control/],
    [{ name: "X", account: "A", owner: "B", colour: "red" }, "colour", /unknown argument/],
    [{ account: "A", owner: "B" }, "name", /required/],
  ])("refuses %j naming the field, and writes nothing", async (args, field, message) => {
    const before = h.store.counts();
    const msg = await h.callError("create_deal", args);
    expect(msg).toMatch(message);
    expect(msg).toContain(field);
    expect(h.store.counts()).toEqual(before);
  });

  it("stores names trimmed and without zero-width characters", async () => {
    const r = await h.callOk("create_deal", { name: "  Ini\u200Btech  ", account: "Initech", owner: "Sam" });
    expect(r.deal.name).toBe("Initech");
  });
});
