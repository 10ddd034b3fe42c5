// Win-loss analysis. Reference: Area 4 "Perform quarterly win-loss analysis to refine approach",
// Phase 3 "Quarterly Deep Dives", and the seven wastes for what to change.
import type { Methodology } from "./load.js";
import type { Waste } from "./schema.js";
import type { DistInput } from "./metrics.js";
import { fromDist, ratio, round, type Spread } from "./stats.js";
import { classifyActivity, matchSignals } from "./waste.js";

export interface WinLossInput {
  reasons: Array<{ status: string; reason: string | null; n: number }>;
  lost_at_stage: Array<{ stage: string; n: number }>;
  cycle: DistInput[];
  by_segment: Array<{ segment: string | null; status: string; n: number }>;
  by_source: Array<{ source: string | null; status: string; n: number }>;
  lost_reasons_sample: string[];
}

export interface Recommendation {
  waste: Waste;
  name: string;
  evidence: string;
  remedy: string[];
}

export interface WinLoss {
  won: number;
  lost: number;
  win_rate: number | null;
  top_win_reasons: Array<{ reason: string; count: number }>;
  top_loss_reasons: Array<{ reason: string; count: number; waste: Waste | null }>;
  closed_without_reason: { won: number; lost: number };
  lost_at_stage: Array<{ stage: string; stage_name: string; count: number; share: number }>;
  cycle_time: { won: Spread; lost: Spread };
  by_segment: Array<{ segment: string; won: number; lost: number; win_rate: number | null }>;
  by_source: Array<{ source: string; won: number; lost: number; win_rate: number | null }>;
  recommendations: Recommendation[];
  reasons: string[];
}

/** The waste a loss reason points at, by the words that identify each waste. */
export function wasteOfReason(m: Methodology, reason: string): Waste | null {
  if (matchSignals(reason, m.wasteRules.pipeline.defect_reason_signals).length) return "defects";
  return classifyActivity(m, { description: reason }, 0).waste;
}

export function analyseWinLoss(m: Methodology, raw: WinLossInput): WinLoss {
  const cfg = m.wasteRules.win_loss;
  const total = (status: string) => raw.by_segment.filter((r) => r.status === status).reduce((a, r) => a + r.n, 0);
  const won = total("won");
  const lost = total("lost");
  // Most frequent first (ties by reason), whatever order the store returned them in.
  const withReason = (status: string) =>
    raw.reasons
      .filter((r) => r.status === status && r.reason)
      .sort((a, b) => b.n - a.n || a.reason!.localeCompare(b.reason!));
  const top_win_reasons = withReason("won")
    .slice(0, cfg.top_reasons)
    .map((r) => ({ reason: r.reason!, count: r.n }));
  const top_loss_reasons = withReason("lost")
    .slice(0, cfg.top_reasons)
    .map((r) => ({ reason: r.reason!, count: r.n, waste: wasteOfReason(m, r.reason!) }));
  const noReason = (status: string) =>
    raw.reasons.filter((r) => r.status === status && !r.reason).reduce((a, r) => a + r.n, 0);
  const closed_without_reason = { won: noReason("won"), lost: noReason("lost") };

  const lost_at_stage = m.stages
    .map((s) => {
      const count = raw.lost_at_stage.find((r) => r.stage === s.id)?.n ?? 0;
      return { stage: s.id, stage_name: s.name, count, share: lost ? round(count / lost, 4) : 0 };
    })
    .filter((r) => r.count > 0);
  const cycle_time = {
    won: fromDist(raw.cycle.find((r) => r.key === "won")),
    lost: fromDist(raw.cycle.find((r) => r.key === "lost")),
  };

  const pivot = <K extends string>(rows: Array<Record<K, string | null> & { status: string; n: number }>, k: K) => {
    const keys = [...new Set(rows.map((r) => r[k] ?? "(none)"))];
    return keys
      .map((key) => {
        const w = rows.filter((r) => (r[k] ?? "(none)") === key && r.status === "won").reduce((a, r) => a + r.n, 0);
        const l = rows.filter((r) => (r[k] ?? "(none)") === key && r.status === "lost").reduce((a, r) => a + r.n, 0);
        const rate = ratio(w, w + l);
        return { key, won: w, lost: l, win_rate: rate === null ? null : round(rate, 4) };
      })
      .sort((a, b) => b.won + b.lost - (a.won + a.lost));
  };
  const by_segment = pivot(raw.by_segment, "segment").map(({ key, ...r }) => ({ segment: key, ...r }));
  const by_source = pivot(raw.by_source, "source").map(({ key, ...r }) => ({ source: key, ...r }));

  // What to change, mapped to the seven wastes.
  const recs = new Map<Waste, string[]>();
  const add = (w: Waste, evidence: string) => recs.set(w, [...(recs.get(w) ?? []), evidence]);
  const byWaste = new Map<Waste, number>();
  for (const r of withReason("lost")) {
    const w = wasteOfReason(m, r.reason!);
    if (w) byWaste.set(w, (byWaste.get(w) ?? 0) + r.n);
  }
  for (const [w, n] of [...byWaste].sort((a, b) => b[1] - a[1])) {
    add(w, `${n} of ${lost} losses give reasons that point at ${m.waste(w).name}.`);
  }
  const early = new Set<string>(m.wasteRules.pipeline.early_stages);
  const lostEarly = lost_at_stage.filter((r) => early.has(r.stage)).reduce((a, r) => a + r.count, 0);
  const lostLate = lost - lostEarly;
  if (lost > 0 && lostLate / lost > cfg.late_loss_share) {
    add(
      "qualification_defects",
      `${lostLate} of ${lost} losses (${Math.round((lostLate / lost) * 100)}%) happened after ${m.stages
        .filter((s) => early.has(s.id))
        .map((s) => s.name)
        .join(" and ")}: deals are disqualified too late, after the costly stages.`,
    );
  }
  if (
    cycle_time.won.median_days !== null &&
    cycle_time.lost.median_days !== null &&
    cycle_time.lost.median_days > cycle_time.won.median_days * cfg.slow_loss_ratio
  ) {
    add(
      "waiting",
      `Lost deals took a median ${cycle_time.lost.median_days} days against ${cycle_time.won.median_days} for wins: losing deals linger instead of being closed out.`,
    );
  }
  const silent = closed_without_reason.won + closed_without_reason.lost;
  if (silent > 0)
    add(
      "unutilized_talent",
      `${silent} of ${won + lost} closed deals have no recorded reason, so nothing is learned from them.`,
    );
  if (top_win_reasons.length > 0)
    add(
      "unutilized_talent",
      `Top win reason "${top_win_reasons[0]!.reason}" (${top_win_reasons[0]!.count} wins) belongs in the playbook.`,
    );

  const recommendations: Recommendation[] = [...recs].map(([w, evidence]) => ({
    waste: w,
    name: m.waste(w).name,
    evidence: evidence.join(" "),
    remedy: m.waste(w).elimination,
  }));
  const win_rate = ratio(won, won + lost);
  const reasons = [
    win_rate === null
      ? "No won or lost deals in scope."
      : `Win rate ${Math.round(win_rate * 1000) / 10}% over ${won + lost} decided deals (disqualified deals are not losses).`,
    ...(cycle_time.won.median_days !== null
      ? [`Median cycle: wins ${cycle_time.won.median_days} days, losses ${cycle_time.lost.median_days ?? "n/a"} days.`]
      : []),
  ];
  return {
    won,
    lost,
    win_rate: win_rate === null ? null : round(win_rate, 4),
    top_win_reasons,
    top_loss_reasons,
    closed_without_reason,
    lost_at_stage,
    cycle_time,
    by_segment,
    by_source,
    recommendations,
    reasons,
  };
}
