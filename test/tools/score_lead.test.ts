// Lead scoring learned from closed deals: on a generated pipeline whose true win probabilities
// are known, the held-out AUC is at least 0.75 and beats the BANT score alone; below the
// minimum history it falls back to the BANT score and says so.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { qualifyProspect } from "../../src/methodology/qualify.js";
import { connect, teamMethodology, type Harness } from "../helpers/connect.js";
import { mulberry32 } from "../helpers/random.js";

const NOW = "2026-11-28T12:00:00.000Z";

const pick = <T>(r: () => number, xs: readonly T[]) => xs[Math.floor(r() * xs.length)]!;

/** The known truth: a logistic model over features the store keeps. */
function trueProbability(d: { segment: string; source: string; budget: string; need: string; amount: number }): number {
  const logit =
    -0.6 +
    ({ approved: 1.4, identified: 0.6, unknown: -0.4, none: -1.6 } as Record<string, number>)[d.budget]! +
    ({ critical: 1.0, confirmed: 0.4, latent: -0.6, unknown: -0.8 } as Record<string, number>)[d.need]! +
    ({ referral: 1.2, inbound: 0.3, outbound: -0.9, event: -0.2 } as Record<string, number>)[d.source]! +
    (
      { smb_ready: 0.9, mid_market_ready: 0.5, enterprise_exploring: -0.9, mid_market_exploring: -0.2 } as Record<
        string,
        number
      >
    )[d.segment]! +
    (d.amount < 25000 ? 0.4 : -0.3);
  return 1 / (1 + Math.exp(-logit));
}

function seed(h: Harness, n: number, random: () => number): void {
  const m = h.deps.methodology;
  h.store.transaction(() => {
    for (let i = 0; i < n; i++) {
      const f = {
        segment: pick(random, ["smb_ready", "mid_market_ready", "enterprise_exploring", "mid_market_exploring"]),
        source: pick(random, ["referral", "inbound", "outbound", "event"]),
        budget: pick(random, ["approved", "identified", "unknown", "none"]),
        need: pick(random, ["critical", "confirmed", "latent", "unknown"]),
        amount: Math.round(5000 + random() * 80000),
      };
      const [tier, ...rest] = f.segment.startsWith("mid_market")
        ? ["mid_market", f.segment.slice(11)]
        : f.segment.split("_");
      const d = h.store.createDeal(
        {
          name: `Gen ${i}`,
          account: `Acct ${i}`,
          owner: "Gen",
          amount: f.amount,
          currency: "USD",
          stage: "prospecting",
          stage_index: 0,
          tier,
          readiness: rest.join("_"),
          segment: f.segment,
          source: f.source,
          created_at: "2026-01-01T00:00:00.000Z",
          stage_entered_at: "2026-01-01T00:00:00.000Z",
        },
        NOW,
      );
      // The qualification the methodology gives these statuses, so the BANT-only ranking is the real one.
      const q = qualifyProspect(m, {
        budget: { status: f.budget },
        authority: { status: "decision_maker" },
        need: { status: f.need },
        timeline: { status: "defined" },
      });
      h.store.recordQualification(
        d.id,
        {
          budget: f.budget,
          authority: "decision_maker",
          need: f.need,
          timeline: "defined",
          score: q.score,
          verdict: q.verdict,
          detail: {},
        },
        NOW,
      );
      const won = random() < trueProbability(f);
      h.store.moveStage(
        d.id,
        { stage: m.stages[1]!.id, stage_index: 1, at: "2026-02-01T00:00:00.000Z", gate: "passed" },
        NOW,
      );
      h.store.closeDeal(
        d.id,
        { status: won ? "won" : "lost", reason: won ? "fit" : "no fit", closed_at: "2026-04-01T00:00:00.000Z" },
        NOW,
      );
    }
  });
}

describe("score_lead", () => {
  let h: Harness;
  beforeAll(async () => {
    h = await connect({ now: NOW });
  });
  afterAll(() => h.close());

  it("falls back to the BANT score below the minimum history, and says so", async () => {
    seed(h, 20, mulberry32(7));
    const r = await h.callOk("score_lead", {
      budget: "approved",
      need: "critical",
      authority: "decision_maker",
      timeline: "defined",
    });
    expect(r.fallback).toBe(true);
    expect(r.win_probability).toBe(1);
    expect(r.reasons[0]).toMatch(/needs at least 30 of each/);
  });

  it("learns from history: held-out AUC at least 0.75 and better than BANT alone", async () => {
    seed(h, 3000, mulberry32(42));
    const r = await h.callOk("score_lead", {
      segment: "smb_ready",
      source: "referral",
      budget: "approved",
      need: "critical",
      amount: 12000,
    });
    expect(r.fallback).toBe(false);
    expect(r.trained_on.total).toBe(3020);
    expect(r.holdout_deals).toBeGreaterThan(500);
    expect(r.auc).toBeGreaterThanOrEqual(0.75);
    // BANT alone carries real signal here (budget and need are in the truth), but less than the model.
    expect(r.bant_auc).toBeGreaterThan(0.6);
    expect(r.auc).toBeGreaterThan(r.bant_auc);
    expect(r.brier).toBeLessThan(0.22);
    // The truth says this prospect is very likely to win; the model agrees and explains why.
    expect(r.win_probability).toBeGreaterThan(0.8);
    expect(r.top_up.join(" ")).toMatch(/Lead source: referral/);
    expect(r.factors.find((f: any) => f.feature === "bant_budget")).toMatchObject({
      label: "BANT budget",
      direction: "up",
      value: "approved",
    });
  });

  it("names the qualification factors after the active framework's dimensions (MEDDICC)", async () => {
    const meddicc = await connect({
      now: NOW,
      dbPath: h.dbPath,
      methodology: teamMethodology({ "qualification.json": (j) => (j.active = "meddicc") }),
    });
    try {
      const r = await meddicc.callOk("score_lead", {
        segment: "smb_ready",
        source: "referral",
        economic_buyer: "committed",
        // Either form: the status, or {status} as qualify_prospect takes it.
        identify_pain: { status: "critical" },
        amount: 12000,
      });
      const labels = Object.fromEntries(r.factors.map((f: any) => [f.feature, f.label]));
      expect(labels).toMatchObject({
        bant_budget: "MEDDICC economic buyer (budget)",
        bant_need: "MEDDICC identify pain (need)",
      });
      expect(r.__text).not.toMatch(/BANT budget|BANT need/);
    } finally {
      await meddicc.close();
    }
  });

  it("a weak prospect scores low with the factors that pull it down", async () => {
    const r = await h.callOk("score_lead", {
      segment: "enterprise_exploring",
      source: "outbound",
      budget: "none",
      need: "latent",
    });
    expect(r.win_probability).toBeLessThan(0.15);
    expect(r.top_down.length).toBeGreaterThan(0);
  });

  it("scores an open deal from what the store knows about it, and refuses a closed one", async () => {
    const { deal } = await h.callOk("create_deal", {
      name: "Open",
      account: "Open Co",
      owner: "Dana",
      amount: 15000,
      employees: 40,
      actively_evaluating: true,
      timeline_months: 1,
      source: "referral",
    });
    await h.callOk("qualify_prospect", {
      deal_id: deal.id,
      budget: { status: "approved" },
      need: { status: "critical" },
    });
    const r = await h.callOk("score_lead", { deal_id: deal.id });
    expect(r.deal_id).toBe(deal.id);
    expect(r.win_probability).toBeGreaterThan(0.5);
    await h.callOk("close_deal", { deal_id: deal.id, outcome: "won", reason: "x" });
    expect(await h.callError("score_lead", { deal_id: deal.id })).toMatch(/already won/);
  });

  it("disqualified deals are not losses", async () => {
    const before = (await h.callOk("score_lead", { budget: "approved" })).trained_on.total;
    const { deal } = await h.callOk("create_deal", { name: "DQ", account: "DQ", owner: "Dana" });
    await h.callOk("close_deal", { deal_id: deal.id, outcome: "disqualified", reason: "no need" });
    expect((await h.callOk("score_lead", { budget: "approved" })).trained_on.total).toBe(before);
  });
});
