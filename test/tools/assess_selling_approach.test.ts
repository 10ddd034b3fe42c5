// assess_selling_approach through a real MCP client, on deals written to the store the way the
// tools write them: a research-led, multi-threaded rep who qualifies early and a rep who takes
// inbound leads, talks to one person and demos first come out on opposite sides of every factor
// the store can show. (The rule's cut-offs are unit-tested in test/unit/assessment.test.ts.)
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { mulberry32 } from "../../src/app/demo/generate.js";
import { connect, type Harness } from "../helpers/connect.js";

const DAY = 86_400_000;
const NOW = Date.parse("2026-11-28T12:00:00.000Z");
const iso = (ms: number) => new Date(ms).toISOString();

interface Rep {
  owner: string;
  sources: string[];
  stakeholders: number;
  research: boolean;
  discoveryCalls: number;
  qualifies: boolean;
  firstContact: "call" | "demo";
  discoveryDays: number;
  closeDays: number;
  won: (i: number) => boolean;
  amount: number;
}

const ADA: Rep = {
  owner: "Ada Moreau",
  sources: ["outbound", "referral", "partner", "outbound"],
  stakeholders: 4,
  research: true,
  discoveryCalls: 4,
  qualifies: true,
  firstContact: "call",
  discoveryDays: 30,
  closeDays: 12,
  won: (i) => i % 4 !== 3, // 3 of 4 won
  amount: 60_000,
};
const REX: Rep = {
  owner: "Rex Tanner",
  sources: ["inbound", "inbound", "paid search", "inbound"],
  stakeholders: 1,
  research: false,
  discoveryCalls: 0,
  qualifies: false,
  firstContact: "demo",
  discoveryDays: 3,
  closeDays: 120,
  won: (i) => i % 3 === 0, // 1 of 3 won
  amount: 25_000,
};

/** The rest of the team: in between on every count, so the team's medians sit between the two. */
const MIA: Rep = {
  owner: "Mia Okafor",
  sources: ["inbound", "referral"],
  stakeholders: 2,
  research: true,
  discoveryCalls: 2,
  qualifies: true,
  firstContact: "call",
  discoveryDays: 20,
  closeDays: 60,
  won: (i) => i % 2 === 0,
  amount: 40_000,
};

function sell(h: Harness, rep: Rep, deals: number, seed: number) {
  const rnd = mulberry32(seed);
  const s = h.store;
  const m = h.deps.methodology;
  const at = (ms: number) => iso(ms);
  for (let i = 0; i < deals; i++) {
    const created = NOW - (200 + Math.floor(rnd() * 150)) * DAY;
    const d = s.createDeal(
      {
        name: `${rep.owner.split(" ")[1]} deal ${i}`,
        account: `Account ${rep.owner[0]}${i}`,
        owner: rep.owner,
        amount: rep.amount + Math.floor(rnd() * 5000),
        currency: "USD",
        source: rep.sources[i % rep.sources.length]!,
        stage: "prospecting",
        stage_index: 0,
        created_at: at(created),
        stage_entered_at: at(created),
      },
      at(created),
    );
    const log = (type: string, t: number, summary: string) =>
      s.logActivity(d.id, { type, occurred_at: at(t), summary }, at(t));
    if (rep.research) log("note", created + 3_600_000, "Read their annual report and hiring plans");
    log(rep.firstContact, created + DAY, rep.firstContact === "demo" ? "Product demo" : "Intro call about their goals");
    s.upsertStakeholders(
      d.id,
      Array.from({ length: rep.stakeholders }, (_, k) => ({
        name: `Contact ${k}`,
        role: k === 0 ? "VP Operations" : "Manager",
        decision_maker: k === 0,
      })),
    );
    const discovery = created + 2 * DAY;
    s.moveStage(
      d.id,
      { stage: "discovery", stage_index: m.stageIndex("discovery"), at: at(discovery), gate: "passed" },
      at(discovery),
    );
    for (let k = 0; k < rep.discoveryCalls; k++) log("call", discovery + (k + 1) * DAY, "Discovery call");
    const proposal = discovery + rep.discoveryDays * DAY;
    if (rep.qualifies)
      s.recordQualification(
        d.id,
        {
          budget: "approved",
          authority: "decision_maker",
          need: "confirmed",
          timeline: "defined",
          score: 95,
          verdict: "qualified",
          detail: {},
        },
        at(proposal - DAY),
      );
    s.moveStage(
      d.id,
      {
        stage: "proposal_negotiation",
        stage_index: m.stageIndex("proposal_negotiation"),
        at: at(proposal),
        gate: "passed",
      },
      at(proposal),
    );
    log("proposal", proposal, "Proposal sent");
    const closed = proposal + rep.closeDays * DAY;
    const won = rep.won(i);
    s.closeDeal(
      d.id,
      { status: won ? "won" : "lost", reason: won ? "Clear ROI" : "Chose a competitor", closed_at: at(closed) },
      at(closed),
    );
  }
}

describe("assess_selling_approach", () => {
  let h: Harness;
  beforeAll(async () => {
    h = await connect();
    sell(h, ADA, 20, 1);
    sell(h, REX, 20, 2);
    sell(h, MIA, 20, 3);
  });
  afterAll(() => h.close());

  it("puts a research-led, multi-threaded rep who qualifies early on the proactive side of every factor the store shows, and an inbound, single-threaded, demo-first rep on the reactive side", async () => {
    const ada = await h.callOk("assess_selling_approach", { owner: ADA.owner });
    const rex = await h.callOk("assess_selling_approach", { owner: REX.owner });
    expect(ada.deals_considered).toBe(20);
    expect(rex.deals_considered).toBe(20);
    const pos = (r: any) => Object.fromEntries(r.factors.map((f: any) => [f.id, f.position]));
    const a = pos(ada);
    const r = pos(rex);
    for (const f of ["sourcing", "discovery", "positioning", "timeline", "win_rate", "cycle_time", "deal_size"]) {
      expect(a[f], `${f}: Ada`).toBeGreaterThanOrEqual(4);
      expect(r[f], `${f}: Rex`).toBeLessThanOrEqual(2);
    }
    expect(ada.overall.position).toBeGreaterThan(rex.overall.position);
    // The store cannot see customer value: the answer says which questions would position it.
    expect(a.customer_value).toBeNull();
    expect(ada.questions_to_answer.map((q: any) => q.factor)).toContain("customer_value");
    expect(rex.compared_with).toMatch(/team's medians/);
  });

  it("says the weakest factors first, with the measure, its threshold and a move toward proactive", async () => {
    const rex = await h.callOk("assess_selling_approach", { owner: REX.owner });
    const first = rex.factors[0];
    expect(first.position).toBeLessThanOrEqual(2);
    expect(first.measures[0].threshold).toMatch(/at >=/);
    expect(first.moves.length).toBeGreaterThan(0);
    expect(rex.__text).toMatch(/^\*\*Selling approach: Rex Tanner\*\* (reactive|mostly reactive)/);
    expect(rex.__text).toMatch(/move: /);
  });

  it("takes the rep's answers for what the store cannot see, and refuses an answer outside the scale", async () => {
    const answers = { quantify_roi: "always", customer_business_case: "always", challenge_to_outcome: "often" };
    const ada = await h.callOk("assess_selling_approach", { owner: ADA.owner, answers });
    const cv = ada.factors.find((f: any) => f.id === "customer_value");
    expect(cv.position).toBeGreaterThanOrEqual(4);
    expect(
      await h.callError("assess_selling_approach", { owner: ADA.owner, answers: { quantify_roi: "maybe" } }),
    ).toMatch(/answers/);
  });
});
