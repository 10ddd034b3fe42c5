// Month-by-month win rate and cycle time from aggregated rows.
import { describe, expect, it } from "vitest";
import { monthlyTrend, monthsBefore, monthsBetween } from "../../src/methodology/trends.js";

describe("monthly trend", () => {
  it.each([
    ["2025-11", "2026-02", ["2025-11", "2025-12", "2026-01", "2026-02"]],
    ["2026-03-15T00:00:00.000Z", "2026-03-31T23:59:59.999Z", ["2026-03"]],
    ["2026-05", "2026-04", []],
  ])("months from %s to %s", (from, to, months) => {
    expect(monthsBetween(from, to)).toEqual(months);
  });

  it.each([
    ["2026-11", 11, "2025-12"],
    ["2026-01", 1, "2025-12"],
    ["2026-03", 0, "2026-03"],
    ["2026-03", 27, "2023-12"],
  ])("%s minus %i months is %s", (month, n, expected) => {
    expect(monthsBefore(month, n)).toBe(expected);
  });

  it("counts wins and losses per month, with the median cycle of the month's wins", () => {
    const rows = [
      { month: "2026-01", status: "won" as const, day: 30, n: 1, sum: 30 },
      { month: "2026-01", status: "won" as const, day: 50, n: 2, sum: 100 },
      { month: "2026-01", status: "lost" as const, day: 10, n: 1, sum: 10 },
      { month: "2026-03", status: "lost" as const, day: 5, n: 2, sum: 10 },
    ];
    expect(monthlyTrend(rows, ["2026-01", "2026-02", "2026-03"])).toEqual([
      { month: "2026-01", won: 3, lost: 1, win_rate: 0.75, cycle: { n: 3, mean_days: 43.3, median_days: 50 } },
      { month: "2026-02", won: 0, lost: 0, win_rate: null, cycle: { n: 0, mean_days: null, median_days: null } },
      { month: "2026-03", won: 0, lost: 2, win_rate: 0, cycle: { n: 0, mean_days: null, median_days: null } },
    ]);
  });
});
