// forecast through a real MCP client: the quarter's expected won value with its range, the
// categories, the gap to quota, currencies kept apart, and the backtest that says how far to trust
// it. The method's statistics (coverage, WAPE on histories with known rates) are unit-tested in
// test/unit/forecast.test.ts.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { connect, type Harness } from "../helpers/connect.js";
import { makeDeal, seedStore } from "../helpers/seed.js";

describe("forecast", () => {
  let h: Harness;
  beforeAll(async () => {
    h = await connect();
    seedStore(h, { deals: 300 });
  });
  afterAll(() => h.close());

  it("forecasts the current quarter as of today: expected value inside its range, categories that add up, a backtest", async () => {
    const r = await h.callOk("forecast", {});
    expect(r.period).toMatchObject({ from: "2026-10-01", to: "2026-12-31" });
    expect(r.period.as_of.slice(0, 10)).toBe("2026-11-28");
    expect(r.currency).toBe("USD");
    expect(r.expected_won_value).toBeGreaterThan(0);
    expect(r.low).toBeLessThanOrEqual(r.expected_won_value);
    expect(r.high).toBeGreaterThanOrEqual(r.expected_won_value);
    const c = r.categories;
    expect(c.commit.deals + c.best_case.deals + c.pipeline.deals).toBe(r.open_deals);
    const fromOpen = c.commit.expected_value + c.best_case.expected_value + c.pipeline.expected_value;
    expect(fromOpen).toBeCloseTo(r.components.open_pipeline.expected_value, 0);
    expect(r.expected_won_value).toBeCloseTo(
      r.components.open_pipeline.expected_value +
        r.components.already_won.value +
        r.components.new_deals.expected_value,
      -1,
    );
    expect(c.commit.definition).toMatch(/at least 70%/);
    // A year of history: past quarters are replayed, each against what was actually won.
    expect(r.backtest.periods.length).toBeGreaterThan(0);
    for (const p of r.backtest.periods) expect(p.to < r.period.as_of).toBe(true);
    expect(r.backtest.wape).toBeGreaterThanOrEqual(0);
    expect(r.__text).toMatch(/Backtest over the last \d+ periods/);
    expect(r.__text).toMatch(/^\*\*Forecast 2026-10-01 to 2026-12-31\*\* as of 2026-11-28/);
    expect(r.top_deals.length).toBeGreaterThan(0);
    expect(r.method.join(" ")).toMatch(/Point in time/);
  });

  it("states the gap to quota and how likely the quota is", async () => {
    const short = await h.callOk("forecast", { quota: 1e9 });
    expect(short.gap_to_quota).toMatchObject({ currency: "USD", quota: 1e9 });
    expect(short.gap_to_quota.gap).toBeGreaterThan(0);
    expect(short.gap_to_quota.probability_to_reach).toBe(0);
    expect(short.__text).toMatch(/Quota USD 1,000,000,000: USD [\d,]+ short/);
    const covered = await h.callOk("forecast", { quota: 1 });
    expect(covered.gap_to_quota.gap).toBeLessThan(0);
    expect(covered.gap_to_quota.probability_to_reach).toBe(1);
  });

  it("narrows to one owner's pipeline with filters", async () => {
    const all = await h.callOk("forecast", {});
    const owner = all.by_owner[0].owner as string;
    const mine = await h.callOk("forecast", { filters: { owner } });
    expect(mine.by_owner.map((o: { owner: string }) => o.owner)).toEqual([owner]);
    expect(mine.open_deals).toBeLessThan(all.open_deals);
  });

  it("never adds currencies together: EUR deals are forecast apart", async () => {
    const g = await connect();
    try {
      seedStore(g, { deals: 200 });
      makeDeal(g, { name: "Brandt Maschinenbau - rollout", currency: "EUR", amount: 80_000, stage: "closing" });
      const r = await g.callOk("forecast", {});
      expect(r.currency).toBe("USD");
      expect(r.other_currencies.map((x: { currency: string }) => x.currency)).toEqual(["EUR"]);
      expect(r.__text).toMatch(/Other currencies, forecast apart: EUR/);
    } finally {
      await g.close();
    }
  });

  it.each([
    [{ from: "2026-12-01", to: "2026-10-01" }, /to \(2026-10-01\) is before from/],
    [{ from: "2026-01-01", to: "2026-03-31" }, /as_of .* is after the period ends/],
    [{ quota: -5 }, /quota/],
  ])("refuses %j with a message that says what to fix", async (args, message) => {
    expect(await h.callError("forecast", args)).toMatch(message);
  });
});
