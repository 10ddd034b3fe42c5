// The small statistics every analytics rule shares: medians from one-day histograms, rounding,
// ratios and percentage changes that say "unknown" (null) instead of dividing by zero.
import { describe, expect, it } from "vitest";
import { DAYS_PER_MONTH, fromDist, pctChange, ratio, round, spread, type Hist } from "../../src/methodology/stats.js";

/** `n` deals that all took exactly `day` days. */
const bucket = (day: number, n = 1): Hist => ({ day, n, sum: day * n });

describe("spread (mean and median from a one-day histogram)", () => {
  it.each<[string, Hist[], { n: number; mean_days: number | null; median_days: number | null }]>([
    ["one deal", [bucket(42)], { n: 1, mean_days: 42, median_days: 42 }],
    ["odd count: the middle deal", [bucket(10), bucket(3), bucket(20)], { n: 3, mean_days: 11, median_days: 10 }],
    [
      "even count: the mean of the two middle deals",
      [bucket(3), bucket(10), bucket(20), bucket(40)],
      { n: 4, mean_days: 18.3, median_days: 15 },
    ],
    [
      "even count, both middle deals in one bucket",
      [bucket(5), bucket(12, 2), bucket(30)],
      { n: 4, mean_days: 14.8, median_days: 12 },
    ],
    [
      "even count, the middle falls between two buckets",
      [bucket(9, 2), bucket(5, 2)],
      { n: 4, mean_days: 7, median_days: 7 },
    ],
    [
      "a skewed cycle: one very long deal moves the mean, not the median",
      [bucket(30, 4), bucket(300)],
      { n: 5, mean_days: 84, median_days: 30 },
    ],
  ])("%s", (_, rows, expected) => {
    expect(spread(rows)).toEqual(expected);
  });

  it("estimates a middle element by the mean of its day bucket (fractional days) and rounds to 0.1", () => {
    // Two deals of 10.2 and 10.6 days share the day-10 bucket; the third took 20.35 days.
    const rows: Hist[] = [
      { day: 10, n: 2, sum: 20.8 },
      { day: 20, n: 1, sum: 20.35 },
    ];
    expect(spread(rows)).toEqual({ n: 3, mean_days: 13.7, median_days: 10.4 });
  });

  it("does not depend on the order of the rows", () => {
    const rows = [bucket(7, 3), bucket(2), bucket(15, 2), bucket(4)];
    expect(spread(rows)).toEqual(spread([...rows].reverse()));
    expect(spread(rows).median_days).toBe(7);
  });

  it.each([[[]], [[{ day: 5, n: 0, sum: 0 }]]])("no deals (%j): n 0 and nulls, not NaN or 0", (rows) => {
    expect(spread(rows)).toEqual({ n: 0, mean_days: null, median_days: null });
  });
});

describe("round", () => {
  it.each([
    [3.14159, 2, 3.14],
    [0.666666, 4, 0.6667],
    [2 / 3, 4, 0.6667],
    [1234.5678, 2, 1234.57],
    [18.25, 1, 18.3],
    [2.5, 0, 3],
    [-12.34, 1, -12.3],
    [7, 2, 7],
  ])("round(%d, %i) = %d", (v, digits, expected) => {
    expect(round(v, digits)).toBe(expected);
  });

  it("rounds to two digits (cents) by default", () => {
    expect(round(24_000.456)).toBe(24_000.46);
  });
});

describe("ratio", () => {
  it.each([
    [3, 4, 0.75],
    [0, 4, 0],
    [6, 6, 1],
    [3, 0, null],
    [0, 0, null],
    [3, -1, null],
  ])("%i / %i is %s", (a, b, expected) => {
    expect(ratio(a, b)).toBe(expected);
  });
});

describe("percentage change", () => {
  it.each([
    [0.4, 0.44, 10],
    [100, 85, -15],
    [60, 51, -15],
    [3, 4, 33.3],
    [-10, -5, 50],
    [0.3, 0.3, 0],
  ])("from %d to %d is %d%%", (before, after, expected) => {
    expect(pctChange(before, after)).toBe(expected);
  });

  it.each([
    [0, 5],
    [null, 5],
    [5, null],
    [null, null],
  ])("from %s to %s is unknown (null)", (before, after) => {
    expect(pctChange(before, after)).toBeNull();
  });
});

describe("fromDist (count, sum and exact median from SQL)", () => {
  it.each([
    [
      { n: 3, sum: 100, median: 30.25 },
      { n: 3, mean_days: 33.3, median_days: 30.3 },
    ],
    [
      { n: 2, sum: 90, median: 45 },
      { n: 2, mean_days: 45, median_days: 45 },
    ],
    [
      { n: 2, sum: 10, median: null },
      { n: 2, mean_days: 5, median_days: null },
    ],
    [
      { n: 0, sum: 0, median: null },
      { n: 0, mean_days: null, median_days: null },
    ],
    [undefined, { n: 0, mean_days: null, median_days: null }],
  ])("%j -> %j", (d, expected) => {
    expect(fromDist(d)).toEqual(expected);
  });
});

it("a month is a twelfth of a Julian year (30.4375 days), so 2 months are 60.875 days", () => {
  expect(DAYS_PER_MONTH).toBe(30.4375);
  expect(2 * DAYS_PER_MONTH).toBe(60.875);
});
