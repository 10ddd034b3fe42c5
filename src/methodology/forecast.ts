// A backtested forecast of won value. Reference: Area 4 "Metrics & Continuous Learning" (leading
// indicators "to forecast outcomes", lagging indicators to check them). A forecast nobody has
// checked against what happened is a guess, so the same function that forecasts a period also
// replays itself at the start of past periods (backtest) and reports its error and how often the
// actual value fell inside its range.
//
// Pure and deterministic: no clock, no I/O. Every date comes from the arguments and the Monte
// Carlo draws come from the seeded generator the caller passes (the demo's mulberry32; the
// methodology layer may not import the demo, so the generator is handed in rather than copied).
//
// The one rule everything obeys: as of an instant, only what had happened by then is known.
// knownAt() truncates each deal's history to that instant, and every estimate is built from the
// truncated histories only, so a later event cannot leak into a forecast or a backtest.
import { InputError } from "./errors.js";
import { dayStartMs } from "../zone.js";
import { round } from "./stats.js";

// ------------------------------------------------------------------------------------ types

export interface DealHistory {
  id: string;
  owner: string;
  segment: string | null;
  /** The tier part of the segment (enterprise, mid_market, smb); null when unknown. */
  tier?: string | null;
  amount: number | null;
  currency: string;
  /** ISO timestamp. */
  created_at: string;
  /** Every stage entry in time order (from the stage history). */
  stages: Array<{ stage_index: number; entered_at: string }>;
  /** The final outcome; null while the deal is still open today. */
  outcome: { status: "won" | "lost" | "disqualified"; closed_at: string } | null;
  /** Periods parked in nurture (out of the active pipeline); `to` null while still parked. */
  parked?: Array<{ from: string; to: string | null }>;
}

export interface ForecastConfig {
  /** Stages 0..n-1 in funnel order. */
  stage_count: number;
  /** Stage indexes whose role is "closing" (commit candidates). */
  closing_stages: number[];
  /** A deal at or above it (or in a closing stage with p >= best_case) is commit. */
  commit_probability: number;
  best_case_probability: number;
  /** Percentiles of the simulated won value, e.g. [0.1, 0.9]. */
  interval: [number, number];
  /** Monte Carlo draws. */
  simulations: number;
  seed: number;
  /** Resolved deals a cell needs before the estimate falls back to a coarser one. */
  min_history: number;
  /** Where each age-in-stage band starts, in days (the first is 0). */
  age_bands_days: number[];
  /** Won deals of a segment needed to impute a missing amount from that segment's median. */
  min_won_for_imputation: number;
  /** How far back the run-rate of new deals looks, in days. */
  run_rate_lookback_days: number;
}

/** A seeded source of uniforms in [0, 1): pass mulberry32 from src/app/demo/generate.ts. */
export type SeededRandom = (seed: number) => () => number;

export interface OpenDealAt {
  id: string;
  owner: string;
  segment: string | null;
  tier: string | null;
  amount: number | null;
  currency: string;
  created_at: string;
  stage_index: number;
  stage_entered_at: string;
  days_in_stage: number;
  age_days: number;
}

export interface ClosedDealAt {
  id: string;
  owner: string;
  segment: string | null;
  amount: number | null;
  currency: string;
  created_at: string;
  status: "won" | "lost" | "disqualified";
  closed_at: string;
  /** The stage the deal closed from. */
  stage_index: number;
}

export interface PipelineAt {
  /** The instant reconstructed (ISO). */
  as_of: string;
  open: OpenDealAt[];
  closed: ClosedDealAt[];
  /** Deals created and not closed by as_of but parked in nurture at that instant. */
  parked: string[];
  /** Deals or stage entries left out for unreadable data. */
  reasons: string[];
}

/** How specific the history behind a deal's probability is, most specific first. */
export type Level = "stage_age_segment" | "stage_age_tier" | "stage_age" | "stage_tier" | "stage" | "overall" | "none";
const LEVELS: readonly Level[] = [
  "stage_age_segment",
  "stage_age_tier",
  "stage_age",
  "stage_tier",
  "stage",
  "overall",
  "none",
];
export type Category = "commit" | "best_case" | "pipeline";

export interface ForecastPeriod {
  /** First and last day of the period (inclusive, UTC days). */
  from: string;
  to: string;
  /** What is known: a date means the end of that day, a timestamp that instant. */
  as_of: string;
  /** Quota for the period; in the main currency unless one is named. */
  quota?: { amount: number; currency?: string };
}

export interface DealForecast {
  id: string;
  owner: string;
  segment: string | null;
  currency: string;
  stage_index: number;
  days_in_stage: number;
  /** The amount used (imputed when the deal has none); null when nothing could be imputed. */
  amount: number | null;
  amount_imputed: boolean;
  /** P(won and closed within the period's remaining days). */
  probability: number;
  /**
   * The share of its value expected to be won: the value-weighted win rate of the same history
   * (big deals that win less often than small ones weigh less). Expected value is amount x this.
   */
  value_share: number;
  level: Level;
  /** Resolved deals behind the probability. */
  history_n: number;
  category: Category;
}

export interface CategoryTotal {
  deals: number;
  /** Face value of the deals (imputed amounts included). */
  value: number;
  expected_value: number;
  definition: string;
}

export interface CurrencyForecast {
  currency: string;
  expected_won_value: number;
  expected_won_deals: number;
  low: number;
  high: number;
  categories: Record<Category, CategoryTotal>;
  /** Open pipeline plus already won; new deals are not attributed to anyone (see components). */
  by_owner: Array<{ owner: string; expected_value: number; expected_deals: number }>;
  by_segment: Array<{ segment: string | null; expected_value: number; expected_deals: number }>;
  components: {
    open_pipeline: { deals: number; value: number; expected_value: number; expected_deals: number };
    already_won: { deals: number; value: number };
    new_deals: { expected_value: number; expected_deals: number; value_per_day: number; windows: number };
  };
  /** Deals (open or already won) whose missing amount was imputed. */
  imputed_amounts: number;
  /** Deals without an amount and no similar won deal to impute from (counted at 0). */
  unpriced_deals: number;
}

export interface QuotaGap {
  currency: string;
  quota: number;
  expected_won_value: number;
  /** Quota minus expected won value (negative: expected to beat it). */
  gap: number;
  /** Share of simulations reaching the quota. */
  probability_to_reach: number;
}

export interface ForecastResult {
  period: { from: string; to: string; as_of: string };
  /** The currency with the most open value (the quota's, unless it names another). */
  main_currency: string | null;
  by_currency: Record<string, CurrencyForecast>;
  gap_to_quota: QuotaGap | null;
  deals: DealForecast[];
  /** Open deals per level of history used. */
  levels: Record<Level, number>;
  notes: string[];
  reasons: string[];
}

export interface BacktestOptions {
  period_days: number;
  periods: number;
  /** Last day of the last period (inclusive). */
  last_end: string;
}

export interface BacktestPeriod {
  from: string;
  to: string;
  predicted: number;
  low: number;
  high: number;
  actual: number;
  inside_range: boolean;
  /** The naive baseline: the won value of the period before. */
  naive: number;
}

export interface BacktestSeries {
  currency: string;
  periods: BacktestPeriod[];
  /** sum |predicted - actual| / sum actual; null when nothing was won in any period. */
  wape: number | null;
  /** Share of periods whose actual fell inside [low, high]. */
  coverage: number | null;
  naive_wape: number | null;
  notes: string[];
}

export interface BacktestResult extends Omit<BacktestSeries, "currency"> {
  /** The currency with the most won value over the periods (its series is the top level). */
  currency: string | null;
  by_currency: Record<string, BacktestSeries>;
  skipped: Array<{ from: string; to: string; reason: string }>;
}

// ------------------------------------------------------------------------------------- time

const DAY = 86_400_000;
const DATE_ONLY = /^\d{4}-\d{2}-\d{2}$/;
const iso = (ms: number) => new Date(ms).toISOString();
const isoDay = (ms: number) => iso(ms).slice(0, 10);

/** Epoch ms of an ISO date or timestamp; a timestamp without a zone is UTC (as the store writes them), never local time. */
const parseIso = (s: string) => Date.parse(/T\d{2}:\d{2}(:\d{2}(\.\d+)?)?$/.test(s) ? `${s}Z` : s);

/** A date means the end of that day (all of it is known); a timestamp means that instant. */
function instant(s: string, field: string): number {
  const ms = parseIso(s);
  if (Number.isNaN(ms)) throw new InputError(`${field} "${s}" is not an ISO date or timestamp.`, field);
  return DATE_ONLY.test(s) ? dayEnd(s, field) : ms;
}

/** The first millisecond of the day `s` falls on, in the configured time zone (LEAN_SALES_TZ). */
function dayStart(s: string, field: string): number {
  if (Number.isNaN(Date.parse(s.slice(0, 10)))) throw new InputError(`${field} "${s}" is not an ISO date.`, field);
  return dayStartMs(s.slice(0, 10));
}

/** The last millisecond of that day, in the configured time zone. */
function dayEnd(s: string, field: string): number {
  dayStart(s, field);
  // The calendar day after (date arithmetic, not instants), from its local midnight.
  return dayStartMs(isoDay(Date.parse(s.slice(0, 10)) + DAY)) - 1;
}

// --------------------------------------------------------------------------- point in time

interface Visit {
  stage: number;
  from: number;
  /** When the deal left the stage (next entry or close); Infinity while still in it. */
  to: number;
}

/** A deal as known at an instant: nothing after it survives. */
interface Known {
  h: DealHistory;
  created: number;
  visits: Visit[];
  closed: { status: "won" | "lost" | "disqualified"; at: number } | null;
  /** Parked periods begun by the instant; an end not yet reached is Infinity. */
  parked: Array<[number, number]>;
}

/** Dates parsed once, so a backtest truncates the same parse at each of its instants. */
interface Parsed {
  h: DealHistory;
  created: number;
  stages: Array<{ stage: number; at: number }>;
  closed: { status: "won" | "lost" | "disqualified"; at: number } | null;
  parked: Array<[number, number]>;
}

/** Parses every history; a deal with an unreadable creation or close date is left out and named. */
function parseAll(histories: DealHistory[], stageCount: number): { parsed: Parsed[]; reasons: string[] } {
  const parsed: Parsed[] = [];
  const bad: string[] = [];
  let droppedEntries = 0;
  for (const h of histories) {
    const created = parseIso(h.created_at);
    const closedAt = h.outcome ? parseIso(h.outcome.closed_at) : null;
    if (Number.isNaN(created) || (closedAt !== null && Number.isNaN(closedAt))) {
      bad.push(h.id);
      continue;
    }
    const stages = h.stages
      .map((s) => ({ stage: s.stage_index, at: parseIso(s.entered_at) }))
      .filter((s) => Number.isInteger(s.stage) && s.stage >= 0 && s.stage < stageCount && !Number.isNaN(s.at));
    droppedEntries += h.stages.length - stages.length;
    // Stable sort: entries at the same instant keep their recorded order, the last one wins.
    stages.sort((a, b) => a.at - b.at);
    const parked = (h.parked ?? [])
      .map((p): [number, number] => [parseIso(p.from), p.to === null ? Infinity : parseIso(p.to)])
      .filter(([a, b]) => !Number.isNaN(a) && !Number.isNaN(b));
    parsed.push({
      h,
      created,
      stages,
      closed: h.outcome && closedAt !== null ? { status: h.outcome.status, at: closedAt } : null,
      parked,
    });
  }
  // By id, so nothing downstream (the draws, the new-deal pool) depends on the input order.
  parsed.sort((a, b) => byId(a.h, b.h));
  const reasons: string[] = [];
  if (bad.length)
    reasons.push(
      `${bad.length} deal(s) left out for an unreadable created_at or closed_at: ${bad.slice(0, 5).join(", ")}${bad.length > 5 ? "..." : ""}.`,
    );
  if (droppedEntries)
    reasons.push(
      `${droppedEntries} stage entr${droppedEntries === 1 ? "y" : "ies"} ignored (unreadable date, or a stage index that is not one of the ${stageCount} stages).`,
    );
  return { parsed, reasons };
}

/**
 * The deal as it stood at `t`, or null if not yet created. A deal with no stage entry by then is
 * in the first stage since its creation (the store records creation as entering stage 0).
 */
function knownAt(p: Parsed, t: number): Known | null {
  if (p.created > t) return null;
  const closed = p.closed && p.closed.at <= t ? p.closed : null;
  const entries = p.stages.filter((s) => s.at <= t);
  if (entries.length === 0 || entries[0]!.at > p.created) entries.unshift({ stage: 0, at: p.created });
  const end = closed ? closed.at : Infinity;
  const visits = entries.map((e, i) => ({
    stage: e.stage,
    from: e.at,
    to: i + 1 < entries.length ? entries[i + 1]!.at : end,
  }));
  const parked = p.parked.filter(([a]) => a <= t).map(([a, b]): [number, number] => [a, b <= t ? b : Infinity]);
  return { h: p.h, created: p.created, visits, closed, parked };
}

/** The first creation among known deals (a loop: spreading a large array overflows the stack). */
const earliest = (known: Known[]) => known.reduce((m, k) => Math.min(m, k.created), Infinity);
const parkedAt = (k: Known, t: number) => k.parked.some(([a, b]) => a <= t && t < b);
const isOpenAt = (k: Known, t: number) => k.closed === null && !parkedAt(k, t);

function openDeal(k: Known, t: number): OpenDealAt {
  const v = k.visits[k.visits.length - 1]!;
  const { id, owner, segment, amount, currency } = k.h;
  return {
    id,
    owner,
    segment,
    tier: k.h.tier ?? null,
    amount,
    currency,
    created_at: iso(k.created),
    stage_index: v.stage,
    stage_entered_at: iso(v.from),
    days_in_stage: (t - v.from) / DAY,
    age_days: (t - k.created) / DAY,
  };
}

function closedDeal(k: Known): ClosedDealAt {
  const { id, owner, segment, amount, currency } = k.h;
  const c = k.closed!;
  return {
    id,
    owner,
    segment,
    amount,
    currency,
    created_at: iso(k.created),
    status: c.status,
    closed_at: iso(c.at),
    stage_index: k.visits[k.visits.length - 1]!.stage,
  };
}

const byId = <T extends { id: string }>(a: T, b: T) => (a.id < b.id ? -1 : a.id > b.id ? 1 : 0);

/**
 * The pipeline as it stood at the end of `asOf`: open deals with their stage and ages, the deals
 * closed by then, and those parked. Built from knownAt only, so later events cannot change it.
 */
export function pipelineAt(histories: DealHistory[], asOf: string, stageCount = Infinity): PipelineAt {
  const t = instant(asOf, "as_of");
  const { parsed, reasons } = parseAll(histories, stageCount);
  return snapshot(
    parsed.map((p) => knownAt(p, t)),
    t,
    reasons,
  );
}

function snapshot(known: Array<Known | null>, t: number, reasons: string[]): PipelineAt {
  const out: PipelineAt = { as_of: iso(t), open: [], closed: [], parked: [], reasons };
  for (const k of known) {
    if (!k) continue;
    if (k.closed) out.closed.push(closedDeal(k));
    else if (parkedAt(k, t)) out.parked.push(k.h.id);
    else out.open.push(openDeal(k, t));
  }
  out.open.sort(byId);
  out.closed.sort(byId);
  out.parked.sort();
  return out;
}

// ------------------------------------------------------------------------------- learning

/** The age-in-stage band a deal is in (cfg.age_bands_days). */
const bandOf = (ageDays: number, bands: number[]) => bands.findLastIndex((b) => ageDays >= b);
const segKey = (s: string | null) => s ?? "";

/** One visit of a known deal to a stage: a possible reference for open deals in that stage. */
interface Episode extends Visit {
  k: Known;
  segment: string;
  tier: string;
}

/** The window whose wins count, as offsets from the reference instant: (lo, hi]. */
interface Horizon {
  asOf: number;
  lo: number;
  hi: number;
}

interface Estimate {
  p: number;
  /** The share of pipeline value won in the same cell (p when no amounts are known there). */
  pv: number;
  n: number;
  level: Level;
}

/** Resolved visits of a cell: how many, how many won, and the value behind each. */
interface Share {
  n: number;
  wins: number;
  value: number;
  won_value: number;
}

/** Every stage visit known at as_of, by stage. */
function episodesByStage(known: Known[]): Map<number, Episode[]> {
  const out = new Map<number, Episode[]>();
  for (const k of known) {
    for (const v of k.visits) {
      let list = out.get(v.stage);
      if (!list) out.set(v.stage, (list = []));
      list.push({ ...v, k, segment: segKey(k.h.segment), tier: segKey(k.h.tier ?? null) });
    }
  }
  return out;
}

/**
 * Of the visits still in the stage `offset` after entering it (and not parked then), those whose
 * next `hi` were over by as_of are resolved: we know whether they were won inside the window.
 * The share won is P(win and close in the window) and already folds in the empirical time to
 * close of won deals; counting only resolved visits keeps deals still open out of the denominator
 * (which would otherwise favour the fast closers).
 */
function resolvedShare(eps: Episode[], offset: number, group: { segment?: string; tier?: string }, w: Horizon): Share {
  let n = 0;
  let wins = 0;
  let value = 0;
  let won_value = 0;
  for (const e of eps) {
    if (group.segment !== undefined && e.segment !== group.segment) continue;
    if (group.tier !== undefined && e.tier !== group.tier) continue;
    const t0 = e.from + offset;
    if (t0 >= e.to || t0 + w.hi > w.asOf || parkedAt(e.k, t0)) continue;
    n++;
    const a = e.k.h.amount ?? 0;
    value += a;
    const c = e.k.closed;
    if (c && c.status === "won" && c.at > t0 + w.lo && c.at <= t0 + w.hi) (wins++, (won_value += a));
  }
  return { n, wins, value, won_value };
}

/** Estimates per cell, most specific first, falling back while a cell has too little history. */
function makeLearner(byStage: Map<number, Episode[]>, w: Horizon, cfg: ForecastConfig) {
  const minHistory = cfg.min_history;
  const all = [...byStage.values()].flat();
  const cache = new Map<string, Share>();
  const cell = (key: string, eps: Episode[], offset: number, group: { segment?: string; tier?: string }) => {
    let c = cache.get(key);
    if (!c) cache.set(key, (c = resolvedShare(eps, offset, group, w)));
    return c;
  };
  // Age in stage first (a deal long in its stage is less likely to close soon, whatever its
  // segment), then the tier (enterprise deals take longer), then the stage alone.
  return (stage: number, ageDays: number, segment: string | null, tier: string | null): Estimate => {
    const eps = byStage.get(stage) ?? [];
    const band = bandOf(ageDays, cfg.age_bands_days);
    const age = cfg.age_bands_days[band]! * DAY;
    const seg = segKey(segment);
    const t = segKey(tier);
    const tries: Array<[Level, () => Share]> = [
      ["stage_age_segment", () => cell(`a|${stage}|${band}|${seg}`, eps, age, { segment: seg })],
      ["stage_age_tier", () => cell(`b|${stage}|${band}|${t}`, eps, age, { tier: t })],
      ["stage_age", () => cell(`c|${stage}|${band}`, eps, age, {})],
      ["stage_tier", () => cell(`d|${stage}|${t}`, eps, 0, { tier: t })],
      ["stage", () => cell(`e|${stage}`, eps, 0, {})],
      ["overall", () => cell("o", all, 0, {})],
    ];
    const estimate = (c: Share, level: Level): Estimate => {
      const p = c.wins / c.n;
      return { p, pv: c.value > 0 ? c.won_value / c.value : p, n: c.n, level };
    };
    let last: Estimate = { p: 0, pv: 0, n: 0, level: "none" };
    for (const [level, get] of tries) {
      const c = get();
      if (c.n >= minHistory) return estimate(c, level);
      if (c.n > 0 && last.n === 0) last = estimate(c, level);
    }
    // Thin everywhere: the most specific cell with any history, flagged by its small n.
    return last;
  };
}

// -------------------------------------------------------------------------------- amounts

/** Won deals with at least this many in a segment give its median; fewer say little. */

function median(values: number[]): number | null {
  if (values.length === 0) return null;
  const s = [...values].sort((a, b) => a - b);
  const mid = s.length >> 1;
  return s.length % 2 ? s[mid]! : (s[mid - 1]! + s[mid]!) / 2;
}

type Imputer = (h: DealHistory) => { amount: number | null; imputed: boolean };

/** Missing amounts take the median won amount of the same segment and currency, else currency. */
function makeImputer(known: Known[], minSegmentWon: number): Imputer {
  const bySeg = new Map<string, number[]>();
  const byCur = new Map<string, number[]>();
  for (const k of known) {
    if (k.closed?.status !== "won" || k.h.amount === null) continue;
    const sk = `${k.h.currency}|${segKey(k.h.segment)}`;
    (bySeg.get(sk) ?? bySeg.set(sk, []).get(sk)!).push(k.h.amount);
    (byCur.get(k.h.currency) ?? byCur.set(k.h.currency, []).get(k.h.currency)!).push(k.h.amount);
  }
  const medians = new Map<string, number | null>();
  const medianOf = (key: string, list: number[] | undefined, min: number) => {
    if (!medians.has(key)) medians.set(key, list && list.length >= min ? median(list) : null);
    return medians.get(key)!;
  };
  return (h) => {
    if (h.amount !== null) return { amount: h.amount, imputed: false };
    const sk = `${h.currency}|${segKey(h.segment)}`;
    const m =
      medianOf(`s:${sk}`, bySeg.get(sk), minSegmentWon) ?? medianOf(`c:${h.currency}`, byCur.get(h.currency), 1);
    return { amount: m, imputed: m !== null };
  };
}

// ------------------------------------------------------------------------------ new deals

/** How far back the new-deal run-rate looks: recent enough to follow a changing arrival rate, long enough for several windows. */

interface NewDeals {
  windows: number;
  /** Per currency: won amounts of deals created and won inside a past window. */
  values: Map<string, number[]>;
}

/**
 * Deals not yet created: the past windows of the same length as the rest of the period, ending
 * at as_of, and the deals created in each and won inside its (lo, hi] part. Each window is over
 * before as_of, so its deals' outcomes are all known.
 */
function newDealHistory(
  known: Known[],
  w: Horizon,
  impute: Imputer,
  stats: AmountStats,
  lookbackDays: number,
): NewDeals {
  const values = new Map<string, number[]>();
  if (w.hi <= 0 || known.length === 0) return { windows: 0, values };
  const start = earliest(known);
  const windows = Math.min(Math.floor((w.asOf - start) / w.hi), Math.ceil((lookbackDays * DAY) / w.hi));
  for (const k of known) {
    if (k.closed?.status !== "won") continue;
    const j = Math.floor((w.asOf - k.created) / w.hi);
    if (j >= windows) continue;
    const base = w.asOf - (j + 1) * w.hi;
    if (k.closed.at <= base + w.lo || k.closed.at > base + w.hi) continue;
    const a = priced(k.h, impute, stats).amount ?? 0;
    (values.get(k.h.currency) ?? values.set(k.h.currency, []).get(k.h.currency)!).push(a);
  }
  return { windows: Math.max(0, windows), values };
}

/** Imputation counts per currency. */
type AmountStats = Map<string, { imputed: number; unpriced: number }>;

/** The deal's amount (imputed when missing), counted in `stats`. */
function priced(h: DealHistory, impute: Imputer, stats: AmountStats): { amount: number | null; imputed: boolean } {
  const r = impute(h);
  let s = stats.get(h.currency);
  if (!s) stats.set(h.currency, (s = { imputed: 0, unpriced: 0 }));
  if (r.imputed) s.imputed++;
  if (r.amount === null) s.unpriced++;
  return r;
}

// ----------------------------------------------------------------------------- simulation

interface SimDeal {
  currency: number;
  amount: number;
  p: number;
}

/** Arrivals in one window: exponential gaps until the window (length 1) is used up. */
function poisson(rand: () => number, lambda: number): number {
  if (lambda <= 0) return 0;
  let n = 0;
  for (let t = -Math.log(1 - rand()) / lambda; t < 1; t += -Math.log(1 - rand()) / lambda) n++;
  return n;
}

/**
 * Seeded Monte Carlo of the won value per currency: each open deal wins with its probability,
 * new deals arrive as a Poisson count at the historical rate with amounts drawn from the ones won
 * before. Returns each currency's sorted totals (the already won value added).
 */
function simulate(
  currencies: string[],
  deals: SimDeal[],
  fresh: NewDeals,
  base: number[],
  cfg: ForecastConfig,
  random: SeededRandom,
): Float64Array[] {
  const rand = random(cfg.seed);
  const sims = Math.max(1, Math.floor(cfg.simulations));
  const totals = currencies.map(() => new Float64Array(sims));
  const arrivals = currencies.map((c) => fresh.values.get(c) ?? []);
  for (let s = 0; s < sims; s++) {
    for (const d of deals) if (rand() < d.p) totals[d.currency]![s]! += d.amount;
    for (let c = 0; c < currencies.length; c++) {
      const pool = arrivals[c]!;
      const n = fresh.windows > 0 ? poisson(rand, pool.length / fresh.windows) : 0;
      for (let i = 0; i < n; i++) totals[c]![s]! += pool[Math.floor(rand() * pool.length)]!;
      totals[c]![s]! += base[c]!;
    }
  }
  for (const t of totals) t.sort();
  return totals;
}

/** Linear interpolation between the two nearest draws (the usual sample quantile). */
function quantile(sorted: Float64Array, q: number): number {
  if (sorted.length === 0) return 0;
  const pos = Math.min(1, Math.max(0, q)) * (sorted.length - 1);
  const i = Math.floor(pos);
  const next = sorted[Math.min(i + 1, sorted.length - 1)]!;
  return sorted[i]! + (next - sorted[i]!) * (pos - i);
}

// ------------------------------------------------------------------------------- forecast

function categoryOf(d: { stage_index: number; probability: number }, cfg: ForecastConfig): Category {
  if (d.probability >= cfg.commit_probability) return "commit";
  if (d.probability >= cfg.best_case_probability)
    return cfg.closing_stages.includes(d.stage_index) ? "commit" : "best_case";
  return "pipeline";
}

function categoryDefinitions(cfg: ForecastConfig): Record<Category, string> {
  const pct = (p: number) => `${round(p * 100, 1)}%`;
  const within = "probability of being won within the period";
  return {
    commit: `${within} at least ${pct(cfg.commit_probability)}, or at least ${pct(cfg.best_case_probability)} in a closing stage (${cfg.closing_stages.join(", ") || "none configured"})`,
    best_case: `${within} at least ${pct(cfg.best_case_probability)}, not commit`,
    pipeline: `${within} below ${pct(cfg.best_case_probability)}`,
  };
}

/** The open deals with their probabilities and amounts, by id so the draws do not depend on input order. */
function scoreOpenDeals(
  open: Known[],
  asOf: number,
  learn: ReturnType<typeof makeLearner>,
  price: (h: DealHistory) => { amount: number | null; imputed: boolean },
  cfg: ForecastConfig,
): DealForecast[] {
  const out = open.map((k): DealForecast => {
    const d = openDeal(k, asOf);
    const est = learn(d.stage_index, d.days_in_stage, d.segment, d.tier);
    const { amount, imputed } = price(k.h);
    const probability = round(est.p, 4);
    const value_share = round(est.pv, 4);
    const base = {
      id: d.id,
      owner: d.owner,
      segment: d.segment,
      currency: d.currency,
      stage_index: d.stage_index,
      days_in_stage: round(d.days_in_stage, 1),
    };
    return {
      ...base,
      amount,
      amount_imputed: imputed,
      probability,
      value_share,
      level: est.level,
      history_n: est.n,
      category: categoryOf({ stage_index: d.stage_index, probability }, cfg),
    };
  });
  return out.sort(byId);
}

type Group = { expected_value: number; expected_deals: number };

function addTo<K>(m: Map<K, Group>, key: K, value: number, deals: number) {
  const g = m.get(key) ?? m.set(key, { expected_value: 0, expected_deals: 0 }).get(key)!;
  g.expected_value += value;
  g.expected_deals += deals;
}

/** Largest expected value first; ties by name so the order is stable. */
const groupList = <K>(m: Map<K, Group>) =>
  [...m]
    .map(([key, g]) => ({ key, expected_value: round(g.expected_value), expected_deals: round(g.expected_deals, 2) }))
    .sort((a, b) => b.expected_value - a.expected_value || String(a.key ?? "").localeCompare(String(b.key ?? "")));

interface Won {
  h: DealHistory;
  amount: number;
}

/** Category totals, owners and segments of one currency's open deals and already won deals. */
function tallyDeals(deals: DealForecast[], won: Won[], cfg: ForecastConfig) {
  const defs = categoryDefinitions(cfg);
  const categories = Object.fromEntries(
    (["commit", "best_case", "pipeline"] as const).map((c) => [
      c,
      { deals: 0, value: 0, expected_value: 0, definition: defs[c] },
    ]),
  ) as Record<Category, CategoryTotal>;
  const owners = new Map<string, Group>();
  const segments = new Map<string | null, Group>();
  const open = { deals: 0, value: 0, expected_value: 0, expected_deals: 0 };
  for (const d of deals) {
    const a = d.amount ?? 0;
    const cat = categories[d.category];
    cat.deals++;
    cat.value += a;
    cat.expected_value += a * d.value_share;
    open.deals++;
    open.value += a;
    open.expected_value += a * d.value_share;
    open.expected_deals += d.probability;
    addTo(owners, d.owner, a * d.value_share, d.probability);
    addTo(segments, d.segment, a * d.value_share, d.probability);
  }
  for (const w of won) {
    addTo(owners, w.h.owner, w.amount, 1);
    addTo(segments, w.h.segment, w.amount, 1);
  }
  for (const c of Object.values(categories)) {
    c.value = round(c.value);
    c.expected_value = round(c.expected_value);
  }
  return { categories, owners, segments, open };
}

interface CurrencyInput {
  currency: string;
  deals: DealForecast[];
  won: Won[];
  fresh: NewDeals;
  sims: Float64Array;
  horizonDays: number;
  stats: { imputed: number; unpriced: number };
}

/** One currency's forecast: open pipeline + already won + new deals, and the simulated range. */
function currencyForecast(x: CurrencyInput, cfg: ForecastConfig): CurrencyForecast {
  const { categories, owners, segments, open } = tallyDeals(x.deals, x.won, cfg);
  const wonValue = x.won.reduce((s, w) => s + w.amount, 0);
  const pool = x.fresh.values.get(x.currency) ?? [];
  const newValue = x.fresh.windows > 0 ? pool.reduce((s, v) => s + v, 0) / x.fresh.windows : 0;
  const newDeals = x.fresh.windows > 0 ? pool.length / x.fresh.windows : 0;
  return {
    currency: x.currency,
    expected_won_value: round(open.expected_value + wonValue + newValue),
    expected_won_deals: round(open.expected_deals + x.won.length + newDeals, 2),
    low: round(quantile(x.sims, cfg.interval[0])),
    high: round(quantile(x.sims, cfg.interval[1])),
    categories,
    by_owner: groupList(owners).map(({ key, ...g }) => ({ owner: key, ...g })),
    by_segment: groupList(segments).map(({ key, ...g }) => ({ segment: key, ...g })),
    components: {
      open_pipeline: {
        deals: open.deals,
        value: round(open.value),
        expected_value: round(open.expected_value),
        expected_deals: round(open.expected_deals, 2),
      },
      already_won: { deals: x.won.length, value: round(wonValue) },
      new_deals: {
        expected_value: round(newValue),
        expected_deals: round(newDeals, 2),
        value_per_day: x.horizonDays > 0 ? round(newValue / x.horizonDays) : 0,
        windows: x.fresh.windows,
      },
    },
    imputed_amounts: x.stats.imputed,
    unpriced_deals: x.stats.unpriced,
  };
}

/** The period as instants: [from, to] whole UTC days, and what is known at as_of. */
interface Window {
  from: string;
  to: string;
  fromMs: number;
  toEnd: number;
  asOf: number;
  quota?: ForecastPeriod["quota"];
}

function resolvePeriod(p: ForecastPeriod): Window {
  const fromMs = dayStart(p.from, "from");
  const toEnd = dayEnd(p.to, "to");
  const asOf = instant(p.as_of, "as_of");
  if (fromMs > toEnd) throw new InputError(`from (${p.from}) is after to (${p.to}).`, "from");
  if (asOf > toEnd)
    throw new InputError(`as_of (${p.as_of}) is after the period ends (${p.to}); a forecast looks forward.`, "as_of");
  if (p.quota && !(p.quota.amount >= 0)) throw new InputError("quota.amount must be a number of at least 0.", "quota");
  return { from: isoDay(fromMs), to: isoDay(toEnd), fromMs, toEnd, asOf, ...(p.quota ? { quota: p.quota } : {}) };
}

function validateConfig(cfg: ForecastConfig): void {
  const prob = (v: number) => v >= 0 && v <= 1;
  const bad = (field: string, why: string) => new InputError(`${field} ${why}.`, field);
  if (!Number.isInteger(cfg.stage_count) || cfg.stage_count < 1)
    throw bad("stage_count", "must be a whole number of at least 1");
  if (!prob(cfg.commit_probability) || !prob(cfg.best_case_probability))
    throw bad("commit_probability", "and best_case_probability must be between 0 and 1");
  if (!prob(cfg.interval[0]) || !prob(cfg.interval[1]) || cfg.interval[0] > cfg.interval[1])
    throw bad("interval", "must be two percentiles between 0 and 1, low first");
  if (!(cfg.simulations >= 1)) throw bad("simulations", "must be at least 1");
  if (!(cfg.min_history >= 1)) throw bad("min_history", "must be at least 1");
  if (cfg.age_bands_days[0] !== 0 || cfg.age_bands_days.some((b, i) => i > 0 && b <= cfg.age_bands_days[i - 1]!))
    throw bad("age_bands_days", "must start at 0 and increase");
}

/** The currency with the most open value, then the most expected value, then by name. */
function mainCurrency(by: CurrencyForecast[]): string | null {
  const sorted = [...by].sort(
    (a, b) =>
      b.components.open_pipeline.value - a.components.open_pipeline.value ||
      b.expected_won_value - a.expected_won_value ||
      a.currency.localeCompare(b.currency),
  );
  return sorted[0]?.currency ?? null;
}

function quotaGap(
  q: NonNullable<ForecastPeriod["quota"]>,
  main: string | null,
  by: Record<string, CurrencyForecast>,
  sims: Map<string, Float64Array>,
  reasons: string[],
): QuotaGap | null {
  const currency = q.currency ?? main;
  if (!currency) {
    reasons.push("No gap to quota: the quota names no currency and there is nothing to forecast.");
    return null;
  }
  const f = by[currency];
  if (!f) reasons.push(`The quota is in ${currency}, and nothing open, won or expected is in ${currency}.`);
  const draws = sims.get(currency);
  const reached = draws ? draws.filter((v) => v >= q.amount).length / draws.length : q.amount <= 0 ? 1 : 0;
  const expected = f?.expected_won_value ?? 0;
  return {
    currency,
    quota: q.amount,
    expected_won_value: expected,
    gap: round(q.amount - expected),
    probability_to_reach: round(reached, 4),
  };
}

function methodNotes(cfg: ForecastConfig, w: Horizon, fresh: NewDeals): string[] {
  const days = (ms: number) => round(ms / DAY, 2);
  return [
    "Point in time: only stage entries, closes and parking at or before as_of are used; deals closed or created later do not exist yet.",
    `Each open deal's probability is the share of comparable stage visits known at as_of that were won between ${days(w.lo)} and ${days(w.hi)} days later (the period's remaining window); only visits whose window had ended by as_of count, so the empirical time to close of won deals is built in and deals still open do not bias it.`,
    `Comparable means the same stage, age-in-stage band (from ${cfg.age_bands_days.join("/")} days) and segment; with fewer than ${cfg.min_history} resolved visits it falls back to stage x segment, then stage, then all stages (level says which).`,
    `Missing amounts take the median won amount of the same segment and currency (at least ${cfg.min_won_for_imputation} won deals), else of the currency.`,
    `New deals: the mean won value of deals created and won inside each of the last ${fresh.windows} windows of the same length before as_of (up to ${cfg.run_rate_lookback_days} days back).`,
    `Range: percentiles ${cfg.interval[0]} and ${cfg.interval[1]} of ${Math.floor(cfg.simulations)} seeded simulations (seed ${cfg.seed}): each open deal won with its value share, new deals arriving as a Poisson count with amounts drawn from past ones.`,
    "Expected deals sum the probabilities; expected values sum amount x value share (the share of comparable pipeline value that was won, so large deals that win less often weigh less). Exact sums, not simulation averages; currencies are never added together.",
  ];
}

/** Fallbacks, gaps in the history and anything left out, in words. */
function dataReasons(
  deals: DealForecast[],
  fresh: NewDeals,
  parkedCount: number,
  w: Horizon,
  historyImputed: number,
  minHistory: number,
): string[] {
  const out: string[] = [];
  const count = (l: Level) => deals.filter((d) => d.level === l).length;
  const coarse = deals.length - count("stage_age_segment");
  if (coarse > 0)
    out.push(
      `${coarse} of ${deals.length} open deal(s) used a coarser history (${LEVELS.slice(1)
        .map((l) => `${l.replaceAll("_", " x ")} ${count(l)}`)
        .join(", ")}) because their cell had too few resolved visits.`,
    );
  const none = count("none");
  if (none > 0)
    out.push(`${none} open deal(s) had no comparable history resolved by as_of, so they count at probability 0.`);
  const thin = deals.filter((d) => d.level !== "none" && d.history_n < minHistory).length;
  if (thin > 0)
    out.push(
      `${thin} open deal(s) rest on fewer than ${minHistory} resolved visits even at the coarsest level; their probabilities are rough.`,
    );
  if (w.hi > 0 && fresh.windows === 0)
    out.push("No run-rate for new deals: the history before as_of is shorter than the rest of the period.");
  if (parkedCount > 0) out.push(`${parkedCount} deal(s) parked in nurture at as_of are not in the forecast.`);
  if (historyImputed > 0)
    out.push(`${historyImputed} past won deal(s) behind the new-deal run-rate had no amount and were imputed.`);
  return out;
}

/** What a forecast is built from, all of it known at as_of. */
interface Inputs {
  w: Horizon;
  deals: DealForecast[];
  won: Won[];
  fresh: NewDeals;
  stats: AmountStats;
  reasons: string[];
}

/** Truncates the histories to as_of, then scores the open deals, the won ones and the run-rate. */
function gather(parsed: Parsed[], per: Window, cfg: ForecastConfig): Inputs {
  const known = parsed.map((p) => knownAt(p, per.asOf)).filter((k): k is Known => k !== null);
  const w: Horizon = { asOf: per.asOf, lo: Math.max(0, per.fromMs - per.asOf), hi: per.toEnd - per.asOf };
  const impute = makeImputer(known, cfg.min_won_for_imputation);
  const stats: AmountStats = new Map();
  const price = (h: DealHistory) => priced(h, impute, stats);
  const learn = makeLearner(episodesByStage(known), w, cfg);
  const deals = scoreOpenDeals(
    known.filter((k) => isOpenAt(k, per.asOf)),
    per.asOf,
    learn,
    price,
    cfg,
  );
  const won = known
    .filter((k) => k.closed?.status === "won" && k.closed.at >= per.fromMs)
    .map((k) => ({ h: k.h, amount: price(k.h).amount ?? 0 }));
  // Past deals behind the run-rate are counted apart: imputed_amounts is about this period's deals.
  const historyStats: AmountStats = new Map();
  const fresh = newDealHistory(known, w, impute, historyStats, cfg.run_rate_lookback_days);
  const parked = known.filter((k) => !k.closed && parkedAt(k, per.asOf)).length;
  const historyImputed = [...historyStats.values()].reduce((s, x) => s + x.imputed, 0);
  return {
    w,
    deals,
    won,
    fresh,
    stats,
    reasons: dataReasons(deals, fresh, parked, w, historyImputed, cfg.min_history),
  };
}

/** The forecast over already parsed histories (the backtest reuses the parse at every period). */
function forecastParsed(
  parsed: Parsed[],
  per: Window,
  cfg: ForecastConfig,
  random: SeededRandom,
  reasons: string[],
): ForecastResult {
  const x = gather(parsed, per, cfg);
  const currencies = [
    ...new Set([...x.deals.map((d) => d.currency), ...x.won.map((v) => v.h.currency), ...x.fresh.values.keys()]),
  ].sort();
  const index = new Map(currencies.map((c, i) => [c, i]));
  const base = currencies.map((c) => x.won.filter((v) => v.h.currency === c).reduce((s, v) => s + v.amount, 0));
  const simDeals = x.deals.map((d) => ({ currency: index.get(d.currency)!, amount: d.amount ?? 0, p: d.value_share }));
  const sims = simulate(currencies, simDeals, x.fresh, base, cfg, random);
  const by_currency: Record<string, CurrencyForecast> = {};
  currencies.forEach((currency, i) => {
    by_currency[currency] = currencyForecast(
      {
        currency,
        deals: x.deals.filter((d) => d.currency === currency),
        won: x.won.filter((v) => v.h.currency === currency),
        fresh: x.fresh,
        sims: sims[i]!,
        horizonDays: x.w.hi / DAY,
        stats: x.stats.get(currency) ?? { imputed: 0, unpriced: 0 },
      },
      cfg,
    );
  });
  const main = mainCurrency(Object.values(by_currency));
  const allReasons = [...reasons, ...x.reasons];
  const gap = per.quota
    ? quotaGap(per.quota, main, by_currency, new Map(currencies.map((c, i) => [c, sims[i]!])), allReasons)
    : null;
  const levels = Object.fromEntries(LEVELS.map((l) => [l, x.deals.filter((d) => d.level === l).length])) as Record<
    Level,
    number
  >;
  const period = { from: per.from, to: per.to, as_of: iso(per.asOf) };
  return {
    period,
    main_currency: main,
    by_currency,
    gap_to_quota: gap,
    deals: x.deals,
    levels,
    notes: methodNotes(cfg, x.w, x.fresh),
    reasons: allReasons,
  };
}

/**
 * Forecast of won value and won deals for [from, to], per currency, learned only from what was
 * known at as_of. `random` is the seeded generator for the range (mulberry32).
 */
export function forecast(
  histories: DealHistory[],
  period: ForecastPeriod,
  cfg: ForecastConfig,
  random: SeededRandom,
): ForecastResult {
  validateConfig(cfg);
  const per = resolvePeriod(period);
  const { parsed, reasons } = parseAll(histories, cfg.stage_count);
  return forecastParsed(parsed, per, cfg, random, reasons);
}

// ------------------------------------------------------------------------------- backtest

/** Won value per currency of deals closed won in [from, to] (missing amounts imputed as of `to`). */
function wonIn(parsed: Parsed[], from: number, to: number, minSegmentWon: number): Map<string, number> {
  const impute = makeImputer(
    parsed.map((p) => knownAt(p, to)).filter((k): k is Known => k !== null),
    minSegmentWon,
  );
  const out = new Map<string, number>();
  for (const p of parsed) {
    if (p.closed?.status !== "won" || p.closed.at < from || p.closed.at > to) continue;
    out.set(p.h.currency, (out.get(p.h.currency) ?? 0) + (impute(p.h).amount ?? 0));
  }
  return out;
}

/** Why a period cannot be forecast fairly from what was known at its start, or null. */
function tooLittleHistory(parsed: Parsed[], asOf: number, periodMs: number, cfg: ForecastConfig): string | null {
  const known = parsed.map((p) => knownAt(p, asOf)).filter((k): k is Known => k !== null);
  const closed = known.filter((k) => k.closed).length;
  if (closed < cfg.min_history)
    return `only ${closed} deal(s) closed before the period (min_history ${cfg.min_history})`;
  const start = earliest(known);
  if (asOf - start < periodMs)
    return `less than one period of history before it (${round((asOf - start) / DAY, 1)} days), so no run-rate for new deals`;
  return null;
}

/** WAPE, coverage and the naive baseline's WAPE over the periods of one currency. */
export function scoreBacktest(currency: string, periods: BacktestPeriod[]): BacktestSeries {
  const sum = (f: (p: BacktestPeriod) => number) => periods.reduce((s, p) => s + f(p), 0);
  const actual = sum((p) => p.actual);
  const notes: string[] = [];
  const empty = periods.filter((p) => p.actual === 0).length;
  if (empty > 0 && actual > 0)
    notes.push(
      `${empty} period(s) had nothing won: their predicted value counts as error, and they add nothing to the won value WAPE divides by.`,
    );
  if (actual === 0 && periods.length > 0) {
    notes.push(
      `Nothing was won in ${currency} in any period, so WAPE (error over won value) is undefined; the mean absolute error is ${round(sum((p) => p.predicted) / periods.length)} (${round(sum((p) => p.naive) / periods.length)} for the naive baseline).`,
    );
  }
  return {
    currency,
    periods,
    wape: actual > 0 ? round(sum((p) => Math.abs(p.predicted - p.actual)) / actual, 4) : null,
    coverage: periods.length > 0 ? round(periods.filter((p) => p.inside_range).length / periods.length, 4) : null,
    naive_wape: actual > 0 ? round(sum((p) => Math.abs(p.naive - p.actual)) / actual, 4) : null,
    notes,
  };
}

interface Evaluated {
  from: string;
  to: string;
  forecast: ForecastResult;
  actual: Map<string, number>;
  naive: Map<string, number>;
}

/** Runs the forecast as of the start of each period that has enough history before it. */
function evaluatePeriods(parsed: Parsed[], opts: BacktestOptions, cfg: ForecastConfig, random: SeededRandom) {
  const len = opts.period_days * DAY;
  const lastEnd = dayEnd(opts.last_end, "last_end");
  const evaluated: Evaluated[] = [];
  const skipped: BacktestResult["skipped"] = [];
  for (let i = opts.periods - 1; i >= 0; i--) {
    const toEnd = lastEnd - i * len;
    const fromMs = toEnd + 1 - len;
    const from = isoDay(fromMs);
    const to = isoDay(toEnd);
    const why = tooLittleHistory(parsed, fromMs, len, cfg);
    if (why) {
      skipped.push({ from, to, reason: why });
      continue;
    }
    const f = forecastParsed(parsed, { from, to, fromMs, toEnd, asOf: fromMs }, cfg, random, []);
    evaluated.push({
      from,
      to,
      forecast: f,
      actual: wonIn(parsed, fromMs, toEnd, cfg.min_won_for_imputation),
      naive: wonIn(parsed, fromMs - len, fromMs - 1, cfg.min_won_for_imputation),
    });
  }
  return { evaluated, skipped };
}

/**
 * Replays the forecast as of the start of each of the last `periods` periods of `period_days`
 * ending at last_end, each learning only from what was known then, and compares it with the won
 * value that closed in the period. The naive baseline predicts the previous period's won value.
 */
export function backtest(
  histories: DealHistory[],
  opts: BacktestOptions,
  cfg: ForecastConfig,
  random: SeededRandom,
): BacktestResult {
  validateConfig(cfg);
  if (!Number.isInteger(opts.period_days) || opts.period_days < 1)
    throw new InputError("period_days must be a whole number of at least 1.", "period_days");
  if (!Number.isInteger(opts.periods) || opts.periods < 1)
    throw new InputError("periods must be a whole number of at least 1.", "periods");
  const { parsed, reasons } = parseAll(histories, cfg.stage_count);
  const { evaluated, skipped } = evaluatePeriods(parsed, opts, cfg, random);
  const currencies = [
    ...new Set(
      evaluated.flatMap((e) => [...Object.keys(e.forecast.by_currency), ...e.actual.keys(), ...e.naive.keys()]),
    ),
  ].sort();
  const by_currency: Record<string, BacktestSeries> = {};
  for (const c of currencies) {
    const periods = evaluated.map((e): BacktestPeriod => {
      const f = e.forecast.by_currency[c];
      const actual = round(e.actual.get(c) ?? 0);
      const low = f?.low ?? 0;
      const high = f?.high ?? 0;
      return {
        from: e.from,
        to: e.to,
        predicted: f?.expected_won_value ?? 0,
        low,
        high,
        actual,
        inside_range: actual >= low && actual <= high,
        naive: round(e.naive.get(c) ?? 0),
      };
    });
    by_currency[c] = scoreBacktest(c, periods);
  }
  const total = (s: BacktestSeries, k: "actual" | "predicted") => s.periods.reduce((a, p) => a + p[k], 0);
  const main = Object.values(by_currency).sort(
    (a, b) =>
      total(b, "actual") - total(a, "actual") ||
      total(b, "predicted") - total(a, "predicted") ||
      a.currency.localeCompare(b.currency),
  )[0];
  const notes = [...reasons];
  if (skipped.length)
    notes.push(
      `${skipped.length} of ${opts.periods} period(s) skipped for too little history before them (see skipped).`,
    );
  if (evaluated.length === 0) notes.push("No period could be evaluated.");
  const top = main ?? { periods: [], wape: null, coverage: null, naive_wape: null, notes: [] };
  return {
    currency: main?.currency ?? null,
    periods: top.periods,
    wape: top.wape,
    coverage: top.coverage,
    naive_wape: top.naive_wape,
    notes: [...notes, ...top.notes],
    by_currency,
    skipped,
  };
}
