// Three conversations as agents have them, scripted through a real MCP client, each in the
// fewest calls: the shapes agree across tools, what people type is understood, and every answer
// says what to do next (in the text and in structuredContent.next_steps).
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { connect, type Harness } from "../helpers/connect.js";
import { seedClosedDeals } from "../helpers/seed.js";

describe("conversations", () => {
  let h: Harness;
  beforeAll(async () => {
    h = await connect();
    await seedClosedDeals(h, 300);
  });
  afterAll(() => h.close());

  it("a rep after a call: 'Acme, VP Ops wants to go live by Q2, budget not confirmed' in three calls", async () => {
    // 1. Find the deal by account, in the rep's words.
    const found = await h.callOk("list_deals", { filters: { q: "acme", status: "Open" } });
    let dealId = found.deals[0]?.id as string | undefined;
    if (!dealId) {
      // No owner: the configured user owns it.
      const created = await h.callOk("create_deal", {
        name: "Acme - fleet rollout",
        account: "Acme Logistics",
        stage: "Discovery",
      });
      expect(created.deal.owner).toBe("Dana Lee");
      expect(created.next_steps[0]).toMatchObject({
        tool: "qualify_prospect",
        arguments: { deal_id: created.deal.id },
      });
      dealId = created.deal.id;
    }
    // 2. Qualify with the statuses alone (the shorthand) and a note where it matters.
    const q = await h.callOk("qualify_prospect", {
      deal_id: dealId,
      authority: "access_to_decision_maker",
      need: "Confirmed",
      timeline: { status: "defined", months: 5, note: "go-live by Q2" },
    });
    expect(q).toMatchObject({ verdict: "needs_discovery", gaps: ["budget"], recorded: true });
    expect(q.next_steps[0]).toMatchObject({ tool: "core_questions", arguments: { deal_id: dealId } });
    expect(q.__text).toMatch(/^Next: core_questions/m);
    // 3. Score it with the same shapes the store holds.
    const s = await h.callOk("score_lead", { deal_id: dealId });
    expect(s.win_probability).toBeGreaterThan(0);
  });

  it("a new lead: scored from what the rep knows, with the same BANT shape as qualify_prospect", async () => {
    const lead = { employees: 450, source: "Inbound", budget: { status: "approved" }, need: "critical", amount: 40000 };
    const s = await h.callOk("score_lead", lead);
    expect(s.fallback).toBe(false);
    expect(s.reasons.join(" ")).toMatch(
      /Segment mid_market_unknown: tier mid_market and readiness unknown from what is known/,
    );
    // "Inbound" and "inbound" are the same source; a value never seen in training is no factor.
    expect((await h.callOk("score_lead", { ...lead, source: "inbound" })).win_probability).toBe(s.win_probability);
    const novel = await h.callOk("score_lead", { ...lead, source: "carrier pigeon" });
    expect(novel.factors.some((f: any) => f.feature === "source")).toBe(false);
    expect(JSON.stringify(novel.factors)).not.toMatch(/not recorded/);
    // The qualify_prospect shape is accepted as is.
    const q = await h.callOk("qualify_prospect", { budget: { status: "approved" }, need: "critical" });
    expect(q.dimensions.budget.status).toBe("approved");
  });

  it("a manager: 'where is my pipeline leaking and what should my team fix this month' in one call", async () => {
    const w = await h.callOk("find_waste", { filters: { from: "2026-11-01", to: "2026-11-30", date: "activity" } });
    expect(w.filters).toMatchObject({ from: "2026-11-01", to: "2026-11-30", date_field: "activity" });
    expect(w.actions.length).toBeGreaterThan(0);
    for (const a of w.actions) expect(a.owners.length).toBeGreaterThan(0);
    // Ranked by value at stake (main currency) first.
    const stakes = w.findings.map((f: any) => f.value_at_stake?.USD ?? 0);
    expect(stakes).toEqual([...stakes].sort((a, b) => b - a));
    for (const f of w.findings) for (const x of f.flags) expect(x.owner).toBeTruthy();
    expect(w.__text).toMatch(/\*\*Do first:\*\*/);
  });
});
