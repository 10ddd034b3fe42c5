// The pipeline report as HTML: data in, string out. Pure and free of Node and DOM APIs, so the
// same functions draw the standalone file (lean-sales-mcp report, pipeline_report) and the MCP
// App view in the browser (pipeline_report). Self-contained: inline CSS and SVG, no
// fonts, scripts or anything fetched. Every string from data goes through esc().
// Reference: Area 4 "Metrics & Continuous Learning" (conversion rates, lagging indicators),
// the Segmentation Criteria Matrix (cycle time targets) and the Seven Forms of Waste.
import type { ReportData } from "../app/report/schema.js";
import { chart, circle, el, esc, heatCell, hbar, line, linePath, rangeMarker, text, ticks, tip } from "./svg.js";

export type { ReportData };

/** Number formats shared by the charts, the tables and the tests that read them. */
export const fmt = {
  pct: (v: number | null | undefined) => (v === null || v === undefined ? "n/a" : `${Math.round(v * 1000) / 10}%`),
  days: (v: number | null | undefined) => (v === null || v === undefined ? "n/a" : `${v} d`),
  money: (v: number | null | undefined, currency: string) =>
    v === null || v === undefined ? "n/a" : `${currency} ${v.toLocaleString("en-US", { maximumFractionDigits: 0 })}`,
  change: (v: number | null | undefined) => (v === null || v === undefined ? "n/a" : `${v > 0 ? "+" : ""}${v}%`),
  month: (ym: string) => {
    const [y, m] = ym.split("-");
    return `${["Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"][Number(m) - 1] ?? m} ${y?.slice(2)}`;
  },
};

const W = 640;
const words = (id: string) => id.replace(/_/g, " ");

/** A stage name on two lines at the space nearest its middle. */
function twoLines(name: string): [string, string] {
  const spaces = [...name.matchAll(/ /g)].map((m) => m.index!);
  if (spaces.length === 0) return [name, ""];
  const cut = spaces.reduce((best, i) => (Math.abs(i - name.length / 2) < Math.abs(best - name.length / 2) ? i : best));
  return [name.slice(0, cut), name.slice(cut + 1)];
}

// ---------------------------------------------------------------- charts

/** Deals created in the period by the furthest stage reached, with the conversion between stages. */
export function funnelChart(d: ReportData): string {
  const conv = d.metrics.conversion;
  if (conv.length === 0) return "";
  const stages = [
    ...conv.map((c) => ({ id: c.from_stage, name: c.from_name, n: c.reached_from })),
    { id: conv.at(-1)!.to_stage, name: conv.at(-1)!.to_name, n: conv.at(-1)!.reached_to },
  ];
  const top = Math.max(1, stages[0]!.n);
  const labelW = 180;
  const barMax = 370;
  const pitch = 46;
  let body = "";
  stages.forEach((s, i) => {
    const y = 8 + i * pitch;
    body += text(labelW - 10, y + 12, s.name, {
      class: "axis-label",
      "text-anchor": "end",
      "dominant-baseline": "central",
    });
    body += hbar({
      x: labelW,
      y,
      width: (s.n / top) * barMax,
      height: 24,
      label: String(s.n),
      labelAttrs: { "data-stage": s.id, "data-value": s.n },
      barAttrs: { "aria-label": `${s.name}: ${s.n} deals reached this stage` },
      tooltip: `${s.name}: ${s.n} deals reached this stage`,
    });
    const c = conv[i];
    if (c) {
      body += text(labelW + 4, y + 24 + 12, `↓ ${fmt.pct(c.rate)}`, {
        class: "rate",
        "dominant-baseline": "central",
        "data-from": c.from_stage,
        "data-to": c.to_stage,
        "data-value": c.rate ?? "",
      });
      body += text(labelW + 64, y + 24 + 12, `moved on to ${c.to_name} (${c.reached_to} of ${c.reached_from})`, {
        class: "muted small",
        "dominant-baseline": "central",
      });
    }
  });
  return chart(
    {
      id: "chart-funnel",
      chart: "funnel",
      title: "Stage funnel",
      desc: `Deals created in the period by the furthest stage they reached, and the share that moved on to each next stage: ${conv.map((c) => `${c.from_name} to ${c.to_name} ${fmt.pct(c.rate)}`).join("; ")}.`,
      width: W,
      height: 8 + (stages.length - 1) * pitch + 34,
    },
    body,
  );
}

/** Median cycle time of won deals per segment, as a marker over the matrix's target range. */
export function segmentCycleChart(d: ReportData): string {
  const rows = d.metrics.cycle_time.by_segment;
  const meta = {
    id: "chart-segment-cycle",
    chart: "segment-cycle",
    title: "Cycle time by segment against the segmentation matrix",
  };
  if (rows.length === 0) {
    return chart(
      {
        ...meta,
        desc: "No deal was won in the period, so cycle time by segment is not known yet.",
        width: W,
        height: 48,
      },
      text(10, 26, "No won deals in the period yet: cycle time by segment is not known.", {
        class: "muted",
        "dominant-baseline": "central",
      }),
    );
  }
  const maxDays = Math.max(...rows.map((r) => Math.max(r.target_days.max, r.median_days ?? 0)));
  const axis = ticks(maxDays * 1.05, 5);
  const x0 = 190;
  const x1 = 560;
  const xmax = axis.at(-1)!;
  const x = (v: number) => x0 + (v / xmax) * (x1 - x0);
  const pitch = 50;
  const top = 22;
  const height = top + rows.length * pitch + 26;
  let body = "";
  for (const t of axis) {
    body += line(x(t), top - 6, x(t), height - 24, { class: "grid" });
    body += text(x(t), height - 10, `${t}`, { class: "tick", "text-anchor": "middle" });
  }
  body += text(x1, height - 10, "days", { class: "tick", "text-anchor": "start", dx: 14 });
  rows.forEach((r, i) => {
    const y = top + i * pitch + 10;
    const tooltip = `${r.label}: median ${fmt.days(r.median_days)} over ${r.n} won deals; the matrix's target is ${r.target_days.min}-${r.target_days.max} days (${r.status})`;
    body += text(x0 - 10, y + 7, r.label, {
      class: "axis-label",
      "text-anchor": "end",
      "dominant-baseline": "central",
    });
    body += rangeMarker({
      y,
      height: 14,
      x0: x(r.target_days.min),
      x1: x(r.target_days.max),
      at: r.median_days === null ? null : x(r.median_days),
      bandAttrs: { "aria-label": `target ${r.target_days.min} to ${r.target_days.max} days` },
      markerAttrs: { class: `marker status-${r.status}` },
      tooltip,
    });
    if (r.median_days !== null) {
      body += text(x(r.median_days), y - 9, fmt.days(r.median_days), {
        class: "value",
        "text-anchor": "middle",
        "data-segment": r.segment,
        "data-value": r.median_days,
      });
    }
    body += text(x(r.target_days.min), y + 28, `target ${r.target_days.min}–${r.target_days.max} d · ${r.n} won`, {
      class: "muted small",
      "data-segment-target": r.segment,
    });
    body += text(x1 + 14, y + 7, r.status, { class: `status status-${r.status}`, "dominant-baseline": "central" });
  });
  return chart(
    {
      ...meta,
      desc: `Median days from creation to win per segment, against the target range in the segmentation matrix: ${rows.map((r) => `${r.label} ${fmt.days(r.median_days)} (target ${r.target_days.min}-${r.target_days.max} d, ${r.status})`).join("; ")}.`,
      width: W,
      height,
    },
    body,
  );
}

/** Flagged deals per waste and stage (find_waste's rules); the last column is the waste's total. */
export function wasteHeatmap(d: ReportData): string {
  const labelW = 170;
  const cellW = 66;
  const rowH = 30;
  const head = 44;
  const totalX = labelW + d.stages.length * cellW;
  const count = (w: string, s: string) => d.waste.by_stage[s]?.[w] ?? 0;
  const max = Math.max(1, ...d.wastes.flatMap((w) => d.stages.map((s) => count(w.id, s.id))));
  let body = "";
  d.stages.forEach((s, j) => {
    const [a, b] = twoLines(s.name);
    const cx = labelW + j * cellW + cellW / 2;
    body += el(
      "text",
      { x: cx, y: 16, class: "axis-label small", "text-anchor": "middle" },
      `<tspan x="${cx}">${esc(a)}</tspan>${b ? `<tspan x="${cx}" dy="14">${esc(b)}</tspan>` : ""}`,
    );
  });
  body += text(totalX + 28, 23, "Total", { class: "axis-label small strong", "text-anchor": "middle" });
  d.wastes.forEach((w, i) => {
    const y = head + i * rowH;
    body += text(labelW - 10, y + rowH / 2, w.name, {
      class: "axis-label",
      "text-anchor": "end",
      "dominant-baseline": "central",
    });
    d.stages.forEach((s, j) => {
      const n = count(w.id, s.id);
      body += heatCell({
        x: labelW + j * cellW,
        y,
        width: cellW,
        height: rowH,
        intensity: n / max,
        label: String(n),
        labelAttrs: { "data-waste": w.id, "data-stage": s.id, "data-value": n },
        cellAttrs: { "aria-label": `${w.name} in ${s.name}: ${n}` },
        tooltip: `${w.name} in ${s.name}: ${n} flag${n === 1 ? "" : "s"}`,
      });
    });
    const total = d.waste.by_waste[w.id] ?? 0;
    body += text(totalX + 28, y + rowH / 2, String(total), {
      class: "value strong",
      "text-anchor": "middle",
      "dominant-baseline": "central",
      "data-waste-total": w.id,
      "data-value": total,
    });
  });
  return chart(
    {
      id: "chart-waste-heatmap",
      chart: "waste-heatmap",
      title: "Waste heat map: flagged deals by waste and stage",
      desc: `Deals find_waste flags, per waste and the stage they are in (a deal counts once per rule that flags it). Totals: ${d.wastes.map((w) => `${w.name} ${d.waste.by_waste[w.id] ?? 0}`).join("; ")}.`,
      width: totalX + 60,
      height: head + d.wastes.length * rowH + 6,
    },
    body,
  );
}

interface SeriesOpts {
  id: string;
  chart: string;
  title: string;
  desc: string;
  values: Array<number | null>;
  max: number;
  label: (v: number) => string;
  axisLabel: (v: number) => string;
  sub: (i: number) => string;
  tooltip: (i: number) => string;
  axis: number[];
}

/** A monthly line with a labelled point per month; months without data leave a gap. */
function monthlyLine(d: ReportData, o: SeriesOpts): string {
  const months = d.trend.months;
  const left = 48;
  const right = 14;
  const top = 24;
  const plotH = 150;
  const height = top + plotH + 44;
  const step = (W - left - right) / Math.max(1, months.length);
  const x = (i: number) => left + step * (i + 0.5);
  const y = (v: number) => top + plotH - (v / o.max) * plotH;
  const small = months.length > 18;
  let body = "";
  for (const t of o.axis) {
    body += line(left, y(t), W - right, y(t), { class: "grid" });
    body += text(left - 6, y(t), o.axisLabel(t), {
      class: "tick",
      "text-anchor": "end",
      "dominant-baseline": "central",
    });
  }
  body += linePath(
    o.values.map((v, i) => ({ x: x(i), y: v === null ? null : y(v) })),
    { class: "series" },
  );
  months.forEach((m, i) => {
    if (!small || i % 2 === 0 || i === months.length - 1) {
      body += text(x(i), top + plotH + 16, fmt.month(m.month), { class: "tick", "text-anchor": "middle" });
      body += text(x(i), top + plotH + 30, o.sub(i), { class: "tick faint", "text-anchor": "middle" });
    }
    const v = o.values[i];
    if (v === null || v === undefined) return;
    body += `<g class="point">${tip(o.tooltip(i))}${circle(x(i), y(v), 4, { class: "series-dot" })}</g>`;
    body += text(x(i), y(v) - 10, o.label(v), {
      class: `value${small ? " tiny" : " small"}`,
      "text-anchor": "middle",
      "data-month": m.month,
      "data-value": v,
    });
  });
  return chart({ id: o.id, chart: o.chart, title: o.title, desc: o.desc, width: W, height }, body);
}

export function winRateTrend(d: ReportData): string {
  const ms = d.trend.months;
  return monthlyLine(d, {
    id: "chart-win-rate-trend",
    chart: "win-rate-trend",
    title: "Win rate by month",
    desc: `Won over won and lost deals closed each month: ${ms.map((m) => `${fmt.month(m.month)} ${fmt.pct(m.win_rate)} (${m.won} won, ${m.lost} lost)`).join("; ")}.`,
    values: ms.map((m) => m.win_rate),
    max: 1,
    axis: [0, 0.25, 0.5, 0.75, 1],
    label: (v) => fmt.pct(v),
    axisLabel: (v) => `${Math.round(v * 100)}%`,
    sub: (i) => `${ms[i]!.won}W ${ms[i]!.lost}L`,
    tooltip: (i) => `${ms[i]!.month}: ${ms[i]!.won} won, ${ms[i]!.lost} lost, win rate ${fmt.pct(ms[i]!.win_rate)}`,
  });
}

export function cycleTrend(d: ReportData): string {
  const ms = d.trend.months;
  const values = ms.map((m) => m.cycle.median_days);
  const axis = ticks(Math.max(1, ...values.map((v) => v ?? 0)) * 1.1, 4);
  return monthlyLine(d, {
    id: "chart-cycle-trend",
    chart: "cycle-trend",
    title: "Median cycle time of won deals by month",
    desc: `Median days from creation to close of the deals won each month: ${ms.map((m) => `${fmt.month(m.month)} ${fmt.days(m.cycle.median_days)}`).join("; ")}.`,
    values,
    max: axis.at(-1)!,
    axis,
    label: (v) => fmt.days(v),
    axisLabel: (v) => `${v}`,
    sub: (i) => `n=${ms[i]!.cycle.n}`,
    tooltip: (i) =>
      `${ms[i]!.month}: median ${fmt.days(ms[i]!.cycle.median_days)}, mean ${fmt.days(ms[i]!.cycle.mean_days)} over ${ms[i]!.cycle.n} won deals`,
  });
}

// ---------------------------------------------------------------- sections

function kpis(d: ReportData): string {
  const x = d.metrics;
  const flags = Object.values(d.waste.by_waste).reduce((a, n) => a + n, 0);
  const tile = (id: string, label: string, value: string, raw: number | null, sub: string) =>
    `<div class="kpi"${attrsOf({ "data-kpi": id, "data-value": raw ?? "" })}><span class="kpi-label">${esc(label)}</span><span class="kpi-value">${esc(value)}</span><span class="kpi-sub">${esc(sub)}</span></div>`;
  return `<section class="kpis" aria-label="Key numbers">${[
    tile(
      "win_rate",
      "Win rate",
      fmt.pct(x.win_rate),
      x.win_rate,
      `${x.deals_closed.won} won · ${x.deals_closed.lost} lost · ${x.deals_closed.disqualified} disqualified`,
    ),
    tile(
      "cycle_median_days",
      "Median cycle (won)",
      fmt.days(x.cycle_time.won.median_days),
      x.cycle_time.won.median_days,
      `mean ${fmt.days(x.cycle_time.won.mean_days)} · ${x.cycle_time.won.n} won`,
    ),
    tile(
      "avg_deal_size",
      "Average won deal",
      fmt.money(x.avg_deal_size, x.currency),
      x.avg_deal_size,
      `median ${fmt.money(x.median_deal_size, x.currency)}`,
    ),
    tile(
      "open_pipeline_value",
      "Open pipeline",
      fmt.money(x.open_pipeline.value, x.currency),
      x.open_pipeline.value,
      `${x.open_pipeline.deals} open deals`,
    ),
    tile(
      "velocity_per_day",
      "Pipeline velocity",
      x.pipeline_velocity ? `${fmt.money(x.pipeline_velocity.per_day, x.currency)}/day` : "n/a",
      x.pipeline_velocity?.per_day ?? null,
      "open × win rate × avg won ÷ cycle",
    ),
    tile("waste_flags", "Waste flags", String(flags), flags, `${d.waste.deals_analyzed} deals analysed`),
  ].join("")}</section>`;
}

const attrsOf = (a: Record<string, string | number>) =>
  Object.entries(a)
    .map(([k, v]) => ` ${k}="${esc(v)}"`)
    .join("");

function stalledTable(d: ReportData): string {
  const s = d.stalled;
  if (s.deals.length === 0)
    return `<p class="empty">No deal is flagged as stuck in its stage (find_waste's stalled_in_stage rule).</p>`;
  const rows = s.deals
    .map(
      (r) =>
        `<tr${attrsOf({ "data-deal": r.deal_id, class: `sev-${r.severity}` })}><td class="id">${esc(r.deal_id)}</td><td>${esc(r.name)}</td><td>${esc(r.account)}</td><td>${esc(r.owner)}</td><td>${esc(r.stage_name)}</td>` +
        `<td class="num" data-value="${esc(r.days_in_stage)}">${esc(fmt.days(r.days_in_stage))}</td><td class="num" title="${esc(r.norm_source)}">${esc(fmt.days(r.norm_days))}</td>` +
        `<td class="num strong" data-value="${esc(r.times_norm)}">${esc(`${r.times_norm}×`)}</td><td class="small">${r.also_flagged.length ? esc(r.also_flagged.map(words).join(", ")) : "–"}</td></tr>`,
    )
    .join("");
  return (
    `<p class="muted">${esc(`${s.deals.length} of ${s.total} stalled deal${s.total === 1 ? "" : "s"}, most overdue first (time in stage over the stage's norm for the tier).`)}</p>` +
    `<div class="scroll"><table class="deals"><thead><tr><th>Deal</th><th>Name</th><th>Account</th><th>Owner</th><th>Stage</th><th class="num">In stage</th><th class="num">Norm</th><th class="num">× norm</th><th>Also flagged</th></tr></thead><tbody>${rows}</tbody></table></div>`
  );
}

function metricValue(metric: string, v: number | null, currency: string): string {
  if (metric.includes("rate") || metric.includes("share") || metric.startsWith("conversion_")) return fmt.pct(v);
  if (metric.includes("days")) return fmt.days(v);
  if (metric.includes("per_day")) return v === null ? "n/a" : `${fmt.money(v, currency)}/day`;
  return fmt.money(v, currency);
}

const CHANGE_NAMES: Record<string, string> = {
  win_rate: "Win rate",
  cycle_time_median_days: "Median cycle (won)",
  avg_deal_size: "Average won deal",
  pipeline_velocity_per_day: "Pipeline velocity",
  open_pipeline_value: "Open pipeline value",
  non_selling_share: "Non-selling share",
};

function baselineSection(d: ReportData): string {
  const b = d.baseline;
  if (!b)
    return `<p class="empty">No baseline recorded yet. Record one with record_baseline (Phase 1, "Establish Baseline Metrics") and this section tracks progress against it.</p>`;
  const indicators = b.indicators
    .map(
      (i) =>
        `<tr${attrsOf({ "data-indicator": i.id, "data-status": i.status })}><td>${esc(i.text)}</td><td class="num">${esc(metricValue(i.metric, i.baseline, d.currency))}</td><td class="num">${esc(metricValue(i.metric, i.current, d.currency))}</td>` +
        `<td class="num strong">${esc(fmt.change(i.improvement_pct))}</td><td class="num">${esc(`${i.target_pct.min}–${i.target_pct.max}% in ${i.within_months} mo`)}</td><td class="num">${esc(`${i.expected_by_now_pct}%`)}</td><td><span class="badge status-${esc(i.status)}">${esc(words(i.status))}</span></td></tr>`,
    )
    .join("");
  const changes = Object.entries(CHANGE_NAMES)
    .filter(([k]) => b.changes[k])
    .map(([k, name]) => {
      const c = b.changes[k]!;
      return `<tr data-change="${esc(k)}"><td>${esc(name)}</td><td class="num">${esc(metricValue(k, c.baseline, d.currency))}</td><td class="num">${esc(metricValue(k, c.current, d.currency))}</td><td class="num strong">${esc(fmt.change(c.change_pct))}</td></tr>`;
    })
    .join("");
  return (
    `<p><span class="badge ${b.on_track ? "status-on_track" : "status-behind"}">${b.on_track ? "On track" : "Not on track"}</span> ${esc(`against baseline "${b.label}" of ${b.baseline_as_of.slice(0, 10)}, ${b.months_elapsed} months ago (deals closed since then, as compare_to_baseline measures them).`)}</p>` +
    `<div class="scroll"><table><thead><tr><th>Success indicator</th><th class="num">Baseline</th><th class="num">Now</th><th class="num">Improvement</th><th class="num">Target</th><th class="num">Expected by now</th><th>Status</th></tr></thead><tbody>${indicators}</tbody></table></div>` +
    `<div class="scroll"><table class="changes"><thead><tr><th>Metric</th><th class="num">Baseline</th><th class="num">Now</th><th class="num">Change</th></tr></thead><tbody>${changes}</tbody></table></div>`
  );
}

/** The quarter ahead: the expected won value in its range, against quota, and how good the method has been. */
function forecastBody(d: ReportData): string {
  const f = d.forecast;
  if (!f) return `<p class="empty">Nothing to forecast yet: no open deal and no won history.</p>`;
  const cur = f.currency ?? d.currency;
  const W2 = 560;
  const top = Math.max(f.high, f.quota?.amount ?? 0, f.expected_won_value) * 1.08 || 1;
  const x = (v: number) => 10 + (v / top) * (W2 - 20);
  let body =
    `<rect class="band" x="${x(f.low)}" y="18" width="${Math.max(2, x(f.high) - x(f.low))}" height="22" rx="3" data-range="${f.low}-${f.high}"></rect>` +
    `<line class="marker-line" x1="${x(f.expected_won_value)}" x2="${x(f.expected_won_value)}" y1="12" y2="46"></line>` +
    text(x(f.expected_won_value), 60, `expected ${fmt.money(f.expected_won_value, cur)}`, {
      class: "strong small",
      "text-anchor": "middle",
      "data-expected": f.expected_won_value,
    });
  if (f.quota)
    body +=
      `<line class="grid" x1="${x(f.quota.amount)}" x2="${x(f.quota.amount)}" y1="6" y2="52" stroke-dasharray="4 3"></line>` +
      text(x(f.quota.amount), 8, `quota ${fmt.money(f.quota.amount, f.quota.currency)}`, {
        class: "muted small",
        "text-anchor": "middle",
      });
  const chartSvg = chart(
    {
      id: "chart-forecast",
      chart: "forecast",
      title: "Forecast range",
      desc: `Expected won ${fmt.money(f.expected_won_value, cur)} between ${f.from} and ${f.to}, ${f.interval} range ${fmt.money(f.low, cur)} to ${fmt.money(f.high, cur)}${f.quota ? `, quota ${fmt.money(f.quota.amount, f.quota.currency)}` : ""}.`,
      width: W2,
      height: 70,
    },
    body,
  );
  const b = f.backtest;
  const trust =
    b.periods === 0
      ? "No past period to check the method against yet."
      : `Backtest over the last ${b.periods} periods of the same length: error ${fmt.pct(b.wape)} of won value (a run-rate guess: ${fmt.pct(b.naive_wape)}); the actual fell inside the range ${fmt.pct(b.coverage)} of the time.`;
  return (
    `<p>${esc(`${f.from} to ${f.to}: expected won ${fmt.money(f.expected_won_value, cur)} (${Math.round(f.expected_won_deals * 10) / 10} deals), ${f.interval} ${fmt.money(f.low, cur)} to ${fmt.money(f.high, cur)}.`)}` +
    (f.quota
      ? ` <span class="badge ${f.quota.gap <= 0 ? "status-on_track" : "status-behind"}">${esc(f.quota.gap <= 0 ? "Quota covered on expectation" : `Gap to quota ${fmt.money(f.quota.gap, f.quota.currency)}`)}</span> ${esc(`${fmt.pct(f.quota.probability_to_reach)} of simulations reach it.`)}`
      : "") +
    `</p>${chartSvg}<p class="muted small" data-backtest>${esc(trust)}</p>`
  );
}

/** Reactive (1) to proactive (5), factor by factor, as assess_selling_approach judges the store. */
function sellingBody(d: ReportData): string {
  const s = d.selling;
  if (!s) return `<p class="empty">Not assessed.</p>`;
  const rows = s.factors
    .map(
      (f) =>
        `<tr${attrsOf({ "data-factor": f.id, "data-position": f.position ?? "" })}><td>${esc(f.factor)}</td><td>${
          f.position === null
            ? `<span class="muted">${esc("not enough evidence")}</span>`
            : `<span class="scale" aria-label="${esc(`${f.position} of 5`)}">${"●".repeat(f.position)}${"○".repeat(5 - f.position)}</span> ${esc(f.position_name ?? "")}`
        }</td></tr>`,
    )
    .join("");
  return (
    `<p>${esc(`${s.scope}: ${s.position_name ?? "not positioned"}${s.position !== null ? ` (${s.position} of 5, 5 = proactive)` : ""}. assess_selling_approach gives each factor's measures and the moves toward proactive.`)}</p>` +
    `<div class="scroll"><table><thead><tr><th>Factor</th><th>Position (reactive to proactive)</th></tr></thead><tbody>${rows}</tbody></table></div>`
  );
}

function describeScope(d: ReportData): string {
  const f = d.filters as Record<string, unknown>;
  const parts = Object.entries(f)
    .filter(([k, v]) => v !== undefined && k !== "date_field")
    .map(([k, v]) => `${k} ${String(v)}`);
  const p = d.metrics.period;
  return `${p.from ? `${p.from.slice(0, 10)} to ${p.to.slice(0, 10)}` : `all history to ${p.to.slice(0, 10)}`}${parts.length ? ` · ${parts.join(" · ")}` : ""}`;
}

const section = (id: string, title: string, body: string, wide = false) =>
  `<section class="card${wide ? " wide" : ""}" data-section="${esc(id)}" aria-labelledby="h-${esc(id)}"><h2 id="h-${esc(id)}">${esc(title)}</h2>${body}</section>`;

/** The report's content (everything inside <body>): the same in the file and in the App view. */
export function renderReportBody(d: ReportData): string {
  const notes = [...d.notes, ...d.metrics.reasons];
  return (
    `<div class="report" data-as-of="${esc(d.as_of)}">` +
    `<header><h1>Pipeline report</h1><p class="muted">${esc(`As of ${d.as_of.slice(0, 10)} · ${describeScope(d)} · amounts in ${d.currency}`)}</p></header>` +
    kpis(d) +
    `<div class="grid">` +
    section("funnel", "Stage funnel and conversion", funnelChart(d)) +
    section("segment-cycle", "Cycle time by segment vs. target", segmentCycleChart(d)) +
    section(
      "waste",
      "Waste heat map",
      `${wasteHeatmap(d)}<p class="muted small">${esc(`${d.waste.deals_analyzed} deals analysed (${d.waste.open_deals} open, ${d.waste.closed_deals} closed) as of ${d.waste.as_of.slice(0, 10)}.`)}</p>`,
      true,
    ) +
    section(
      "trend",
      "Win rate and cycle time by month",
      `<div class="pair">${winRateTrend(d)}${cycleTrend(d)}</div>`,
      true,
    ) +
    section("stalled", "Stalled deals to act on first", stalledTable(d), true) +
    section("baseline", "Against the baseline", baselineSection(d), true) +
    section("forecast", "The quarter ahead", forecastBody(d)) +
    section("selling", "Proactive or reactive selling", sellingBody(d)) +
    `</div>` +
    `<footer class="muted small"><p>Numbers come from the same functions as the tools: pipeline_metrics (funnel, cycle time, key numbers), find_waste (heat map, stalled deals), compare_to_baseline (baseline), forecast (the quarter ahead) and assess_selling_approach (selling). Generated by lean-sales-mcp.</p>` +
    (notes.length ? `<ul>${notes.map((n) => `<li>${esc(n)}</li>`).join("")}</ul>` : "") +
    `</footer></div>`
  );
}

// ---------------------------------------------------------------- documents

const LIGHT =
  "--bg:#ffffff;--fg:#1f2328;--muted:#59636e;--card:#f6f8fa;--border:#d1d9e0;--accent:#2f6feb;--accent-soft:#9ec2ff;--band:#b6d4fe;--grid:#d8dee4;--heat:#d1242f;--empty:#eef1f4;--good:#1a7f37;--warn:#9a6700;--bad:#cf222e;--on-strong:#ffffff";
const DARK =
  "--bg:#0d1117;--fg:#e6edf3;--muted:#9198a1;--card:#151b23;--border:#3d444d;--accent:#4493f8;--accent-soft:#1f4b8f;--band:#274f86;--grid:#2a313a;--heat:#ff6a69;--empty:#1c232c;--good:#3fb950;--warn:#d29922;--bad:#f85149;--on-strong:#0d1117";

/** The report's style: light and dark (prefers-color-scheme, or a host's data-theme) and print. */
export const REPORT_CSS = `
:root{color-scheme:light dark;${LIGHT}}
@media (prefers-color-scheme:dark){:root:not([data-theme=light]){${DARK}}}
:root[data-theme=dark]{color-scheme:dark;${DARK}}
:root[data-theme=light]{color-scheme:light}
*{box-sizing:border-box}
html{background:var(--bg)}
body{margin:0;background:var(--bg);color:var(--fg);font:14px/1.45 system-ui,-apple-system,"Segoe UI",Roboto,"Helvetica Neue",Arial,sans-serif}
.report{max-width:1360px;margin:0 auto;padding:20px}
h1{font-size:22px;margin:0 0 4px}
h2{font-size:16px;margin:0 0 10px}
.muted{color:var(--muted)}.small{font-size:12px}.tiny{font-size:10px}.strong{font-weight:600}
.kpis{display:grid;grid-template-columns:repeat(auto-fit,minmax(180px,1fr));gap:10px;margin:16px 0}
.kpi{background:var(--card);border:1px solid var(--border);border-radius:8px;padding:10px 12px;display:flex;flex-direction:column}
.kpi-label{color:var(--muted);font-size:12px}.kpi-value{font-size:20px;font-weight:600;white-space:nowrap}.kpi-sub{color:var(--muted);font-size:12px}
.grid{display:grid;grid-template-columns:repeat(auto-fit,minmax(520px,1fr));gap:14px}
.card{background:var(--card);border:1px solid var(--border);border-radius:8px;padding:14px;min-width:0}
.card.wide{grid-column:1/-1}
.pair{display:grid;grid-template-columns:repeat(auto-fit,minmax(420px,1fr));gap:14px}
svg.chart{width:100%;height:auto;max-width:760px;display:block;overflow:visible}
svg text{fill:var(--fg);font-size:12px}
svg .axis-label{fill:var(--fg)}svg .muted,svg .tick{fill:var(--muted)}svg .tick{font-size:11px}svg .faint{opacity:.75;font-size:10px}
svg .small{font-size:11px}svg .tiny{font-size:9px}svg .strong{font-weight:600}
svg .bar{fill:var(--accent)}svg .value{font-weight:600}svg .rate{fill:var(--accent);font-weight:600}
svg .grid{stroke:var(--grid);stroke-width:1}
svg .band{fill:var(--band)}
svg .marker-line{stroke:var(--fg);stroke-width:2}svg .marker-dot{fill:var(--fg);stroke:var(--bg);stroke-width:1.5}
svg .status-slower .marker-dot,svg .status-slower .marker-line{fill:var(--bad);stroke:var(--bad)}
svg .status-faster .marker-dot,svg .status-within .marker-dot{fill:var(--good)}
svg .status{font-weight:600}svg .status.status-slower{fill:var(--bad)}svg .status.status-within,svg .status.status-faster{fill:var(--good)}
svg .cell.hot{fill:var(--heat)}svg .cell.empty{fill:var(--empty)}
svg .cell-label{font-weight:600}svg .cell-label.on-strong{fill:var(--on-strong)}svg .cell-label.zero{fill:var(--muted);font-weight:400}
svg .series{stroke:var(--accent);stroke-width:2.5}svg .series-dot{fill:var(--accent);stroke:var(--bg);stroke-width:1.5}
table{border-collapse:collapse;width:100%;margin:6px 0 10px;font-size:13px}
th,td{text-align:left;padding:6px 8px;border-bottom:1px solid var(--border);vertical-align:top}
th{color:var(--muted);font-weight:600;font-size:12px}
td.num,th.num{text-align:right;font-variant-numeric:tabular-nums;white-space:nowrap}
td.id{font-family:ui-monospace,SFMono-Regular,Menlo,Consolas,monospace;white-space:nowrap}
tr.sev-high td.strong{color:var(--bad)}
.scroll{overflow-x:auto}
.badge{display:inline-block;padding:1px 8px;border-radius:10px;font-size:12px;font-weight:600;border:1px solid currentColor}
.status-achieved,.status-on_track{color:var(--good)}.status-behind,.status-missed{color:var(--bad)}.status-not_measurable{color:var(--muted)}
.empty{color:var(--muted);font-style:italic}
footer{margin-top:16px}footer ul{padding-left:18px}
#dashboard[data-state=waiting]{padding:20px;color:var(--muted)}
@media print{
  :root,:root:not([data-theme=light]),:root[data-theme=dark]{color-scheme:light;${LIGHT}}
  html,body{background:#fff}body{font-size:11px}
  .report{max-width:none;padding:0}
  .grid,.pair{display:block}
  .card{break-inside:avoid;page-break-inside:avoid;border:none;background:none;padding:6px 0;margin:0 0 8px}
  .kpis{grid-template-columns:repeat(3,1fr)}.kpi{background:none}
  .scroll{overflow:visible}
  svg.chart{max-width:100%}
}
`;

/** One HTML page in the report's style; `head` adds to the head (a CSP), `title` is plain text. */
function page(title: string, body: string, head = ""): string {
  return `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta name="color-scheme" content="light dark">
${head}<title>${esc(title)}</title>
<style>${REPORT_CSS}</style>
</head>
<body>
${body}
</body>
</html>
`;
}

/** The standalone report file: no script at all, and a CSP that fetches nothing. */
export function renderReportHtml(d: ReportData): string {
  const csp = `<meta http-equiv="Content-Security-Policy" content="default-src 'none'; style-src 'unsafe-inline'; img-src data:">\n`;
  return page(`Pipeline report · as of ${d.as_of.slice(0, 10)}`, renderReportBody(d), csp);
}

/**
 * The MCP App view: the same style, a placeholder, and the bundled view script that renders
 * renderReportBody() from the tool result the host sends.
 */
export function renderDashboardHtml(viewScript: string): string {
  // "</script" inside the bundle would end the element early.
  const js = viewScript.replace(/<\/(script)/gi, "<\\/$1");
  return page(
    "Pipeline dashboard",
    `<main id="dashboard" data-state="waiting"><p>Waiting for the pipeline data from pipeline_report…</p></main>\n<script>${js}</script>`,
  );
}

/** Whether a tool result's structuredContent looks like report data (the view's input check). */
export function isReportData(v: unknown): v is ReportData {
  const o = v as Partial<ReportData> | null;
  return (
    !!o &&
    typeof o === "object" &&
    !!o.metrics &&
    !!o.waste &&
    !!o.trend &&
    !!o.stalled &&
    Array.isArray(o.stages) &&
    Array.isArray(o.wastes)
  );
}
