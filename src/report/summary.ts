// What the report shows, in a few markdown lines for agents and for clients without MCP Apps.
// Ids, numbers and names from data/ only; stored deal text goes to reportData() (fenced).
import { metricsSummary } from "../app/metrics.js";
import { fmt, type ReportData } from "./html.js";

export function reportSummary(d: ReportData): string[] {
  const x = d.metrics;
  const p = x.period;
  const lines = [
    `**Pipeline report** as of ${d.as_of.slice(0, 10)} (${p.from ? `${p.from.slice(0, 10)} to ${p.to.slice(0, 10)}` : "all history"})`,
    ...metricsSummary(x as never),
  ];

  const totals = d.wastes
    .map((w) => ({ name: w.name, n: d.waste.by_waste[w.id] ?? 0 }))
    .filter((w) => w.n > 0)
    .sort((a, b) => b.n - a.n);
  const stageTotals = d.stages
    .map((s) => ({ name: s.name, n: Object.values(d.waste.by_stage[s.id] ?? {}).reduce((a, n) => a + n, 0) }))
    .sort((a, b) => b.n - a.n);
  lines.push(
    totals.length
      ? `Waste (find_waste, ${d.waste.deals_analyzed} deals): ${totals.map((w) => `${w.name} ${w.n}`).join(", ")} · most in ${stageTotals[0]!.name} (${stageTotals[0]!.n})`
      : `Waste (find_waste, ${d.waste.deals_analyzed} deals): nothing flagged`,
  );
  lines.push(
    d.stalled.total
      ? `Stalled: ${d.stalled.total} deals; act first on ${d.stalled.deals
          .map((s) => `${s.deal_id} (${s.stage_name}, ${s.days_in_stage} d, ${s.times_norm}x norm)`)
          .join(", ")}`
      : "Stalled: no deal is stuck in its stage",
  );
  const closedMonths = d.trend.months.filter((m) => m.win_rate !== null);
  if (closedMonths.length) {
    const first = closedMonths[0]!;
    const last = closedMonths.at(-1)!;
    lines.push(
      `Monthly (${fmt.month(d.trend.from_month)}–${fmt.month(d.trend.to_month)}): win rate ${fmt.pct(first.win_rate)} in ${fmt.month(first.month)} → ${fmt.pct(last.win_rate)} in ${fmt.month(last.month)}; median cycle ${fmt.days(first.cycle.median_days)} → ${fmt.days(last.cycle.median_days)}`,
    );
  } else {
    lines.push(`Monthly (${fmt.month(d.trend.from_month)}–${fmt.month(d.trend.to_month)}): no deal won or lost yet`);
  }
  const b = d.baseline;
  lines.push(
    b
      ? `Latest baseline (${b.baseline_as_of.slice(0, 10)}): ${b.on_track ? "on track" : "not on track"}; win rate ${fmt.change(b.changes.win_rate?.change_pct)}, median cycle ${fmt.change(b.changes.cycle_time_median_days?.change_pct)}`
      : "Baseline: none recorded (record_baseline starts tracking)",
  );
  const f = d.forecast;
  if (f) {
    const cur = f.currency ?? d.currency;
    lines.push(
      `Forecast ${f.from} to ${f.to}: expected ${fmt.money(f.expected_won_value, cur)}, ${f.interval} ${fmt.money(f.low, cur)} to ${fmt.money(f.high, cur)}${f.quota ? `; quota ${fmt.money(f.quota.amount, f.quota.currency)}, gap ${fmt.money(Math.max(0, f.quota.gap), f.quota.currency)}` : ""}; backtest error ${fmt.pct(f.backtest.wape)} (run-rate ${fmt.pct(f.backtest.naive_wape)}) over ${f.backtest.periods} periods`,
    );
  }
  if (d.selling)
    lines.push(
      `Selling (${d.selling.scope}): ${d.selling.position_name ?? "not positioned"}${d.selling.position !== null ? ` (${d.selling.position} of 5, 5 = proactive)` : ""}`,
    );
  return lines;
}

/** Stored text the report shows (stalled deals' names, the baseline's label), for the fenced data block. */
export function reportData(d: ReportData): string | undefined {
  const lines = d.stalled.deals.map(
    (s) =>
      `${s.deal_id}: name=${JSON.stringify(s.name)} account=${JSON.stringify(s.account)} owner=${JSON.stringify(s.owner)}`,
  );
  if (d.baseline) lines.push(`baseline label: ${JSON.stringify(d.baseline.label)}`);
  return lines.length ? lines.join("\n") : undefined;
}
