// Win-loss analysis (Area 4 "Perform quarterly win-loss analysis", Phase 3 "Quarterly Deep
// Dives"): why deals are won and lost, where lost deals stopped, and what to change, mapped to
// the seven wastes. Cut-offs from data/wastes.json (win_loss): losses after the early stages
// above 50% = disqualified too late; lost median cycle above 1.5x the won one = losses linger.
import { describe, expect, it } from "vitest";
import { analyseWinLoss, wasteOfReason, type WinLossInput } from "../../src/methodology/winloss.js";
import { methodology } from "../helpers/connect.js";

const m = methodology();

const input = (over: Partial<WinLossInput> = {}): WinLossInput => ({
  reasons: [],
  lost_at_stage: [],
  cycle: [],
  by_segment: [],
  by_source: [],
  lost_reasons_sample: [],
  ...over,
});
/** `won` wins and `lost` losses in one segment. */
const decided = (won: number, lost: number, segment: string | null = "smb_ready") => [
  { segment, status: "won", n: won },
  { segment, status: "lost", n: lost },
];
const cycles = (wonMedian: number | null, lostMedian: number | null) => [
  { key: "won", n: 4, sum: 4 * (wonMedian ?? 0), median: wonMedian },
  { key: "lost", n: 4, sum: 4 * (lostMedian ?? 0), median: lostMedian },
];

/**
 * A quarter: 6 won, 10 lost. Reasons as the store returns them (lower-cased, most frequent first).
 * Lost deals stopped at Discovery (2), Solution Presentation (3) and Proposal & Negotiation (5).
 * Wins took a median 45 days, losses 80.
 */
const quarter = input({
  reasons: [
    { status: "lost", reason: "no budget", n: 4 },
    { status: "lost", reason: "procurement stalled", n: 3 },
    { status: "won", reason: "fast onboarding", n: 3 },
    { status: "lost", reason: null, n: 2 },
    { status: "won", reason: "executive sponsor", n: 2 },
    { status: "won", reason: null, n: 1 },
    { status: "lost", reason: "pricing error in the proposal", n: 1 },
  ],
  lost_at_stage: [
    { stage: "proposal_negotiation", n: 5 },
    { stage: "discovery", n: 2 },
    { stage: "solution_presentation", n: 3 },
  ],
  cycle: [
    { key: "won", n: 6, sum: 300, median: 45 },
    { key: "lost", n: 10, sum: 900, median: 80 },
  ],
  by_segment: [
    { segment: "smb_ready", status: "won", n: 4 },
    { segment: "smb_ready", status: "lost", n: 2 },
    { segment: "mid_market_ready", status: "won", n: 2 },
    { segment: "mid_market_ready", status: "lost", n: 6 },
    { segment: null, status: "lost", n: 2 },
  ],
  by_source: [
    { source: "referral", status: "won", n: 3 },
    { source: "inbound", status: "won", n: 3 },
    { source: "inbound", status: "lost", n: 7 },
    { source: null, status: "lost", n: 3 },
  ],
});

describe("win-loss analysis of a quarter", () => {
  const r = analyseWinLoss(m, quarter);

  it("win rate over decided deals", () => {
    expect([r.won, r.lost, r.win_rate]).toEqual([6, 10, 0.375]);
    expect(r.reasons).toEqual([
      "Win rate 37.5% over 16 decided deals (disqualified deals are not losses).",
      "Median cycle: wins 45 days, losses 80 days.",
    ]);
  });

  it("top reasons by count, each loss reason mapped to the waste it points at", () => {
    expect(r.top_win_reasons).toEqual([
      { reason: "fast onboarding", count: 3 },
      { reason: "executive sponsor", count: 2 },
    ]);
    expect(r.top_loss_reasons).toEqual([
      { reason: "no budget", count: 4, waste: "qualification_defects" },
      { reason: "procurement stalled", count: 3, waste: "waiting" },
      { reason: "pricing error in the proposal", count: 1, waste: "defects" },
    ]);
  });

  it("counts the closes without a reason apart", () => {
    expect(r.closed_without_reason).toEqual({ won: 1, lost: 2 });
  });

  it("where lost deals stopped, in stage order, as a share of all losses", () => {
    expect(r.lost_at_stage).toEqual([
      { stage: "discovery", stage_name: "Discovery", count: 2, share: 0.2 },
      { stage: "solution_presentation", stage_name: "Solution Presentation", count: 3, share: 0.3 },
      { stage: "proposal_negotiation", stage_name: "Proposal & Negotiation", count: 5, share: 0.5 },
    ]);
  });

  it("cycle time of wins and losses", () => {
    expect(r.cycle_time).toEqual({
      won: { n: 6, mean_days: 50, median_days: 45 },
      lost: { n: 10, mean_days: 90, median_days: 80 },
    });
  });

  it("win rate by segment and by source, biggest first; a missing value is (none)", () => {
    expect(r.by_segment).toEqual([
      { segment: "mid_market_ready", won: 2, lost: 6, win_rate: 0.25 },
      { segment: "smb_ready", won: 4, lost: 2, win_rate: 0.6667 },
      { segment: "(none)", won: 0, lost: 2, win_rate: 0 },
    ]);
    expect(r.by_source).toEqual([
      { source: "inbound", won: 3, lost: 7, win_rate: 0.3 },
      { source: "referral", won: 3, lost: 0, win_rate: 1 },
      { source: "(none)", won: 0, lost: 3, win_rate: 0 },
    ]);
  });

  it("recommends what to change, one entry per waste, with the evidence and the reference's remedies", () => {
    expect(r.recommendations.map((x) => [x.waste, x.name, x.evidence])).toEqual([
      [
        "qualification_defects",
        "Defects in Qualification",
        "4 of 10 losses give reasons that point at Defects in Qualification. " +
          "8 of 10 losses (80%) happened after Prospecting and Discovery: deals are disqualified too late, after the costly stages.",
      ],
      [
        "waiting",
        "Waiting",
        "3 of 10 losses give reasons that point at Waiting. " +
          "Lost deals took a median 80 days against 45 for wins: losing deals linger instead of being closed out.",
      ],
      ["defects", "Defects", "1 of 10 losses give reasons that point at Defects."],
      [
        "unutilized_talent",
        "Unutilized Talent",
        "3 of 16 closed deals have no recorded reason, so nothing is learned from them. " +
          'Top win reason "fast onboarding" (3 wins) belongs in the playbook.',
      ],
    ]);
    for (const rec of r.recommendations) expect(rec.remedy).toEqual(m.waste(rec.waste).elimination);
  });
});

describe("where lost deals stopped", () => {
  it.each([
    // [lost at prospecting, at discovery, later], finding?
    [[2, 3, 5], false], // 5 of 10 after the early stages: exactly half is not "most"
    [[2, 2, 6], true], // 6 of 10
    [[0, 0, 1], true], // the only loss came late
    [[4, 6, 0], false], // all lost early: qualification works
  ])("lost at prospecting/discovery/proposal %j: 'disqualified too late' is %s", ([p, d, late], finding) => {
    const lost = p! + d! + late!;
    const r = analyseWinLoss(
      m,
      input({
        by_segment: decided(3, lost),
        lost_at_stage: [
          { stage: "prospecting", n: p! },
          { stage: "discovery", n: d! },
          { stage: "proposal_negotiation", n: late! },
        ],
      }),
    );
    const late_ = r.recommendations.find((x) => x.evidence.includes("disqualified too late"));
    expect(late_ !== undefined).toBe(finding);
    if (finding) {
      expect(late_!.waste).toBe("qualification_defects");
      expect(late_!.evidence).toContain(`${late} of ${lost} losses (${Math.round((late! / lost) * 100)}%)`);
    }
  });

  it("a stage with no losses is not listed; with no losses at all nothing is", () => {
    const r = analyseWinLoss(m, input({ by_segment: decided(3, 0), lost_at_stage: [{ stage: "closing", n: 0 }] }));
    expect(r.lost_at_stage).toEqual([]);
    expect(r.recommendations).toEqual([]);
  });
});

describe("losses that linger", () => {
  it.each([
    [40, 60, false], // exactly 1.5x: not beyond the cut-off
    [40, 60.1, true],
    [40, 100, true],
    [40, 30, false], // losses closed out faster than wins
    [40, null, false], // no lost cycle known
    [null, 60, false], // no won cycle known
  ])("won median %s, lost median %s: 'losses linger' is %s", (wonMedian, lostMedian, finding) => {
    const r = analyseWinLoss(m, input({ by_segment: decided(4, 4), cycle: cycles(wonMedian, lostMedian) }));
    const waiting = r.recommendations.find((x) => x.waste === "waiting");
    expect(waiting !== undefined).toBe(finding);
    if (finding)
      expect(waiting!.evidence).toBe(
        `Lost deals took a median ${lostMedian} days against ${wonMedian} for wins: losing deals linger instead of being closed out.`,
      );
  });
});

describe("reasons", () => {
  it("closes without any reason: nothing is learned from them", () => {
    const r = analyseWinLoss(
      m,
      input({
        by_segment: decided(2, 3),
        lost_at_stage: [{ stage: "discovery", n: 3 }],
        reasons: [
          { status: "lost", reason: null, n: 3 },
          { status: "won", reason: null, n: 2 },
        ],
      }),
    );
    expect(r.top_win_reasons).toEqual([]);
    expect(r.top_loss_reasons).toEqual([]);
    expect(r.closed_without_reason).toEqual({ won: 2, lost: 3 });
    expect(r.recommendations).toEqual([
      expect.objectContaining({
        waste: "unutilized_talent",
        evidence: "5 of 5 closed deals have no recorded reason, so nothing is learned from them.",
      }),
    ]);
  });

  it("an empty reason counts as no reason", () => {
    const r = analyseWinLoss(m, input({ by_segment: decided(0, 1), reasons: [{ status: "lost", reason: "", n: 1 }] }));
    expect(r.top_loss_reasons).toEqual([]);
    expect(r.closed_without_reason).toEqual({ won: 0, lost: 1 });
  });

  it("lists at most the configured number of reasons (data/wastes.json: 10)", () => {
    const reasons = Array.from({ length: 12 }, (_, i) => ({ status: "lost", reason: `reason ${i}`, n: 20 - i }));
    const r = analyseWinLoss(m, input({ by_segment: decided(0, 174), reasons }));
    expect(m.wasteRules.win_loss.top_reasons).toBe(10);
    expect(r.top_loss_reasons.map((x) => x.count)).toEqual([20, 19, 18, 17, 16, 15, 14, 13, 12, 11]);
  });

  // data/wastes.json promises "the ten most frequent reasons", whatever order the rows arrive in.
  it("ranks reasons by count even when the rows do not arrive sorted", () => {
    const r = analyseWinLoss(
      m,
      input({
        by_segment: decided(0, 6),
        reasons: [
          { status: "lost", reason: "timing", n: 1 },
          { status: "lost", reason: "no budget", n: 5 },
        ],
      }),
    );
    expect(r.top_loss_reasons.map((x) => x.reason)).toEqual(["no budget", "timing"]);
  });

  it("loss reasons add up per waste, biggest first (reasons tied on count in alphabetical order)", () => {
    const r = analyseWinLoss(
      m,
      input({
        by_segment: decided(1, 9),
        lost_at_stage: [{ stage: "prospecting", n: 9 }],
        reasons: [
          { status: "lost", reason: "procurement stalled", n: 3 },
          { status: "lost", reason: "no budget", n: 2 },
          { status: "lost", reason: "no need", n: 2 },
          { status: "lost", reason: "chose incumbent", n: 2 },
        ],
      }),
    );
    expect(r.top_loss_reasons.map((x) => x.waste)).toEqual([
      "waiting",
      null, // chose incumbent
      "qualification_defects",
      "qualification_defects",
    ]);
    expect(r.recommendations.map((x) => x.evidence)).toEqual([
      "4 of 9 losses give reasons that point at Defects in Qualification.",
      "3 of 9 losses give reasons that point at Waiting.",
    ]);
  });

  it.each([
    ["no budget", "qualification_defects"],
    ["no need", "qualification_defects"],
    ["we never qualified the budget", "qualification_defects"],
    ["procurement stalled", "waiting"],
    ["waited too long for legal approval", "waiting"],
    // The pipeline's defect signals (data/wastes.json) win over the classifier.
    ["pricing error in the proposal", "defects"],
    ["misquote on licences", "defects"],
    ["outdated case study in deck", "defects"],
    ["chose incumbent", null],
  ])("loss reason %j points at %s", (reason, waste) => {
    expect(wasteOfReason(m, reason)).toBe(waste);
  });
});

it("nothing decided: no win rate, no findings", () => {
  const r = analyseWinLoss(m, input());
  expect(r).toMatchObject({
    won: 0,
    lost: 0,
    win_rate: null,
    top_win_reasons: [],
    top_loss_reasons: [],
    closed_without_reason: { won: 0, lost: 0 },
    lost_at_stage: [],
    cycle_time: {
      won: { n: 0, mean_days: null, median_days: null },
      lost: { n: 0, mean_days: null, median_days: null },
    },
    by_segment: [],
    by_source: [],
    recommendations: [],
    reasons: ["No won or lost deals in scope."],
  });
});

it("a lost cycle without a won one still reports the win rate line only", () => {
  const r = analyseWinLoss(m, input({ by_segment: decided(0, 4), cycle: cycles(null, 50) }));
  expect(r.win_rate).toBe(0);
  expect(r.reasons).toEqual(["Win rate 0% over 4 decided deals (disqualified deals are not losses)."]);
});

it("a won cycle without a lost one says n/a for losses", () => {
  const r = analyseWinLoss(m, input({ by_segment: decided(4, 0), cycle: cycles(30, null) }));
  expect(r.reasons[1]).toBe("Median cycle: wins 30 days, losses n/a days.");
});
