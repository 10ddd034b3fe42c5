// The demo pipeline generator: deterministic, covering every segment with realistic outcomes,
// consistent with the methodology's own rules, and rich enough for find_waste to find waste.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import {
  generateDeals,
  generatePipeline,
  loadPipeline,
  trueWinProbability,
  type DemoPipeline,
} from "../../src/app/demo/generate.js";
import { ReadinessId, TierId } from "../../src/methodology/schema.js";
import { deriveSegment } from "../../src/app/derive.js";
import { connect, methodology, teamMethodology, type Harness } from "../helpers/connect.js";
import { qualifyProspect } from "../../src/methodology/qualify.js";

const AS_OF = "2026-11-28";
const SEGMENTS = TierId.options.flatMap((t) => ReadinessId.options.map((r) => `${t}_${r}`));

describe("generatePipeline", () => {
  const p = generatePipeline({ seed: 42, deals: 300, as_of: AS_OF });
  const share = (f: (d: DemoPipeline["deals"][number]) => boolean) => p.deals.filter(f).length / p.deals.length;

  it("gives the same pipeline for the same seed and as_of, and another for another seed", () => {
    expect(generatePipeline({ seed: 42, deals: 300, as_of: AS_OF })).toEqual(p);
    expect(generatePipeline({ seed: 43, deals: 300, as_of: AS_OF }).deals[0]).not.toEqual(p.deals[0]);
    // Deal i does not depend on how many deals were asked for, and streaming gives the same deals.
    expect(generatePipeline({ seed: 42, deals: 50, as_of: AS_OF }).deals).toEqual(p.deals.slice(0, 50));
    expect([...generateDeals({ seed: 42, deals: 300, as_of: AS_OF })]).toEqual(p.deals);
  });

  it("covers all nine segments with 8-12 owners and amounts and firmographics that fit the tier", () => {
    expect(new Set(p.deals.map((d) => d.segment))).toEqual(new Set(SEGMENTS));
    expect(p.owners.length).toBeGreaterThanOrEqual(8);
    expect(p.owners.length).toBeLessThanOrEqual(12);
    expect(new Set(p.deals.map((d) => d.owner)).size).toBe(p.owners.length);
    const m = methodology();
    for (const d of p.deals) {
      // The classify_segment rules place every deal in the segment it was generated for.
      expect(deriveSegment(m, { ...d, budget_status: d.bant.budget })?.segment, `${d.index} ${d.segment}`).toBe(
        d.segment,
      );
    }
  });

  it("has realistic outcomes: about a third still open, wins, losses and disqualifications with reasons", () => {
    const open = share((d) => d.status === "open");
    expect(open).toBeGreaterThanOrEqual(0.28);
    expect(open).toBeLessThanOrEqual(0.42);
    const won = p.deals.filter((d) => d.status === "won").length;
    const lost = p.deals.filter((d) => d.status === "lost").length;
    expect(won / (won + lost)).toBeGreaterThan(0.2);
    expect(won / (won + lost)).toBeLessThan(0.55);
    expect(share((d) => d.status === "disqualified")).toBeGreaterThan(0.05);
    const closed = p.deals.filter((d) => d.status !== "open");
    expect(closed.every((d) => d.closed_at !== null && d.history.at(-1)!.exited_at === d.closed_at)).toBe(true);
    expect(closed.filter((d) => d.close_reason === null).length).toBeGreaterThan(0);
    expect(closed.some((d) => /pricing error|outdated pricing|misquote/i.test(d.close_reason ?? ""))).toBe(true);
    expect(
      p.deals
        .filter((d) => d.status === "open")
        .every((d) => d.closed_at === null && d.history.at(-1)!.exited_at === null),
    ).toBe(true);
  });

  it("draws outcomes from a known win probability", () => {
    for (const d of p.deals) {
      expect(d.true_win_probability).toBeCloseTo(trueWinProbability(d), 12);
      if (d.status !== "open") expect(d.outcome).toBe(d.status);
    }
    // With many deals the drawn outcomes follow the probabilities.
    const big = generatePipeline({ seed: 7, deals: 4000, as_of: AS_OF }).deals;
    const mean = (xs: number[]) => xs.reduce((a, b) => a + b, 0) / xs.length;
    expect(
      Math.abs(mean(big.map((d) => (d.outcome === "won" ? 1 : 0))) - mean(big.map((d) => d.true_win_probability))),
    ).toBeLessThan(0.03);
    const hi = big.filter((d) => d.true_win_probability > 0.6);
    const lo = big.filter((d) => d.true_win_probability < 0.2);
    expect(mean(hi.map((d) => (d.outcome === "won" ? 1 : 0)))).toBeGreaterThan(0.6);
    expect(mean(lo.map((d) => (d.outcome === "won" ? 1 : 0)))).toBeLessThan(0.2);
  });

  it("gives stage histories over the year, activities of every type and the waste patterns", () => {
    for (const d of p.deals) {
      expect(d.created_at >= "2025-11-28").toBe(true);
      expect(d.history[0]!.entered_at).toBe(d.created_at);
      expect(d.history.at(-1)!.entered_at).toBe(d.stage_entered_at);
      for (const a of d.activities) {
        expect(a.occurred_at >= d.created_at && a.occurred_at <= (d.closed_at ?? `${AS_OF}T00:00:00.000Z`)).toBe(true);
      }
    }
    const types = new Set(p.deals.flatMap((d) => d.activities.map((a) => a.type)));
    expect([...types].sort()).toEqual(["approval", "call", "demo", "email", "internal", "meeting", "note", "proposal"]);
    const perDeal = p.deals.reduce((n, d) => n + d.activities.length, 0) / p.deals.length;
    expect(perDeal).toBeGreaterThan(3);
    expect(perDeal).toBeLessThan(8);
    const traits = new Set(p.deals.flatMap((d) => d.traits));
    for (const t of [
      "stalled",
      "silent",
      "internal_heavy",
      "proposal_rework",
      "handoffs",
      "single_threaded",
      "no_reason",
    ])
      expect(traits, t).toContain(t);
  });
});

describe("the demo pipeline in the store", () => {
  let h: Harness;
  const p = generatePipeline({ seed: 42, deals: 300, as_of: AS_OF });
  beforeAll(async () => {
    h = await connect({ now: `${AS_OF}T12:00:00.000Z` });
    const r = loadPipeline(h.store, p, `${AS_OF}T00:00:00.000Z`);
    expect(r).toMatchObject({ deals: 300, first_id: "D-0001", last_id: "D-0300" });
  });
  afterAll(() => h.close());

  it("list_deals totals match the generated pipeline", async () => {
    expect((await h.callOk("list_deals", {})).total).toBe(300);
    for (const status of ["open", "won", "lost", "disqualified"]) {
      expect((await h.callOk("list_deals", { filters: { status } })).total, status).toBe(
        p.deals.filter((d) => d.status === status).length,
      );
    }
    for (const segment of SEGMENTS) {
      expect((await h.callOk("list_deals", { filters: { segment } })).total, segment).toBe(
        p.deals.filter((d) => d.segment === segment).length,
      );
    }
    const owner = p.owners[0]!;
    expect((await h.callOk("list_deals", { filters: { owner } })).total).toBe(
      p.deals.filter((d) => d.owner === owner).length,
    );
  });

  it("stores each deal with its history, activities, stakeholders and BANT", async () => {
    const i = p.deals.findIndex((d) => d.status === "won" && d.qualified_at && d.activities.length > 2);
    const d = p.deals[i]!;
    const r = await h.callOk("get_deal", { deal_id: `D-${String(i + 1).padStart(4, "0")}` });
    expect(r.deal).toMatchObject({
      name: d.name,
      status: "won",
      stage: d.stage,
      closed_at: d.closed_at,
      amount: d.amount,
      segment: d.segment,
    });
    expect(r.deal.bant).toMatchObject(d.bant);
    expect(r.stage_history.map((s: any) => s.stage)).toEqual(d.history.map((x) => x.stage));
  });

  it("find_waste finds several kinds of waste in it", async () => {
    const r = await h.callOk("find_waste", { as_of: AS_OF });
    expect(r.deals_analyzed).toBe(300);
    const found = Object.entries(r.by_waste as Record<string, number>)
      .filter(([, n]) => n > 0)
      .map(([w]) => w);
    expect(found.length).toBeGreaterThanOrEqual(5);
    for (const w of ["overproduction", "qualification_defects", "waiting", "unutilized_talent"])
      expect(found).toContain(w);
  });

  it("loading the same seed and as_of into another store gives the same rows", async () => {
    const other = await connect({ now: `${AS_OF}T12:00:00.000Z` });
    try {
      loadPipeline(other.store, generateDeals({ seed: 42, deals: 300, as_of: AS_OF }), `${AS_OF}T00:00:00.000Z`);
      const dump = (x: Harness) =>
        ["deals", "stage_history", "activities", "stakeholders", "qualifications"].map((t) =>
          (x.store as any).db.prepare(`SELECT * FROM ${t} ORDER BY id`).all(),
        );
      expect(dump(other)).toEqual(dump(h));
    } finally {
      await other.close();
    }
  });
});

describe("the demo under a team that qualifies with MEDDICC", () => {
  it("records its deals' qualifications as BANT ones (their statuses are BANT's), and get_deal says so", async () => {
    const meddicc = teamMethodology({ "qualification.json": (j) => (j.active = "meddicc") });
    const h = await connect({ methodology: meddicc });
    try {
      const p = generatePipeline({ seed: 7, deals: 40, as_of: AS_OF });
      loadPipeline(h.store, p, `${AS_OF}T00:00:00.000Z`, meddicc);
      const i = p.deals.findIndex((d) => d.qualified_at);
      const shipped = qualifyProspect(methodology(), {
        budget: { status: p.deals[i]!.bant.budget },
        authority: { status: p.deals[i]!.bant.authority },
        need: { status: p.deals[i]!.bant.need },
        timeline: { status: p.deals[i]!.bant.timeline },
      });
      const r = await h.callOk("get_deal", { deal_id: `D-${String(i + 1).padStart(4, "0")}` });
      expect(r.qualification).toMatchObject({ framework: "bant", verdict: shipped.verdict, score: shipped.score });
      expect(r.__text).toMatch(/not yet qualified under MEDDICC/);
    } finally {
      await h.close();
    }
  });
});
