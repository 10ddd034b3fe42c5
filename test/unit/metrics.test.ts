// Pipeline metrics from the store's aggregates (Area 4 "Metrics & Continuous Learning"): win rate
// with disqualified deals left out, deal size, won cycle time against the segmentation matrix,
// stage conversion, pipeline velocity, leading indicators and the non-selling share. Where there
// is nothing to divide by, a metric is null (unknown), never NaN and never a made-up 0.
import { describe, expect, it } from "vitest";
import { parseSegment, segmentTargetDays, type MetricsInput } from "../../src/methodology/metrics.js";
import { metricsInput, metricsOf, Q1 } from "../helpers/analytics.js";
import { methodology } from "../helpers/connect.js";

const m = methodology();

type Closed = MetricsInput["closed"][number];
/** `n` deals of a segment closed with `status`; `amounts` lists the ones that have an amount. */
const closed = (segment: string | null, status: string, n: number, amounts: number[] = []): Closed => ({
  segment,
  status,
  n,
  amount_n: amounts.length,
  amount_sum: amounts.reduce((a, x) => a + x, 0),
});
const dist = (key: string, n: number, sum: number, median: number | null) => ({ key, n, sum, median });

/**
 * A quarter of a small team: 6 wins (5 with an amount), 3 losses, 5 disqualified; wins took a
 * median 45 days (smb-ready 40, mid-market-ready 95); 12 deals open; 80 activities over 12 weeks.
 */
const quarter = metricsInput({
  closed: [
    closed("smb_ready", "won", 3, [10_000, 12_000, 14_000]),
    closed("mid_market_ready", "won", 3, [40_000, 44_000]),
    closed("smb_ready", "lost", 2, [9_000]),
    closed(null, "lost", 1),
    closed("smb_ready", "disqualified", 5),
  ],
  won_amount_median: 14_000,
  cycle: [
    dist("won", 6, 300, 45),
    dist("lost", 3, 240, 70),
    dist("won|smb_ready", 3, 120, 40),
    dist("won|mid_market_ready", 3, 180, 95),
  ],
  reached: [
    { furthest: 0, n: 8 },
    { furthest: 1, n: 4 },
    { furthest: 2, n: 4 },
    { furthest: 3, n: 2 },
    { furthest: 4, n: 1 },
    { furthest: 5, n: 1 },
  ],
  stage_time: [dist("discovery", 4, 50, 11.25), dist("proposal_negotiation", 2, 30, 15)],
  open: { n: 12, amount_n: 10, amount_sum: 345_678.456 },
  activities: [
    { type: "email", n: 20 },
    { type: "call", n: 10 },
    { type: "meeting", n: 24 },
    { type: "demo", n: 6 },
    { type: "proposal", n: 4 },
    { type: "internal", n: 9 },
    { type: "approval", n: 3 },
    { type: "note", n: 4 },
  ],
  owners: [
    { owner: "ana", won: 4, lost: 1, won_amount: 96_000.456 },
    { owner: "ben", won: 2, lost: 2, won_amount: 24_000 },
    { owner: "cy", won: 0, lost: 0, won_amount: 0 },
  ],
});

describe("pipeline metrics of a quarter", () => {
  const r = metricsOf(m, quarter);

  it("win rate is won / (won + lost); disqualified deals are counted apart, not as losses", () => {
    expect(r.deals_closed).toEqual({ won: 6, lost: 3, disqualified: 5 });
    expect(r.win_rate).toBe(0.6667); // 6 / 9, not 6 / 14
  });

  it("average deal size is over the won deals that have an amount; the median comes from the store", () => {
    expect(r.avg_deal_size).toBe(24_000); // (10k + 12k + 14k + 40k + 44k) / 5: the won deal without an amount is left out
    expect(r.median_deal_size).toBe(14_000);
  });

  it("cycle time of wins and losses: mean from the sum, median as given", () => {
    expect(r.cycle_time.won).toEqual({ n: 6, mean_days: 50, median_days: 45 });
    expect(r.cycle_time.lost).toEqual({ n: 3, mean_days: 80, median_days: 70 });
  });

  it("each segment's median won cycle is judged against the matrix's cycle time, in days", () => {
    expect(r.cycle_time.by_segment).toEqual([
      {
        segment: "mid_market_ready",
        label: "Mid-Market-Ready",
        n: 3,
        mean_days: 60,
        median_days: 95,
        target_days: { min: 60.9, max: 91.3 }, // 2-3 months
        status: "slower",
      },
      {
        segment: "smb_ready",
        label: "SMB-Ready",
        n: 3,
        mean_days: 40,
        median_days: 40,
        target_days: { min: 30.4, max: 60.9 }, // 1-2 months
        status: "within",
      },
    ]);
    expect(r.reasons).toContain(
      "Mid-Market-Ready wins take a median 95 days, beyond the segmentation matrix's 60.9-91.3 days.",
    );
  });

  it("stage conversion: deals that reached the next stage over deals that reached this one", () => {
    // Reached at least: prospecting 20, discovery 12, solution 8, proposal 4, closing 2, onboarding 1.
    expect(r.conversion.map((c) => [c.from_stage, c.to_stage, c.reached_from, c.reached_to, c.rate])).toEqual([
      ["prospecting", "discovery", 20, 12, 0.6],
      ["discovery", "solution_presentation", 12, 8, 0.6667],
      ["solution_presentation", "proposal_negotiation", 8, 4, 0.5],
      ["proposal_negotiation", "closing", 4, 2, 0.5],
      ["closing", "onboarding_success", 2, 1, 0.5],
    ]);
    expect(r.conversion[0]).toMatchObject({ from_name: "Prospecting", to_name: "Discovery" });
  });

  it("time in stage for every stage, nulls where no deal left it", () => {
    expect(r.time_in_stage.map((s) => [s.stage, s.exits, s.mean_days, s.median_days])).toEqual([
      ["prospecting", 0, null, null],
      ["discovery", 4, 12.5, 11.3],
      ["solution_presentation", 0, null, null],
      ["proposal_negotiation", 2, 15, 15],
      ["closing", 0, null, null],
      ["onboarding_success", 0, null, null],
    ]);
  });

  it("pipeline velocity = open deals x win rate x average won size / average won cycle (per day)", () => {
    // 12 x 2/3 x 24,000 / 50 = 3,840 a day.
    expect(r.pipeline_velocity).toEqual({
      per_day: 3840,
      open_deals: 12,
      win_rate: 0.6667,
      avg_won_size: 24_000,
      avg_cycle_days: 50,
    });
  });

  it("open pipeline value, rounded to cents", () => {
    expect(r.open_pipeline).toEqual({ deals: 12, value: 345_678.46, deals_with_amount: 10 });
  });

  it("leading indicators per week of the period", () => {
    expect(r.period).toEqual({ from: Q1.from, to: Q1.to, days: 84 });
    expect(r.leading_indicators).toEqual({
      meetings: 24,
      demos: 6,
      proposals: 4,
      weeks: 12,
      per_week: { meetings: 2, demos: 0.5, proposals: 0.3 },
    });
  });

  it("non-selling share = internal activities (internal, approval) over all activities", () => {
    // 64 customer-facing, 12 internal, 4 notes (neither): 12 / 80.
    expect(r.activity_mix).toEqual({ customer_facing: 64, internal: 12, total: 80, non_selling_share: 0.15 });
  });

  it("revenue and win rate per owner; an owner with nothing decided has no win rate", () => {
    expect(r.revenue_per_owner).toEqual([
      { owner: "ana", won: 4, lost: 1, win_rate: 0.8, revenue: 96_000.46 },
      { owner: "ben", won: 2, lost: 2, win_rate: 0.5, revenue: 24_000 },
      { owner: "cy", won: 0, lost: 0, win_rate: null, revenue: 0 },
    ]);
  });

  it("says nothing is missing when everything could be computed", () => {
    expect(r.reasons).toHaveLength(1); // only the slow segment
    expect(r.currency).toBe("EUR");
  });
});

describe("pipeline velocity", () => {
  it("the textbook example: 50 open deals x 25% x 10,000 / 30 days = 4,166.67 a day", () => {
    const r = metricsOf(
      m,
      metricsInput({
        closed: [closed("smb_ready", "won", 1, [10_000]), closed("smb_ready", "lost", 3)],
        cycle: [dist("won", 1, 30, 30)],
        open: { n: 50, amount_n: 0, amount_sum: 0 },
      }),
    );
    expect(r.pipeline_velocity?.per_day).toBe(4166.67);
  });

  it("uses the mean won cycle, not the median", () => {
    const r = metricsOf(
      m,
      metricsInput({
        closed: [closed("smb_ready", "won", 2, [10_000, 30_000])],
        cycle: [dist("won", 2, 100, 20)], // mean 50, median 20
        open: { n: 5, amount_n: 0, amount_sum: 0 },
      }),
    );
    expect(r.pipeline_velocity).toMatchObject({ per_day: 2000, win_rate: 1, avg_cycle_days: 50 }); // 5 x 1 x 20k / 50
  });

  it("is 0 (known) with no open deals", () => {
    const r = metricsOf(
      m,
      metricsInput({ closed: [closed("smb_ready", "won", 1, [10_000])], cycle: [dist("won", 1, 30, 30)] }),
    );
    expect(r.pipeline_velocity?.per_day).toBe(0);
  });

  it.each<[string, Partial<MetricsInput>]>([
    ["nothing was won or lost", {}],
    ["every decided deal was lost (win rate 0, no won size)", { closed: [closed("smb_ready", "lost", 4, [5_000])] }],
    ["no won deal has an amount", { closed: [closed("smb_ready", "won", 2)], cycle: [dist("won", 2, 60, 30)] }],
    [
      "wins closed the day they were created (no cycle to divide by)",
      { closed: [closed("smb_ready", "won", 2, [1_000, 3_000])], cycle: [dist("won", 2, 0, 0)] },
    ],
  ])("is null, with a reason, when %s", (_, over) => {
    const r = metricsOf(m, metricsInput({ open: { n: 10, amount_n: 0, amount_sum: 0 }, ...over }));
    expect(r.pipeline_velocity).toBeNull();
    expect(r.reasons).toContain(
      "Pipeline velocity needs at least one won deal with an amount in the period (and a win rate).",
    );
  });
});

describe("nothing to divide by", () => {
  it("an empty period: unknowns are null, counts are 0, and the reasons say why", () => {
    const r = metricsOf(m, metricsInput());
    expect(r.deals_closed).toEqual({ won: 0, lost: 0, disqualified: 0 });
    expect(r.win_rate).toBeNull();
    expect(r.avg_deal_size).toBeNull();
    expect(r.median_deal_size).toBeNull();
    expect(r.cycle_time).toEqual({
      won: { n: 0, mean_days: null, median_days: null },
      lost: { n: 0, mean_days: null, median_days: null },
      by_segment: [],
    });
    expect(r.conversion.every((c) => c.rate === null && c.reached_from === 0)).toBe(true);
    expect(r.conversion).toHaveLength(m.stages.length - 1);
    expect(r.time_in_stage.every((s) => s.exits === 0 && s.mean_days === null && s.median_days === null)).toBe(true);
    expect(r.pipeline_velocity).toBeNull();
    expect(r.activity_mix).toEqual({ customer_facing: 0, internal: 0, total: 0, non_selling_share: null });
    expect(r.revenue_per_owner).toEqual([]);
    expect(r.reasons).toEqual([
      "Pipeline velocity needs at least one won deal with an amount in the period (and a win rate).",
      "No deal was won or lost in the period, so win rate and cycle time are not known yet.",
    ]);
  });

  it("only disqualified deals: the win rate is unknown, not 0", () => {
    const r = metricsOf(m, metricsInput({ closed: [closed("smb_ready", "disqualified", 7)] }));
    expect(r.deals_closed).toEqual({ won: 0, lost: 0, disqualified: 7 });
    expect(r.win_rate).toBeNull();
  });

  it("only losses: the win rate is 0, a known number", () => {
    const r = metricsOf(m, metricsInput({ closed: [closed("smb_ready", "lost", 3)] }));
    expect(r.win_rate).toBe(0);
    expect(r.reasons).not.toContain(
      "No deal was won or lost in the period, so win rate and cycle time are not known yet.",
    );
  });

  it("a stage nobody reached converts at null; a stage reached by some but left by none converts at 0", () => {
    const r = metricsOf(m, metricsInput({ reached: [{ furthest: 0, n: 5 }] }));
    expect(r.conversion.map((c) => c.rate)).toEqual([0, null, null, null, null]);
  });

  it("a deal created further down the funnel counts as having reached the stages before it", () => {
    const r = metricsOf(m, metricsInput({ reached: [{ furthest: 3, n: 4 }] }));
    expect(r.conversion.map((c) => [c.reached_from, c.reached_to, c.rate])).toEqual([
      [4, 4, 1],
      [4, 4, 1],
      [4, 4, 1],
      [4, 0, 0],
      [0, 0, null],
    ]);
  });

  it("an open-ended period (no from) has no length and no weekly rates", () => {
    const r = metricsOf(m, metricsInput({ activities: [{ type: "meeting", n: 3 }] }), { from: null, to: Q1.to });
    expect(r.period).toEqual({ from: null, to: Q1.to, days: null });
    expect(r.leading_indicators).toEqual({ meetings: 3, demos: 0, proposals: 0, weeks: null, per_week: null });
  });

  it("a period with activities but no internal work has a non-selling share of 0", () => {
    const r = metricsOf(m, metricsInput({ activities: [{ type: "call", n: 5 }] }));
    expect(r.activity_mix.non_selling_share).toBe(0);
  });
});

describe("won cycle time against the segment's target range", () => {
  // Matrix months x 30.4375 days, rounded to 0.1: SMB-Ready 1-2 months = 30.4-60.9 days,
  // Mid-Market-Ready 2-3 = 60.9-91.3, Enterprise-Ready 4-6 = 121.8-182.6,
  // Enterprise-Not Ready (derived row) 6-12 = 182.6-365.3.
  it.each([
    ["smb_ready", 30.3, "faster"],
    ["smb_ready", 30.4, "within"],
    ["smb_ready", 45, "within"],
    ["smb_ready", 60.9, "within"],
    ["smb_ready", 61, "slower"],
    ["mid_market_ready", 60.8, "faster"],
    ["mid_market_ready", 91.3, "within"],
    ["mid_market_ready", 91.4, "slower"],
    ["enterprise_ready", 121.7, "faster"],
    ["enterprise_ready", 182.6, "within"],
    ["enterprise_ready", 182.7, "slower"],
    ["enterprise_not_ready", 300, "within"],
  ])("%s won in a median %d days is %s", (segment, median, status) => {
    const r = metricsOf(m, metricsInput({ cycle: [dist(`won|${segment}`, 2, median * 2, median)] }));
    expect(r.cycle_time.by_segment).toHaveLength(1);
    expect(r.cycle_time.by_segment[0]).toMatchObject({ segment, median_days: median, status });
  });

  it("a segment with wins but no median is no_data; a segment outside the matrix is left out", () => {
    const r = metricsOf(
      m,
      metricsInput({ cycle: [dist("won|smb_ready", 2, 50, null), dist("won|government_ready", 2, 50, 25)] }),
    );
    expect(r.cycle_time.by_segment.map((s) => [s.segment, s.status])).toEqual([["smb_ready", "no_data"]]);
  });

  it("only a slower segment gets a reason", () => {
    const r = metricsOf(
      m,
      metricsInput({ cycle: [dist("won|smb_ready", 1, 20, 20), dist("won|enterprise_ready", 1, 150, 150)] }),
    );
    expect(r.cycle_time.by_segment.map((s) => [s.segment, s.status])).toEqual([
      ["enterprise_ready", "within"],
      ["smb_ready", "faster"],
    ]);
    expect(r.reasons.some((x) => x.includes("beyond the segmentation matrix"))).toBe(false);
  });

  it.each([
    ["smb_ready", { tier: "smb", readiness: "ready" }],
    ["mid_market_exploring", { tier: "mid_market", readiness: "exploring" }],
    ["enterprise_not_ready", { tier: "enterprise", readiness: "not_ready" }],
    ["mid_market_unknown", { tier: "mid_market", readiness: "unknown" }],
    ["mid_market", null],
    ["smb_eager", null],
    ["", null],
  ])("parseSegment(%j) = %j", (segment, expected) => {
    expect(parseSegment(m, segment)).toEqual(expected);
  });

  it.each([
    ["smb_ready", "SMB-Ready", 30.4, 60.9],
    ["mid_market_exploring", "Mid-Market-Exploring", 91.3, 121.8],
    ["enterprise_exploring", "Enterprise-Exploring", 182.6, 273.9],
    ["smb_not_ready", "SMB-Not Ready", 91.3, 182.6],
  ])("the %s target is %s, %d-%d days", (segment, label, min, max) => {
    expect(segmentTargetDays(m, segment)).toEqual({ label, min, max });
  });
});
