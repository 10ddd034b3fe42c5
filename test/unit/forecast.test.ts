// The backtested forecast: point-in-time reconstruction, learning only from what was known at
// as_of, calibration against generated histories whose rates are known, backtest arithmetic,
// currencies, imputation and determinism.
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { mulberry32 } from "../../src/app/demo/generate.js";
import {
  backtest,
  forecast,
  pipelineAt,
  type DealHistory,
  type ForecastConfig,
} from "../../src/methodology/forecast.js";

const DAY = 86_400_000;
const T0 = Date.parse("2025-01-01T00:00:00.000Z");
/** The instant `d` days (fractions allowed) after T0, and its UTC date. */
const at = (d: number) => new Date(T0 + d * DAY).toISOString();
const day = (d: number) => at(d).slice(0, 10);

const CFG: ForecastConfig = {
  stage_count: 4,
  closing_stages: [3],
  commit_probability: 0.7,
  best_case_probability: 0.4,
  interval: [0.1, 0.9],
  simulations: 2000,
  seed: 7,
  min_history: 10,
  age_bands_days: [0, 7, 14, 30, 60, 120],
  min_won_for_imputation: 3,
  run_rate_lookback_days: 180,
};

function deal(over: Partial<DealHistory> & { id: string; created: number }): DealHistory {
  const { created, ...rest } = over;
  return {
    owner: "ana",
    segment: null,
    amount: 100,
    currency: "USD",
    created_at: at(created),
    stages: [{ stage_index: 0, entered_at: at(created) }],
    outcome: null,
    ...rest,
  };
}

/**
 * A clockwork history: deal i is created at noon of day i (i < count) and won 5 days later. With
 * 10-day periods every number the forecast should give can be worked out by hand.
 */
function clockwork(count: number, over: Partial<DealHistory> = {}, prefix = "C"): DealHistory[] {
  return Array.from({ length: count }, (_, i) =>
    deal({
      id: `${prefix}-${String(i).padStart(3, "0")}`,
      created: i + 0.5,
      outcome: { status: "won", closed_at: at(i + 5.5) },
      ...over,
    }),
  );
}

// ------------------------------------------------------------------------- point in time

describe("pipelineAt: the pipeline as it stood", () => {
  const histories: DealHistory[] = [
    deal({
      id: "A",
      created: 0,
      stages: [
        { stage_index: 0, entered_at: at(0) },
        { stage_index: 1, entered_at: at(5) },
        { stage_index: 2, entered_at: at(12) },
      ],
      outcome: { status: "won", closed_at: at(20) },
    }),
    deal({ id: "B", created: 10 }),
    deal({ id: "C", created: 0, parked: [{ from: at(3), to: at(9) }] }),
    deal({
      id: "D",
      created: 1,
      stages: [
        { stage_index: 0, entered_at: at(1) },
        { stage_index: 1, entered_at: at(2) },
      ],
      outcome: { status: "lost", closed_at: at(6) },
    }),
    deal({ id: "E", created: 2, parked: [{ from: at(4), to: null }] }),
  ];

  it.each([
    {
      asOf: at(8),
      open: ["A"],
      parked: ["C", "E"],
      closed: ["D"],
      why: "A won later is open in stage 1; B not created; C and E parked",
    },
    {
      asOf: at(9),
      open: ["A", "C"],
      parked: ["E"],
      closed: ["D"],
      why: "C is back from nurture at the instant its parking ends",
    },
    {
      asOf: at(12),
      open: ["A", "B", "C"],
      parked: ["E"],
      closed: ["D"],
      why: "B exists once created; A entered stage 2 at this very instant",
    },
    { asOf: at(20), open: ["B", "C"], parked: ["E"], closed: ["A", "D"], why: "A is closed at the instant it was won" },
    { asOf: day(19), open: ["A", "B", "C"], parked: ["E"], closed: ["D"], why: "a date means the end of that day" },
    {
      asOf: "2025-01-09T00:00",
      open: ["A"],
      parked: ["C", "E"],
      closed: ["D"],
      why: "a timestamp without a zone is UTC (day 8)",
    },
  ])("$why", ({ asOf, open, parked, closed }) => {
    const p = pipelineAt(histories, asOf);
    expect(p.open.map((d) => d.id)).toEqual(open);
    expect(p.parked).toEqual(parked);
    expect(p.closed.map((d) => d.id)).toEqual(closed);
  });

  it("gives the stage and ages a deal had then, and the stage a closed deal closed from", () => {
    const p = pipelineAt(histories, at(8));
    expect(p.open[0]).toMatchObject({
      id: "A",
      stage_index: 1,
      stage_entered_at: at(5),
      days_in_stage: 3,
      age_days: 8,
    });
    expect(p.closed[0]).toMatchObject({ id: "D", status: "lost", stage_index: 1, closed_at: at(6) });
    expect(pipelineAt(histories, at(12)).open[0]).toMatchObject({ id: "A", stage_index: 2, days_in_stage: 0 });
  });

  // A deal's whole life as hour offsets; `truncate` keeps what had happened by `asOf`.
  const life = fc.record({
    created: fc.integer({ min: 0, max: 400 }),
    steps: fc.array(fc.record({ stage: fc.integer({ min: 0, max: 3 }), gap: fc.integer({ min: 0, max: 100 }) }), {
      maxLength: 4,
    }),
    close: fc.option(
      fc.record({
        status: fc.constantFrom("won" as const, "lost" as const, "disqualified" as const),
        gap: fc.integer({ min: 0, max: 100 }),
      }),
    ),
    park: fc.option(
      fc.record({ start: fc.integer({ min: 0, max: 200 }), len: fc.option(fc.integer({ min: 1, max: 200 })) }),
    ),
    amount: fc.option(fc.integer({ min: 1, max: 1000 })),
  });
  type Life = typeof life extends fc.Arbitrary<infer L> ? L : never;
  const hour = (h: number) => at(h / 24);

  function fullHistory(l: Life, i: number): DealHistory {
    let t = l.created;
    const stages = [{ stage_index: 0, entered_at: hour(t) }];
    for (const s of l.steps) stages.push({ stage_index: s.stage, entered_at: hour((t += s.gap)) });
    const outcome = l.close ? { status: l.close.status, closed_at: hour(t + l.close.gap) } : null;
    const parked = l.park
      ? [
          {
            from: hour(l.created + l.park.start),
            to: l.park.len === null ? null : hour(l.created + l.park.start + l.park.len),
          },
        ]
      : [];
    return {
      id: `P-${i}`,
      owner: "ana",
      segment: null,
      amount: l.amount,
      currency: "USD",
      created_at: hour(l.created),
      stages,
      outcome,
      parked,
    };
  }

  /** The same deal with everything after `asOf` removed: what a store would have held then. */
  function truncate(h: DealHistory, asOf: string): DealHistory | null {
    if (h.created_at > asOf) return null;
    return {
      ...h,
      stages: h.stages.filter((s) => s.entered_at <= asOf),
      outcome: h.outcome && h.outcome.closed_at <= asOf ? h.outcome : null,
      parked: (h.parked ?? [])
        .filter((p) => p.from <= asOf)
        .map((p) => ({ from: p.from, to: p.to !== null && p.to <= asOf ? p.to : null })),
    };
  }

  it("property: events after as_of (stage moves, closes, parking, new deals) never change it", () => {
    fc.assert(
      fc.property(fc.array(life, { maxLength: 12 }), fc.integer({ min: 0, max: 600 }), (lives, asOfHour) => {
        const asOf = hour(asOfHour);
        const full = lives.map(fullHistory);
        const then = full.map((h) => truncate(h, asOf)).filter((h): h is DealHistory => h !== null);
        expect(pipelineAt(full, asOf)).toEqual(pipelineAt(then, asOf));
      }),
      { numRuns: 300 },
    );
  });
});

// ------------------------------------------------------------------- a world with known rates

/**
 * Deals arrive as a Poisson process; each stage lasts an exponential time with a known mean, then
 * the deal advances with a known probability (else it is lost; disqualified from the first stage),
 * and the last stage ends in a win with the segment's probability. Events after `days` are not yet
 * known (the deal is open today).
 */
const WORLD = {
  ratePerDay: 2,
  advance: [0.6, 0.65, 0.7],
  segments: {
    smb: { amount: [5_000, 15_000], stageDays: [4, 6, 8, 6], win: 0.7 },
    ent: { amount: [30_000, 70_000], stageDays: [6, 9, 12, 9], win: 0.5 },
  },
} as const;

/** Won value per day in the steady state: arrivals x P(win) x mean amount, segments half each. */
const TRUE_WON_PER_DAY = Object.values(WORLD.segments).reduce(
  (s, g) =>
    s + 0.5 * WORLD.ratePerDay * WORLD.advance.reduce((p, a) => p * a, 1) * g.win * ((g.amount[0] + g.amount[1]) / 2),
  0,
);

function generateWorld(seed: number, days: number): DealHistory[] {
  const rand = mulberry32(seed);
  const exp = (mean: number) => -Math.log(1 - rand()) * mean;
  const today = T0 + days * DAY;
  const out: DealHistory[] = [];
  for (let t = T0 + exp(DAY / WORLD.ratePerDay); t <= today; t += exp(DAY / WORLD.ratePerDay)) {
    const segment = rand() < 0.5 ? "smb" : "ent";
    const g = WORLD.segments[segment];
    const amount = Math.round(g.amount[0] + rand() * (g.amount[1] - g.amount[0]));
    const stages = [{ stage_index: 0, entered_at: new Date(t).toISOString() }];
    let outcome: DealHistory["outcome"] = null;
    let now = t;
    for (let s = 0; s < 4 && !outcome; s++) {
      now += exp(g.stageDays[s]! * DAY);
      if (now > today) break;
      const closed_at = new Date(now).toISOString();
      if (s === 3) outcome = { status: rand() < g.win ? "won" : "lost", closed_at };
      else if (rand() < WORLD.advance[s]!) stages.push({ stage_index: s + 1, entered_at: closed_at });
      else outcome = { status: s === 0 ? "disqualified" : "lost", closed_at };
    }
    out.push({
      id: `W-${String(out.length).padStart(5, "0")}`,
      owner: rand() < 0.5 ? "ana" : "ben",
      segment,
      amount,
      currency: "USD",
      created_at: new Date(t).toISOString(),
      stages,
      outcome,
    });
  }
  return out;
}

const WORLD_DAYS = 240 + 40 * 30;
const world = generateWorld(20260101, WORLD_DAYS);

describe("learning only from what was known at as_of", () => {
  it("changing deals that closed after as_of changes nothing", () => {
    const asOf = at(600);
    const period = { from: day(600), to: day(629), as_of: asOf };
    const before = forecast(world, period, CFG, mulberry32);
    let changed = 0;
    const rewritten = world.map((h): DealHistory => {
      if (!h.outcome || h.outcome.closed_at <= asOf) return h;
      changed++;
      const later = at((Date.parse(h.outcome.closed_at) - T0) / DAY + 17);
      return {
        ...h,
        stages: [...h.stages, { stage_index: 3, entered_at: h.outcome.closed_at }],
        outcome: { status: h.outcome.status === "won" ? "lost" : "won", closed_at: later },
      };
    });
    expect(changed).toBeGreaterThan(100);
    expect(forecast(rewritten, period, CFG, mulberry32)).toEqual(before);
  });
});

describe("calibration on generated histories with known rates", () => {
  const result = backtest(world, { period_days: 30, periods: 40, last_end: day(WORLD_DAYS - 1) }, CFG, mulberry32);
  const periods = result.periods;

  it("forecasts all 40 periods", () => {
    process.stderr.write(`calibration: coverage ${result.coverage} wape ${result.wape} naive ${result.naive_wape}\n`);
    expect(result.skipped).toEqual([]);
    expect(periods).toHaveLength(40);
  });

  it("the P10-P90 range covers the actual won value about 80% of the time", () => {
    expect(result.coverage).toBeGreaterThanOrEqual(0.65);
    expect(result.coverage).toBeLessThanOrEqual(0.95);
  });

  it("the expected value is unbiased against what happened and against the known truth", () => {
    const n = periods.length;
    const mean = (xs: number[]) => xs.reduce((a, b) => a + b, 0) / xs.length;
    const errors = periods.map((p) => p.predicted - p.actual);
    const sd = Math.sqrt(errors.reduce((a, e) => a + (e - mean(errors)) ** 2, 0) / (n - 1));
    // Periods' outcomes are close to independent, so the mean error's standard error is sd/sqrt(n);
    // an unbiased forecast lands within 3 of them (a 0.3% false alarm rate for a fixed seed).
    expect(Math.abs(mean(errors))).toBeLessThan((3 * sd) / Math.sqrt(n));
    // Against the generating model: 40 periods hold about 400 wins, and the compound-Poisson won
    // value over them has a relative standard error of about 6.4% (amounts' E[a^2]/E[a]^2 = 1.63),
    // so both the realised and the predicted mean stay within 3 of them (20%) of the truth.
    const truth = TRUE_WON_PER_DAY * 30;
    expect(Math.abs(mean(periods.map((p) => p.actual)) - truth) / truth).toBeLessThan(0.2);
    expect(Math.abs(mean(periods.map((p) => p.predicted)) - truth) / truth).toBeLessThan(0.2);
  });

  it("beats the naive last-period baseline", () => {
    expect(result.wape).not.toBeNull();
    expect(result.wape!).toBeLessThan(result.naive_wape!);
  });

  it("says which history each deal's probability came from", () => {
    const f = forecast(world, { from: day(900), to: day(929), as_of: at(900) }, CFG, mulberry32);
    const levels = f.levels;
    expect(levels.stage_age_segment).toBeGreaterThan(0);
    expect(Object.values(levels).reduce((a, b) => a + b, 0)).toBe(f.deals.length);
    for (const d of f.deals) expect(d.history_n).toBeGreaterThanOrEqual(d.level === "none" ? 0 : CFG.min_history);
  });

  it("sorts open deals into commit, best case and pipeline by probability and closing stage", () => {
    const f = forecast(world, { from: day(900), to: day(929), as_of: at(900) }, CFG, mulberry32);
    const expected = (d: { probability: number; stage_index: number }) =>
      d.probability >= 0.7 || (d.probability >= 0.4 && d.stage_index === 3)
        ? "commit"
        : d.probability >= 0.4
          ? "best_case"
          : "pipeline";
    for (const d of f.deals) expect(d.category).toBe(expected(d));
    const cats = f.by_currency.USD!.categories;
    expect(cats.commit.deals + cats.best_case.deals + cats.pipeline.deals).toBe(f.deals.length);
    expect(new Set(f.deals.map((d) => d.category)).size).toBeGreaterThan(1);
    expect(cats.commit.definition).toMatch(/at least 70%, or at least 40% in a closing stage \(3\)/);
  });
});

// ------------------------------------------------------------------------ backtest arithmetic

describe("backtest arithmetic on a clockwork history", () => {
  // 100 deals of 100 USD, deal i created at noon of day i and won at noon of day i + 5.
  const history = clockwork(100);

  it("computes each period and the WAPE exactly, including a period with nothing won", () => {
    const r = backtest(history, { period_days: 10, periods: 2, last_end: day(119) }, CFG, mulberry32);
    // Days 100-109: 5 open deals certain to win (500) + new deals at the run-rate of 5 per window (500);
    // only the 5 open ones are won (creation stopped). Days 110-119: nothing open; the run-rate
    // averages 9 windows with 5 wins and 1 with none (450); nothing is won.
    expect(
      r.periods.map(({ from, to, predicted, actual, naive, inside_range }) => ({
        from,
        to,
        predicted,
        actual,
        naive,
        inside_range,
      })),
    ).toEqual([
      { from: day(100), to: day(109), predicted: 1000, actual: 500, naive: 1000, inside_range: false },
      { from: day(110), to: day(119), predicted: 450, actual: 0, naive: 500, inside_range: false },
    ]);
    expect(r.wape).toBe(1.9); // (|1000 - 500| + |450 - 0|) / (500 + 0)
    expect(r.naive_wape).toBe(2); // (|1000 - 500| + |500 - 0|) / 500
    expect(r.coverage).toBe(0);
    expect(r.notes.join(" ")).toMatch(/1 period\(s\) had nothing won/);
  });

  it("gives no WAPE, and says why, when nothing at all was won", () => {
    const r = backtest(history, { period_days: 10, periods: 1, last_end: day(119) }, CFG, mulberry32);
    expect(r.periods).toHaveLength(1);
    expect(r.periods[0]).toMatchObject({ predicted: 450, actual: 0 });
    expect(r.wape).toBeNull();
    expect(r.naive_wape).toBeNull();
    expect(r.notes.join(" ")).toMatch(
      /Nothing was won in USD in any period, so WAPE .* is undefined; the mean absolute error is 450/,
    );
  });

  it("skips periods with too little history before them and says so", () => {
    const r = backtest(history, { period_days: 10, periods: 12, last_end: day(119) }, CFG, mulberry32);
    expect(r.skipped.map((s) => s.from)).toEqual([day(0), day(10)]);
    expect(r.skipped[1]!.reason).toMatch(/only 5 deal\(s\) closed before the period/);
    // The eight steady periods in between are exact for both the forecast and the baseline.
    expect(r.periods).toHaveLength(10);
    expect(r.wape).toBe(Math.round((950 / 8500) * 1e4) / 1e4);
    expect(r.naive_wape).toBe(Math.round((1000 / 8500) * 1e4) / 1e4);
  });
});

// ---------------------------------------------------------------------------------- currencies

describe("per currency", () => {
  const histories = [
    ...clockwork(100),
    ...clockwork(100, { currency: "EUR", amount: 70 }, "E"),
    deal({ id: "J-1", created: 99.5, currency: "JPY", amount: 300 }),
  ];
  const period = { from: day(96), to: day(105), as_of: at(100), quota: { amount: 1100 } };
  const f = forecast(histories, period, CFG, mulberry32);

  it("totals USD and EUR separately and drops no currency", () => {
    expect(Object.keys(f.by_currency)).toEqual(["EUR", "JPY", "USD"]);
    const usd = f.by_currency.USD!;
    const eur = f.by_currency.EUR!;
    expect(usd.components.open_pipeline).toMatchObject({ deals: 5, value: 500, expected_value: 500 });
    expect(eur.components.open_pipeline).toMatchObject({ deals: 5, value: 350, expected_value: 350 });
    // Won from day 96 up to as_of: deals 91-94 (won at noon of days 96-99).
    expect(usd.components.already_won).toEqual({ deals: 4, value: 400 });
    expect(eur.components.already_won).toEqual({ deals: 4, value: 280 });
    // A currency with no history of its own still counts, at the pooled stage history.
    expect(f.by_currency.JPY!.components.open_pipeline).toMatchObject({ deals: 1, value: 300 });
    expect(f.deals.find((d) => d.id === "J-1")).toMatchObject({
      probability: 1,
      level: "stage_age_segment",
      category: "commit",
    });
  });

  it("puts the quota gap in the main currency (most open value) and never adds currencies", () => {
    expect(f.main_currency).toBe("USD");
    const usd = f.by_currency.USD!;
    expect(f.gap_to_quota).toMatchObject({
      currency: "USD",
      quota: 1100,
      expected_won_value: usd.expected_won_value,
      gap: 1100 - usd.expected_won_value,
    });
    expect(f.gap_to_quota!.probability_to_reach).toBeGreaterThan(0);
    expect(f.gap_to_quota!.probability_to_reach).toBeLessThan(1);
    const sum = (c: typeof usd) =>
      c.components.open_pipeline.expected_value +
      c.components.already_won.value +
      c.components.new_deals.expected_value;
    for (const c of Object.values(f.by_currency)) expect(c.expected_won_value).toBeCloseTo(sum(c), 2);
  });
});

// ---------------------------------------------------------------------------------- imputation

describe("imputing missing amounts", () => {
  const won = (id: string, segment: string | null, amount: number | null, currency = "USD", closed = 50): DealHistory =>
    deal({ id, created: 10, segment, amount, currency, outcome: { status: "won", closed_at: at(closed) } });
  const histories = [
    won("W1", "smb", 100),
    won("W2", "smb", 200),
    won("W3", "smb", 400),
    won("W4", "ent", 1000),
    won("W5", "ent", 3000),
    won("W6", "ent", 5000),
    won("W7", "smb", 999_999, "USD", 80), // won after as_of: unknown then
    won("W8", null, 50, "EUR"),
    deal({ id: "O-smb", created: 60, segment: "smb", amount: null }),
    deal({ id: "O-ent", created: 60, segment: "ent", amount: null }),
    deal({ id: "O-mid", created: 60, segment: "mid", amount: null }),
    deal({ id: "O-eur", created: 60, segment: "smb", amount: null, currency: "EUR" }),
    deal({ id: "O-gbp", created: 60, amount: null, currency: "GBP" }),
    deal({ id: "O-priced", created: 60, segment: "smb", amount: 7 }),
  ];
  const f = forecast(histories, { from: day(70), to: day(99), as_of: at(70) }, CFG, mulberry32);
  const amountOf = (id: string) => f.deals.find((d) => d.id === id)!;

  it.each<[string, number | null, boolean, string]>([
    ["O-smb", 200, true, "median of the smb USD deals won by as_of"],
    ["O-ent", 3000, true, "median of the ent USD deals"],
    ["O-mid", 700, true, "no mid deals won: median of all USD deals won"],
    ["O-eur", 50, true, "fewer than 3 smb EUR deals: median of the EUR ones"],
    ["O-gbp", null, false, "nothing won in GBP: left unpriced"],
    ["O-priced", 7, false, "its own amount"],
  ])("%s gets %s (imputed: %s; %s)", (id, amount, imputed) => {
    expect(amountOf(id)).toMatchObject({ amount, amount_imputed: imputed });
  });

  it("counts the imputed and unpriced deals per currency", () => {
    expect(f.by_currency.USD).toMatchObject({ imputed_amounts: 3, unpriced_deals: 0 });
    expect(f.by_currency.EUR).toMatchObject({ imputed_amounts: 1, unpriced_deals: 0 });
    expect(f.by_currency.GBP).toMatchObject({ imputed_amounts: 0, unpriced_deals: 1 });
  });
});

// -------------------------------------------------------------------------------- determinism

describe("determinism", () => {
  const period = { from: day(900), to: day(929), as_of: at(900), quota: { amount: 250_000 } };

  it("same inputs and seed give identical output, whatever the input order", () => {
    const a = forecast(world, period, CFG, mulberry32);
    expect(forecast(world, period, CFG, mulberry32)).toEqual(a);
    expect(forecast([...world].reverse(), period, CFG, mulberry32)).toEqual(a);
  });

  it("another seed moves only the simulated range", () => {
    const a = forecast(world, period, CFG, mulberry32);
    const b = forecast(world, period, { ...CFG, seed: 8 }, mulberry32);
    expect(b.by_currency.USD!.expected_won_value).toBe(a.by_currency.USD!.expected_won_value);
    expect(b.by_currency.USD!.low).not.toBe(a.by_currency.USD!.low);
  });
});

describe("edges", () => {
  it("forecasts an empty history as nothing, with the quota gap and the reasons", () => {
    const f = forecast(
      [],
      { from: day(0), to: day(29), as_of: at(0), quota: { amount: 1000, currency: "USD" } },
      CFG,
      mulberry32,
    );
    expect(f.by_currency).toEqual({});
    expect(f.main_currency).toBeNull();
    expect(f.gap_to_quota).toMatchObject({
      currency: "USD",
      expected_won_value: 0,
      gap: 1000,
      probability_to_reach: 0,
    });
    expect(f.reasons.join(" ")).toMatch(/No run-rate for new deals/);
  });

  it.each([
    [{ from: day(10), to: day(19), as_of: at(25) }, "as_of"],
    [{ from: day(10), to: day(5), as_of: at(1) }, "from"],
    [{ from: "soon", to: day(5), as_of: at(1) }, "from"],
  ])("refuses %j (%s)", (period, field) => {
    expect(() => forecast([], period, CFG, mulberry32)).toThrow(expect.objectContaining({ name: "InputError", field }));
  });
});
