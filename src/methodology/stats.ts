// Small statistics over aggregated rows (histograms from SQL), shared by metrics and win-loss.
export interface Hist {
  day: number;
  n: number;
  sum: number;
}

export interface Spread {
  n: number;
  mean_days: number | null;
  median_days: number | null;
}

/**
 * Mean from exact sums; median from a one-day histogram: each middle element is estimated by
 * the mean of its day bucket, which is exact when durations are whole days.
 */
export function spread(rows: Hist[]): Spread {
  const sorted = [...rows].sort((a, b) => a.day - b.day);
  const n = sorted.reduce((a, r) => a + r.n, 0);
  if (n === 0) return { n: 0, mean_days: null, median_days: null };
  const sum = sorted.reduce((a, r) => a + r.sum, 0);
  const at = (k: number) => {
    let seen = 0;
    for (const r of sorted) {
      seen += r.n;
      if (seen >= k) return r.sum / r.n;
    }
    return sorted[sorted.length - 1]!.sum / sorted[sorted.length - 1]!.n;
  };
  const median = (at(Math.ceil(n / 2)) + at(Math.floor(n / 2) + 1)) / 2;
  return { n, mean_days: round(sum / n, 1), median_days: round(median, 1) };
}

export const round = (v: number, digits = 2) => {
  const f = 10 ** digits;
  return Math.round(v * f) / f;
};

export const ratio = (a: number, b: number): number | null => (b > 0 ? a / b : null);

/** Percentage change from `before` to `after` (null when there is no before). */
export const pctChange = (before: number | null, after: number | null): number | null =>
  before === null || after === null || before === 0 ? null : round(((after - before) / Math.abs(before)) * 100, 1);

export const DAYS_PER_MONTH = 365.25 / 12;

/** A count, sum and exact median (from SQL) as a Spread. */
export function fromDist(d: { n: number; sum: number; median: number | null } | undefined): Spread {
  if (!d || d.n === 0) return { n: 0, mean_days: null, median_days: null };
  return { n: d.n, mean_days: round(d.sum / d.n, 1), median_days: d.median === null ? null : round(d.median, 1) };
}
