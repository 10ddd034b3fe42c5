// Lead scoring from historical win patterns (Area 2): Laplace-smoothed categorical naive Bayes
// over closed deals, explained per feature as log-likelihood ratios, and judged on held-out
// deals by AUC and Brier score.
import { describe, expect, it } from "vitest";
import { mulberry32 } from "../../src/app/demo/generate.js";
import {
  addExample,
  amountBucket,
  auc,
  displayValue,
  emptyModel,
  evaluate,
  explain,
  featureLabel,
  normalizeCategory,
  winProbability,
  type FeatureValues,
  type TrainingRow,
} from "../../src/methodology/scoring.js";
import type { ScoringFeature } from "../../src/methodology/schema.js";
import { methodology, teamMethodology } from "../helpers/connect.js";

const m = methodology();

const won = (f: FeatureValues = {}, bant_score: number | null = null): TrainingRow => ({
  status: "won",
  holdout: 0,
  bant_score,
  ...f,
});
const lost = (f: FeatureValues = {}, bant_score: number | null = null): TrainingRow => ({
  status: "lost",
  holdout: 0,
  bant_score,
  ...f,
});
function train(rows: TrainingRow[], features: readonly ScoringFeature[], alpha = m.scoring.smoothing_alpha) {
  const model = emptyModel(alpha);
  for (const r of rows) addExample(model, features, r);
  return model;
}
const sigmoid = (logOdds: number) => 1 / (1 + Math.exp(-logOdds));

/**
 * Six closed deals. Source: referral won twice and never lost; inbound won once, lost twice; cold
 * lost once. Segment: smb_ready won 2 of 3, mid_market_ready won 1 of 3.
 */
const FEATURES = ["source", "segment"] as const satisfies readonly ScoringFeature[];
const history = [
  won({ source: "referral", segment: "smb_ready" }),
  won({ source: "referral", segment: "smb_ready" }),
  won({ source: "inbound", segment: "mid_market_ready" }),
  lost({ source: "inbound", segment: "smb_ready" }),
  lost({ source: "inbound", segment: "mid_market_ready" }),
  lost({ source: "cold", segment: "mid_market_ready" }),
];
const model = train(history, FEATURES);

describe("naive Bayes win probability", () => {
  it("counts the closed deals by class and value", () => {
    expect(model.won).toBe(3);
    expect(model.lost).toBe(3);
    expect(model.alpha).toBe(1);
    expect(Object.fromEntries(model.tables.get("source")!)).toEqual({
      referral: { won: 2, lost: 0 },
      inbound: { won: 1, lost: 2 },
      cold: { won: 0, lost: 1 },
    });
  });

  it("with no evidence the probability is the smoothed base rate", () => {
    expect(winProbability(model, FEATURES, {}).p).toBeCloseTo(0.5, 10);
    // 3 won, 1 lost, alpha 1: odds (3 + 1) / (1 + 1) = 2, p = 2/3.
    const skewed = train([won(), won(), won(), lost()], FEATURES);
    expect(winProbability(skewed, FEATURES, {}).p).toBeCloseTo(2 / 3, 10);
  });

  // Laplace: P(v | class) = (count + 1) / (class total + 1 x 3 values seen).
  it.each([
    // referral: (2+1)/6 over (0+1)/6 = 3 -> p = 3/4, not 1: smoothing keeps it short of certainty.
    ["referral", 0.75, Math.log(3)],
    // inbound: (1+1)/6 over (2+1)/6 = 2/3 -> p = 0.4.
    ["inbound", 0.4, Math.log(2 / 3)],
    // cold: (0+1)/6 over (1+1)/6 = 1/2 -> p = 1/3.
    ["cold", 1 / 3, Math.log(1 / 2)],
  ])("lead source %s: p = %d", (source, p, llr) => {
    const r = winProbability(model, FEATURES, { source });
    expect(r.p).toBeCloseTo(p, 10);
    expect(r.contributions).toHaveLength(1);
    expect(r.contributions[0]!.feature).toBe("source");
    expect(r.contributions[0]!.value).toBe(source);
    expect(r.contributions[0]!.llr).toBeCloseTo(llr, 10);
  });

  it("a value seen only in wins raises the probability above the base rate, one seen only in losses lowers it", () => {
    const base = winProbability(model, FEATURES, {}).p;
    expect(winProbability(model, FEATURES, { source: "referral" }).p).toBeGreaterThan(base);
    expect(winProbability(model, FEATURES, { source: "cold" }).p).toBeLessThan(base);
  });

  it("features multiply as independent evidence (log-odds add)", () => {
    // referral x3, smb_ready (2+1)/5 over (1+1)/5 = x1.5: odds 4.5, p = 9/11.
    const r = winProbability(model, FEATURES, { source: "referral", segment: "smb_ready" });
    expect(r.p).toBeCloseTo(9 / 11, 10);
    expect(r.p).toBeCloseTo(sigmoid(r.contributions.reduce((a, c) => a + c.llr, 0)), 10);
  });

  it.each<[string, FeatureValues]>([
    ["a value training never saw", { source: "trade show" }],
    ["a value not recorded on the deal (null)", { source: null }],
    ["an empty value", { source: "" }],
    ["a value that normalises to nothing", { source: " -- " }],
    ["a feature not given at all", {}],
    ["a feature the model was not trained on", { bant_need: "critical" }],
  ])("%s is not a factor: no evidence either way", (_, values) => {
    const r = winProbability(model, FEATURES, values);
    expect(r.contributions).toEqual([]);
    expect(r.p).toBeCloseTo(0.5, 10);
  });

  it("free-text categories compare without case, spaces or punctuation", () => {
    expect(winProbability(model, FEATURES, { source: "  Referral " }).p).toBeCloseTo(0.75, 10);
    expect(winProbability(model, FEATURES, { source: "REFERRAL" }).contributions[0]!.value).toBe("referral");
  });

  it.each([
    ["Inbound", "inbound"],
    ["  Trade-Show ", "trade_show"],
    ["Partner / Reseller", "partner_reseller"],
    ["Ｗｅｂ", "web"],
    ["!!!", ""],
  ])("normalizeCategory(%j) = %j", (raw, expected) => {
    expect(normalizeCategory(raw)).toBe(expected);
  });

  it("more smoothing pulls the same evidence towards the base rate", () => {
    const heavy = train(history, FEATURES, 10);
    // (2+10)/(3+30) over (0+10)/(3+30) = 1.2 -> p = 1.2 / 2.2.
    expect(winProbability(heavy, FEATURES, { source: "referral" }).p).toBeCloseTo(1.2 / 2.2, 10);
  });

  describe("the furthest stage reached is ordinal", () => {
    // Won deals reached stages 3, 4, 4; lost deals stopped at 1, 2, 3.
    const stages = train(
      [
        won({ reached_stage: 3 }),
        won({ reached_stage: 4 }),
        won({ reached_stage: 4 }),
        lost({ reached_stage: 1 }),
        lost({ reached_stage: 2 }),
        lost({ reached_stage: 3 }),
      ],
      ["reached_stage"],
    );

    it.each([
      // P(reached >= k | class) = (count + 1) / (3 + 2).
      [0, 0.5], // everyone reached it: no evidence
      [1, 0.5],
      [2, 4 / 7], // won 3 of 3, lost 2 of 3: (4/5) / (3/5) = 4/3 -> p = 4/7
      [3, 2 / 3], // won 3, lost 1: (4/5) / (2/5) = 2 -> p = 2/3
      [4, 3 / 4], // won 2, lost 0: (3/5) / (1/5) = 3 -> p = 3/4
      [5, 0.5], // nobody reached onboarding: even, though the value was never seen
    ])("an open deal at stage %i is compared with closed deals that reached at least that stage: p = %d", (k, p) => {
      const r = winProbability(stages, ["reached_stage"], { reached_stage: k });
      expect(r.p).toBeCloseTo(p, 10);
      expect(r.contributions).toHaveLength(1);
    });
  });
});

describe("explanations", () => {
  it("name the factors that moved the score, strongest first, with the shares behind them", () => {
    const r = winProbability(model, FEATURES, { source: "referral", segment: "smb_ready" });
    expect(explain(m, model, r.contributions)).toEqual([
      {
        feature: "source",
        label: "Lead source",
        value: "referral",
        effect: 1.099, // ln 3
        direction: "up",
        detail: "67% of won deals had lead source referral, against 0% of lost deals.",
      },
      {
        feature: "segment",
        label: "Segment",
        value: "smb_ready",
        effect: 0.405, // ln 1.5
        direction: "up",
        detail: "67% of won deals had segment smb_ready, against 33% of lost deals.",
      },
    ]);
  });

  it("a factor against the deal points down", () => {
    const r = winProbability(model, FEATURES, { source: "cold" });
    expect(explain(m, model, r.contributions)).toEqual([
      expect.objectContaining({ value: "cold", effect: -0.693, direction: "down" }),
    ]);
  });

  it("leaves out factors too small to matter (|log-odds| under 0.05)", () => {
    const contributions = [
      { feature: "source" as const, value: "inbound", llr: 0.049, won: 1, lost: 2 },
      { feature: "segment" as const, value: "smb_ready", llr: -0.05, won: 2, lost: 1 },
      { feature: "bant_need" as const, value: "critical", llr: 0.3, won: 2, lost: 1 },
    ];
    expect(explain(m, model, contributions).map((f) => [f.feature, f.effect])).toEqual([
      ["bant_need", 0.3],
      ["segment", -0.05],
    ]);
  });

  it("show stages and deal sizes by name", () => {
    const stageModel = train([won({ reached_stage: 3 }), lost({ reached_stage: 1 })], ["reached_stage"]);
    const r = winProbability(stageModel, ["reached_stage"], { reached_stage: 3 });
    expect(explain(m, stageModel, r.contributions)).toEqual([
      expect.objectContaining({
        label: "Furthest stage reached",
        value: "Proposal & Negotiation",
        detail: "100% of won deals reached Proposal & Negotiation or further, against 0% of lost deals.",
      }),
    ]);

    const amountModel = train([won({ amount_bucket: 2 }), lost({ amount_bucket: 0 })], ["amount_bucket"]);
    const a = winProbability(amountModel, ["amount_bucket"], { amount_bucket: 2 });
    expect(explain(m, amountModel, a.contributions)[0]).toMatchObject({
      label: "Deal size",
      value: "25k-50k",
      detail: "100% of won deals had deal size 25k-50k, against 0% of lost deals.",
    });
  });
});

describe("amount buckets", () => {
  // Edges from data/scoring.json: 10k, 25k, 50k, 100k, 250k.
  it.each([
    [null, null],
    [undefined, null],
    [0, 0],
    [9_999.99, 0],
    [10_000, 1],
    [24_999, 1],
    [25_000, 2],
    [99_999, 3],
    [100_000, 4],
    [249_999, 4],
    [250_000, 5],
    [5_000_000, 5],
  ])("%s falls in bucket %s", (amount, bucket) => {
    expect(amountBucket(m, amount)).toBe(bucket);
  });

  it.each([
    ["0", "under 10k"],
    ["1", "10k-25k"],
    ["3", "50k-100k"],
    ["5", "250k and above"],
  ])("bucket %s reads %j", (bucket, text) => {
    expect(displayValue(m, "amount_bucket", bucket)).toBe(text);
  });

  it.each([
    ["reached_stage", "0", "Prospecting"],
    ["reached_stage", "5", "Onboarding & Success"],
    ["reached_stage", "9", "9"],
    ["source", "referral", "referral"],
    ["amount_bucket", "(not recorded)", "(not recorded)"],
  ] as const)("displayValue(%s, %j) = %j", (f, v, text) => {
    expect(displayValue(m, f, v)).toBe(text);
  });
});

describe("AUC (Mann-Whitney, ties count half)", () => {
  const aucOf = (pairs: Array<[score: number, won: 0 | 1]>) =>
    auc(Float64Array.from(pairs.map((p) => p[0])), Uint8Array.from(pairs.map((p) => p[1])), pairs.length);

  it.each<[string, Array<[number, 0 | 1]>, number | null]>([
    [
      "perfectly separable: every win scored above every loss",
      [
        [0.1, 0],
        [0.9, 1],
        [0.2, 0],
        [0.8, 1],
        [0.3, 0],
      ],
      1,
    ],
    [
      "perfectly wrong",
      [
        [0.9, 0],
        [0.1, 1],
        [0.8, 0],
      ],
      0,
    ],
    [
      "all scores tied",
      [
        [0.5, 0],
        [0.5, 1],
        [0.5, 1],
        [0.5, 0],
      ],
      0.5,
    ],
    [
      // Wins 0.9, 0.6, 0.3 against losses 0.5, 0.2: 2 + 2 + 1 of 6 pairs ordered right.
      "five of six pairs ordered right",
      [
        [0.9, 1],
        [0.5, 0],
        [0.6, 1],
        [0.2, 0],
        [0.3, 1],
      ],
      5 / 6,
    ],
    [
      // Wins 0.9, 0.5 against losses 0.5, 0.1: 2 + (1 + a tie at 0.5) = 3.5 of 4.
      "a tie between a win and a loss counts half",
      [
        [0.5, 1],
        [0.5, 0],
        [0.9, 1],
        [0.1, 0],
      ],
      0.875,
    ],
    [
      "only wins: undefined",
      [
        [0.4, 1],
        [0.6, 1],
      ],
      null,
    ],
    ["only losses: undefined", [[0.4, 0]], null],
    ["no deals", [], null],
  ])("%s -> %s", (_, pairs, expected) => {
    const v = aucOf(pairs);
    if (expected === null) expect(v).toBeNull();
    else expect(v).toBeCloseTo(expected, 10);
  });

  it("scores unrelated to the outcome rank at about 0.5", () => {
    const rnd = mulberry32(2026);
    const pairs = Array.from({ length: 4000 }, () => [rnd(), rnd() < 0.4 ? 1 : 0] as [number, 0 | 1]);
    const v = aucOf(pairs)!;
    expect(Math.abs(v - 0.5)).toBeLessThan(0.03); // sd ~0.009 for 1,600 wins x 2,400 losses
  });

  it("reads only the first n entries of the arrays", () => {
    const scores = Float64Array.from([0.9, 0.1, 0.95, 0.05]);
    const labels = Uint8Array.from([1, 0, 0, 1]);
    expect(auc(scores, labels, 2)).toBe(1);
    expect(auc(scores, labels, 4)).toBe(0.25);
  });
});

describe("held-out quality", () => {
  // Scored by the six-deal model above: referral 0.75, inbound 0.4, cold 1/3.
  const holdout = [
    won({ source: "referral" }, 80),
    won({ source: "inbound" }, 40),
    lost({ source: "cold" }, 60),
    lost({ source: "inbound" }, 20),
  ];

  it("AUC and Brier score of the model, and the BANT score's AUC on the same deals", () => {
    const q = evaluate(model, FEATURES, holdout);
    expect(q.holdout_deals).toBe(4);
    // Wins 0.75, 0.4 against losses 1/3, 0.4: 2 + 1 + half a tie = 3.5 of 4.
    expect(q.auc).toBeCloseTo(0.875, 10);
    // ((1 - 0.75)^2 + (1 - 0.4)^2 + (1/3)^2 + 0.4^2) / 4
    expect(q.brier).toBeCloseTo((0.0625 + 0.36 + 1 / 9 + 0.16) / 4, 10);
    // BANT 80, 40 against 60, 20: 2 + 1 of 4.
    expect(q.bant_auc).toBe(0.75);
  });

  it("a model that separates the held-out deals perfectly has AUC 1", () => {
    const q = evaluate(model, FEATURES, [
      won({ source: "referral" }),
      lost({ source: "cold" }),
      lost({ source: "inbound" }),
    ]);
    expect(q.auc).toBe(1);
  });

  it("a deal without a BANT score ranks as 0", () => {
    const q = evaluate(model, FEATURES, [won({ source: "referral" }, 50), lost({ source: "cold" }, null)]);
    expect(q.bant_auc).toBe(1);
  });

  it("gives the same answer when the buffers have to grow", () => {
    expect(evaluate(model, FEATURES, holdout, 1)).toEqual(evaluate(model, FEATURES, holdout));
  });

  it("with no held-out deals there is nothing to measure", () => {
    expect(evaluate(model, FEATURES, [])).toEqual({ auc: null, brier: null, bant_auc: null, holdout_deals: 0 });
  });

  it("with held-out deals of one class only there is a Brier score but no AUC", () => {
    const q = evaluate(model, FEATURES, [won({ source: "referral" }), won({ source: "cold" })]);
    expect(q.auc).toBeNull();
    expect(q.brier).toBeCloseTo((0.25 ** 2 + (2 / 3) ** 2) / 2, 10);
  });
});

describe("feature labels follow the active framework", () => {
  const under = (id: string) =>
    id === "bant" ? methodology() : teamMethodology({ "qualification.json": (j) => (j.active = id) });
  it.each([
    ["bant", ["BANT budget", "BANT authority", "BANT need", "BANT timeline"]],
    [
      "meddicc",
      [
        "MEDDICC economic buyer (budget)",
        "MEDDICC economic buyer (authority)",
        "MEDDICC identify pain (need)",
        "MEDDICC decision process (timeline)",
      ],
    ],
    [
      "spiced",
      [
        "Budget (no SPICED dimension)",
        "SPICED decision (authority)",
        "SPICED pain (need)",
        "SPICED critical event (timeline)",
      ],
    ],
    [
      "champ",
      ["CHAMP money (budget)", "CHAMP authority", "CHAMP challenges (need)", "CHAMP prioritization (timeline)"],
    ],
  ])("%s names the budget, authority, need and timeline features after its dimensions", (id, labels) => {
    const m = under(id);
    expect(
      (["bant_budget", "bant_authority", "bant_need", "bant_timeline"] as const).map((f) => featureLabel(m, f)),
    ).toEqual(labels);
    expect(featureLabel(m, "source")).toBe("Lead source");
  });
});
