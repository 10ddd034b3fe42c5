// Win rate and cycle time month by month. Reference: Area 4 "Metrics & Continuous Learning"
// (lagging indicators: win rate, cycle time) and Phase 3 "Monthly Reviews & Kaizen". The
// measures are the ones computePipelineMetrics uses for a period, so a month here equals
// pipeline_metrics over that month.
import { ratio, round, spread, type Hist, type Spread } from "./stats.js";

export interface MonthlyOutcome extends Hist {
  /** YYYY-MM (UTC) of the close date. */
  month: string;
  status: "won" | "lost";
}

export interface MonthlyPoint {
  month: string;
  won: number;
  lost: number;
  /** Won over won+lost; null in a month without either. */
  win_rate: number | null;
  /** Days from creation to close of the deals won that month. */
  cycle: Spread;
}

/** Every month from `from` to `to` (YYYY-MM, inclusive), oldest first. */
export function monthsBetween(from: string, to: string): string[] {
  const out: string[] = [];
  let [y, mo] = from.slice(0, 7).split("-").map(Number) as [number, number];
  const end = to.slice(0, 7);
  for (;;) {
    const key = `${y}-${String(mo).padStart(2, "0")}`;
    if (key > end) break;
    out.push(key);
    if (++mo > 12) {
      mo = 1;
      y++;
    }
  }
  return out;
}

/** The month `n` months before `month` (YYYY-MM). */
export function monthsBefore(month: string, n: number): string {
  const [y, mo] = month.slice(0, 7).split("-").map(Number) as [number, number];
  const k = y * 12 + (mo - 1) - n;
  return `${Math.floor(k / 12)}-${String((k % 12) + 1).padStart(2, "0")}`;
}

/** One point per month (months without closes included, with nulls), from aggregated rows. */
export function monthlyTrend(rows: readonly MonthlyOutcome[], months: readonly string[]): MonthlyPoint[] {
  return months.map((month) => {
    const inMonth = rows.filter((r) => r.month === month);
    const won = inMonth.filter((r) => r.status === "won");
    const wonN = won.reduce((a, r) => a + r.n, 0);
    const lostN = inMonth.filter((r) => r.status === "lost").reduce((a, r) => a + r.n, 0);
    const rate = ratio(wonN, wonN + lostN);
    return { month, won: wonN, lost: lostN, win_rate: rate === null ? null : round(rate, 4), cycle: spread(won) };
  });
}
