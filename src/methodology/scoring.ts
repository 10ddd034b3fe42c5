// Lead scoring "based on historical win patterns" (Area 2, Phase 2). A Laplace-smoothed
// categorical naive Bayes over closed won/lost deals, explainable per feature as a
// log-likelihood ratio (Odoo's open predictive lead scoring works the same way).
// Configuration (features, smoothing, minimum history, buckets) lives in data/scoring.json.
import type { Methodology } from "./load.js";
import { signalOfFeature, type ScoringFeature } from "./schema.js";

export { signalOfFeature };

/** One closed deal (training) or one deal to score; null means "not recorded". */
export type FeatureValues = Partial<Record<ScoringFeature, string | number | null>>;

export interface TrainingRow extends FeatureValues {
  status: "won" | "lost";
  holdout: number | boolean;
  bant_score?: number | null;
}

interface Counts {
  won: number;
  lost: number;
}

export interface NaiveBayesModel {
  won: number;
  lost: number;
  /** feature -> value key -> counts by class. */
  tables: Map<ScoringFeature, Map<string, Counts>>;
  alpha: number;
}

export interface Factor {
  feature: ScoringFeature;
  label: string;
  value: string;
  /** Log-likelihood ratio: positive moves the probability up. */
  effect: number;
  direction: "up" | "down";
  detail: string;
}

export interface Quality {
  auc: number | null;
  brier: number | null;
  bant_auc: number | null;
  holdout_deals: number;
}

const NOT_RECORDED = "(not recorded)";
/** Free-text categories (a lead source) compare without case, spaces or punctuation: "Inbound" = "inbound". */
export const normalizeCategory = (v: string) =>
  v
    .normalize("NFKC")
    .trim()
    .toLowerCase()
    .replace(/[^\p{L}\p{N}]+/gu, "_")
    .replace(/^_+|_+$/g, "");
const key = (v: string | number | null | undefined) =>
  v === null || v === undefined || v === ""
    ? NOT_RECORDED
    : typeof v === "string"
      ? normalizeCategory(v) || NOT_RECORDED
      : String(v);

export function emptyModel(alpha: number): NaiveBayesModel {
  return { won: 0, lost: 0, tables: new Map(), alpha };
}

export function addExample(model: NaiveBayesModel, features: readonly ScoringFeature[], row: TrainingRow): void {
  const cls = row.status;
  model[cls]++;
  for (const f of features) {
    let table = model.tables.get(f);
    if (!table) model.tables.set(f, (table = new Map()));
    const k = key(row[f]);
    let c = table.get(k);
    if (!c) table.set(k, (c = { won: 0, lost: 0 }));
    c[cls]++;
  }
}

/**
 * Likelihood ratio of one observed feature value. The furthest stage reached is ordinal:
 * an open deal at stage k is compared with closed deals that reached at least stage k.
 */
function likelihood(
  model: NaiveBayesModel,
  f: ScoringFeature,
  value: string,
): { won: number; lost: number; pWon: number; pLost: number } {
  const table = model.tables.get(f) ?? new Map<string, Counts>();
  const a = model.alpha;
  if (f === "reached_stage") {
    const k = Number(value);
    let won = 0;
    let lost = 0;
    for (const [v, c] of table) if (Number(v) >= k) ((won += c.won), (lost += c.lost));
    return { won, lost, pWon: (won + a) / (model.won + 2 * a), pLost: (lost + a) / (model.lost + 2 * a) };
  }
  const c = table.get(value) ?? { won: 0, lost: 0 };
  const values = Math.max(table.size, 1) + (table.has(value) ? 0 : 1);
  return {
    won: c.won,
    lost: c.lost,
    pWon: (c.won + a) / (model.won + a * values),
    pLost: (c.lost + a) / (model.lost + a * values),
  };
}

export function winProbability(
  model: NaiveBayesModel,
  features: readonly ScoringFeature[],
  values: FeatureValues,
): {
  p: number;
  contributions: Array<{ feature: ScoringFeature; value: string; llr: number; won: number; lost: number }>;
} {
  const a = model.alpha;
  let logOdds = Math.log((model.won + a) / (model.lost + a));
  const contributions = [];
  for (const f of features) {
    if (!(f in values)) continue; // not given: no evidence either way
    const v = key(values[f]);
    // Not recorded on this deal, or a value training never saw: no evidence either way.
    if (v === NOT_RECORDED) continue;
    if (f !== "reached_stage" && !model.tables.get(f)?.has(v)) continue;
    const l = likelihood(model, f, v);
    const llr = Math.log(l.pWon / l.pLost);
    logOdds += llr;
    contributions.push({ feature: f, value: v, llr, won: l.won, lost: l.lost });
  }
  return { p: 1 / (1 + Math.exp(-logOdds)), contributions };
}

/** Below this size (in log-odds) a factor moves the probability by well under a point: not worth showing. */
const NEGLIGIBLE = 0.05;

export function explain(
  m: Methodology,
  model: NaiveBayesModel,
  contributions: ReturnType<typeof winProbability>["contributions"],
): Factor[] {
  const label = (f: ScoringFeature) => featureLabel(m, f);
  return contributions
    .filter((c) => Math.abs(c.llr) >= NEGLIGIBLE)
    .map((c) => {
      const shown = displayValue(m, c.feature, c.value);
      const wonShare = model.won ? Math.round((c.won / model.won) * 100) : 0;
      const lostShare = model.lost ? Math.round((c.lost / model.lost) * 100) : 0;
      const what =
        c.feature === "reached_stage"
          ? `reached ${shown} or further`
          : `had ${label(c.feature).toLowerCase()} ${shown}`;
      return {
        feature: c.feature,
        label: label(c.feature),
        value: shown,
        effect: Math.round(c.llr * 1000) / 1000,
        direction: c.llr >= 0 ? ("up" as const) : ("down" as const),
        detail: `${wonShare}% of won deals ${what}, against ${lostShare}% of lost deals.`,
      };
    })
    .sort((x, y) => Math.abs(y.effect) - Math.abs(x.effect));
}

/**
 * A feature as an answer names it: scoring.json's label, or for a qualification signal's feature
 * (the deals' bant_* columns) the active framework's dimension that speaks to it, e.g. "BANT
 * budget", "MEDDICC economic buyer (budget)".
 */
export function featureLabel(m: Methodology, f: ScoringFeature): string {
  const signal = signalOfFeature(f);
  if (!signal) return m.scoring.features.find((x) => x.id === f)?.label ?? f;
  const q = m.qualification;
  const dimension = q.signals[signal].dimension;
  if (dimension === null) return `${signal[0]!.toUpperCase()}${signal.slice(1)} (no ${q.name} dimension)`;
  const d = m.qualificationDimension(dimension);
  return `${q.name} ${d.name.toLowerCase()}${d.id === signal ? "" : ` (${signal})`}`;
}

export function displayValue(m: Methodology, f: ScoringFeature, v: string): string {
  if (v === NOT_RECORDED) return v;
  if (f === "reached_stage") return m.stages[Number(v)]?.name ?? v;
  if (f === "amount_bucket") {
    const edges = m.scoring.amount_buckets;
    const i = Number(v);
    const fmt = (n: number) => (n >= 1000 ? `${Math.round(n / 1000)}k` : String(n));
    return i === 0
      ? `under ${fmt(edges[0]!)}`
      : i >= edges.length
        ? `${fmt(edges[edges.length - 1]!)} and above`
        : `${fmt(edges[i - 1]!)}-${fmt(edges[i]!)}`;
  }
  return v;
}

export function amountBucket(m: Methodology, amount: number | null | undefined): number | null {
  if (amount === null || amount === undefined) return null;
  const i = m.scoring.amount_buckets.findIndex((e) => amount < e);
  return i === -1 ? m.scoring.amount_buckets.length : i;
}

/** Area under the ROC curve (Mann-Whitney), ties counted half. */
export function auc(scores: Float64Array, labels: Uint8Array, n: number): number | null {
  const idx = Array.from({ length: n }, (_, i) => i).sort((a, b) => scores[a]! - scores[b]!);
  let pos = 0;
  let neg = 0;
  let rankSum = 0;
  for (let i = 0; i < n;) {
    let j = i;
    while (j + 1 < n && scores[idx[j + 1]!] === scores[idx[i]!]) j++;
    const avgRank = (i + j) / 2 + 1;
    for (let k = i; k <= j; k++) if (labels[idx[k]!]) ((rankSum += avgRank), pos++);
    i = j + 1;
  }
  neg = n - pos;
  if (pos === 0 || neg === 0) return null;
  return (rankSum - (pos * (pos + 1)) / 2) / (pos * neg);
}

/** Held-out quality of a model, plus the BANT-score-only ranking on the same deals. */
export function evaluate(
  model: NaiveBayesModel,
  features: readonly ScoringFeature[],
  holdout: Iterable<TrainingRow>,
  capacity = 1 << 16,
): Quality {
  let scores = new Float64Array(capacity);
  let bant = new Float64Array(capacity);
  let labels = new Uint8Array(capacity);
  let n = 0;
  let brier = 0;
  for (const row of holdout) {
    if (n === scores.length) {
      const grow = <T extends Float64Array | Uint8Array>(a: T): T => {
        const b = new (a.constructor as new (n: number) => T)(a.length * 2);
        b.set(a);
        return b;
      };
      scores = grow(scores);
      bant = grow(bant);
      labels = grow(labels);
    }
    const { p } = winProbability(model, features, Object.fromEntries(features.map((f) => [f, row[f] ?? null])));
    const y = row.status === "won" ? 1 : 0;
    scores[n] = p;
    bant[n] = row.bant_score ?? 0;
    labels[n] = y;
    brier += (p - y) ** 2;
    n++;
  }
  return {
    auc: n ? auc(scores, labels, n) : null,
    brier: n ? brier / n : null,
    bant_auc: n ? auc(bant, labels, n) : null,
    holdout_deals: n,
  };
}
