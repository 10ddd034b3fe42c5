// Aggregations for metrics, lead scoring and win-loss, in SQL over indexed columns: nothing
// here loads the pipeline into memory, and no methodology rule lives here (the rules that turn
// these counts into rates, targets and verdicts are in src/methodology/).
import type { Db } from "./db.js";
import { filterClause } from "./filters.js";
import type { DealFilters, DealStatus } from "./types.js";

export interface Period {
  /** Inclusive ISO timestamps; from null means no lower bound. */
  from: string | null;
  to: string;
}

export interface HistRow {
  key: string | null;
  day: number;
  n: number;
  sum: number;
}

export interface RawMetrics {
  closed: Array<{ segment: string | null; status: DealStatus; n: number; amount_n: number; amount_sum: number }>;
  won_amount_median: number | null;
  /** Days from creation to close of deals closed in the period, by `${status}|${segment}`. */
  cycle: HistRow[];
  /** Deals created in the period by the furthest stage index they reached. */
  reached: Array<{ furthest: number; n: number }>;
  /** Days spent in a stage by stage rows left in the period. */
  stage_time: HistRow[];
  open: { n: number; amount_n: number; amount_sum: number };
  activities: Array<{ type: string; n: number }>;
  owners: Array<{ owner: string; won: number; lost: number; won_amount: number }>;
}

/** Won or lost deals closed in one month (YYYY-MM, UTC) with their cycle days, one row per whole day. */
export interface MonthlyOutcomeRow {
  month: string;
  status: "won" | "lost";
  day: number;
  n: number;
  sum: number;
}

export interface RawWinLoss {
  reasons: Array<{ status: DealStatus; reason: string | null; n: number }>;
  lost_at_stage: Array<{ stage: string; n: number }>;
  cycle: HistRow[];
  by_segment: Array<{ segment: string | null; status: DealStatus; n: number }>;
  by_source: Array<{ source: string | null; status: DealStatus; n: number }>;
  /** Close reasons of lost deals for keyword mapping, bounded. */
  lost_reasons_sample: string[];
}

export interface ScoringRow {
  status: "won" | "lost";
  holdout: number;
  segment: string | null;
  tier: string | null;
  readiness: string | null;
  source: string | null;
  bant_budget: string | null;
  bant_authority: string | null;
  bant_need: string | null;
  bant_timeline: string | null;
  amount_bucket: number | null;
  reached_stage: number;
}

function scope(filters: DealFilters): { sql: string; params: unknown[] } {
  const { from: _f, to: _t, date_field: _d, ...rest } = filters;
  const c = filterClause(rest, "d");
  return { sql: c.sql ? c.sql.replace(/^WHERE /, "") : "1", params: c.params };
}

function within(column: string, p: Period): { sql: string; params: unknown[] } {
  return p.from ? { sql: `${column} BETWEEN ? AND ?`, params: [p.from, p.to] } : { sql: `${column} <= ?`, params: [p.to] };
}

export class PipelineAnalytics {
  constructor(private readonly db: Db) {}

  private all<T>(sql: string, params: unknown[]): T[] {
    return this.db.prepare(sql).all(...params) as T[];
  }

  metrics(filters: DealFilters, period: Period, currency: string): RawMetrics {
    const s = scope(filters);
    const closedIn = within("d.closed_at", period);
    const createdIn = within("d.created_at", period);
    const exitedIn = within("h.exited_at", period);
    const occurredIn = within("a.occurred_at", period);
    const closedWhere = `${s.sql} AND d.status <> 'open' AND ${closedIn.sql}`;
    const closedParams = [...s.params, ...closedIn.params];

    const closed = this.all<RawMetrics["closed"][number]>(
      `SELECT d.segment, d.status, count(*) AS n,
              sum(d.amount IS NOT NULL AND d.currency = ?) AS amount_n,
              coalesce(sum(CASE WHEN d.currency = ? THEN d.amount END), 0) AS amount_sum
         FROM deals d WHERE ${closedWhere} GROUP BY d.segment, d.status`,
      [currency, currency, ...closedParams],
    );
    const wonN = closed.filter((r) => r.status === "won").reduce((a, r) => a + r.amount_n, 0);
    let won_amount_median: number | null = null;
    if (wonN > 0) {
      const mid = this.all<{ amount: number }>(
        `SELECT d.amount FROM deals d WHERE ${closedWhere} AND d.status = 'won' AND d.currency = ? AND d.amount IS NOT NULL
          ORDER BY d.amount LIMIT ? OFFSET ?`,
        [...closedParams, currency, wonN % 2 === 0 ? 2 : 1, Math.floor((wonN - 1) / 2)],
      );
      won_amount_median = mid.reduce((a, r) => a + r.amount, 0) / mid.length;
    }
    const cycle = this.all<HistRow>(
      `SELECT d.status || '|' || coalesce(d.segment, '') AS key, CAST(julianday(d.closed_at) - julianday(d.created_at) AS INTEGER) AS day,
              count(*) AS n, sum(julianday(d.closed_at) - julianday(d.created_at)) AS sum
         FROM deals d WHERE ${closedWhere} AND d.status IN ('won', 'lost') GROUP BY key, day`,
      closedParams,
    );
    const reached = this.all<RawMetrics["reached"][number]>(
      `SELECT d.furthest_stage_index AS furthest, count(*) AS n FROM deals d WHERE ${s.sql} AND ${createdIn.sql} GROUP BY furthest`,
      [...s.params, ...createdIn.params],
    );
    const unfiltered = s.sql === "1";
    const stage_time = this.all<HistRow>(
      unfiltered
        ? `SELECT h.stage AS key, CAST(h.days AS INTEGER) AS day, count(*) AS n, sum(h.days) AS sum
             FROM stage_history h WHERE h.exit IS NOT NULL AND ${exitedIn.sql} GROUP BY key, day`
        : `SELECT h.stage AS key, CAST(h.days AS INTEGER) AS day, count(*) AS n, sum(h.days) AS sum
             FROM stage_history h JOIN deals d ON d.id = h.deal_id WHERE ${s.sql} AND h.exit IS NOT NULL AND ${exitedIn.sql} GROUP BY key, day`,
      unfiltered ? exitedIn.params : [...s.params, ...exitedIn.params],
    );
    const open = this.all<RawMetrics["open"]>(
      `SELECT count(*) AS n, sum(d.amount IS NOT NULL AND d.currency = ?) AS amount_n, coalesce(sum(CASE WHEN d.currency = ? THEN d.amount END), 0) AS amount_sum
         FROM deals d WHERE ${s.sql} AND d.status = 'open' AND d.created_at <= ?`,
      [currency, currency, ...s.params, period.to],
    )[0]!;
    const activities = this.all<RawMetrics["activities"][number]>(
      unfiltered
        ? `SELECT a.type, count(*) AS n FROM activities a WHERE ${occurredIn.sql} GROUP BY a.type`
        : `SELECT a.type, count(*) AS n FROM activities a JOIN deals d ON d.id = a.deal_id WHERE ${s.sql} AND ${occurredIn.sql} GROUP BY a.type`,
      unfiltered ? occurredIn.params : [...s.params, ...occurredIn.params],
    );
    const owners = this.all<RawMetrics["owners"][number]>(
      `SELECT d.owner, sum(d.status = 'won') AS won, sum(d.status = 'lost') AS lost,
              coalesce(sum(CASE WHEN d.status = 'won' AND d.currency = ? THEN d.amount END), 0) AS won_amount
         FROM deals d WHERE ${closedWhere} GROUP BY d.owner ORDER BY won_amount DESC`,
      [currency, ...closedParams],
    );
    return { closed, won_amount_median, cycle, reached, stage_time, open: { n: open.n, amount_n: open.amount_n ?? 0, amount_sum: open.amount_sum ?? 0 }, activities, owners };
  }

  /**
   * Won and lost deals closed in the period, by close month: counts and cycle-time histograms
   * (days from creation to close), the same measure as metrics().cycle.
   */
  monthlyOutcomes(filters: DealFilters, period: Period): MonthlyOutcomeRow[] {
    const s = scope(filters);
    const closedIn = within("d.closed_at", period);
    return this.all<MonthlyOutcomeRow>(
      `SELECT substr(d.closed_at, 1, 7) AS month, d.status, CAST(julianday(d.closed_at) - julianday(d.created_at) AS INTEGER) AS day,
              count(*) AS n, sum(julianday(d.closed_at) - julianday(d.created_at)) AS sum
         FROM deals d WHERE ${s.sql} AND d.status IN ('won', 'lost') AND ${closedIn.sql}
        GROUP BY month, d.status, day ORDER BY month`,
      [...s.params, ...closedIn.params],
    );
  }

  winLoss(filters: DealFilters, period: Period): RawWinLoss {
    const s = scope(filters);
    const closedIn = within("d.closed_at", period);
    const where = `${s.sql} AND d.status IN ('won', 'lost') AND ${closedIn.sql}`;
    const params = [...s.params, ...closedIn.params];
    return {
      reasons: this.all(
        `SELECT d.status, lower(trim(d.close_reason)) AS reason, count(*) AS n FROM deals d WHERE ${where}
          GROUP BY d.status, reason ORDER BY n DESC LIMIT 200`,
        params,
      ),
      lost_at_stage: this.all(`SELECT d.stage, count(*) AS n FROM deals d WHERE ${where} AND d.status = 'lost' GROUP BY d.stage`, params),
      cycle: this.all(
        `SELECT d.status AS key, CAST(julianday(d.closed_at) - julianday(d.created_at) AS INTEGER) AS day, count(*) AS n,
                sum(julianday(d.closed_at) - julianday(d.created_at)) AS sum FROM deals d WHERE ${where} GROUP BY key, day`,
        params,
      ),
      by_segment: this.all(`SELECT d.segment, d.status, count(*) AS n FROM deals d WHERE ${where} GROUP BY d.segment, d.status`, params),
      by_source: this.all(`SELECT d.source, d.status, count(*) AS n FROM deals d WHERE ${where} GROUP BY d.source, d.status`, params),
      lost_reasons_sample: this.all<{ r: string }>(
        `SELECT DISTINCT lower(trim(d.close_reason)) AS r FROM deals d WHERE ${where} AND d.status = 'lost' AND d.close_reason IS NOT NULL LIMIT 2000`,
        params,
      ).map((x) => x.r),
    };
  }

  /** Closed won/lost deals with their scoring features, streamed (all, or only the held-out share). */
  scoringRows(amountBuckets: number[], holdoutEvery: number, which: "all" | "holdout"): IterableIterator<ScoringRow> {
    const bucket = `CASE WHEN d.amount IS NULL THEN NULL ${amountBuckets.map((_, i) => `WHEN d.amount < ? THEN ${i}`).join(" ")} ELSE ${amountBuckets.length} END`;
    return this.db
      .prepare(
        `SELECT d.status, (d.id % ?) = 0 AS holdout, d.segment, d.tier, d.readiness, d.source, d.bant_budget, d.bant_authority, d.bant_need, d.bant_timeline,
                ${bucket} AS amount_bucket, d.furthest_stage_index AS reached_stage
           FROM deals d WHERE d.status IN ('won', 'lost')${which === "holdout" ? " AND (d.id % ?) = 0" : ""}`,
      )
      .iterate(...[holdoutEvery, ...amountBuckets, ...(which === "holdout" ? [holdoutEvery] : [])]) as IterableIterator<ScoringRow>;
  }

  /** Changes whenever any connection commits: a cache key for trained models. */
  version(): string {
    const dv = this.db.pragma("data_version", { simple: true });
    const n = this.db.prepare("SELECT coalesce(max(id), 0) AS id, count(*) AS n, coalesce(max(updated_at), '') AS u FROM deals WHERE status <> 'open'").get() as {
      id: number;
      n: number;
      u: string;
    };
    return `${dv}:${n.id}:${n.n}:${n.u}`;
  }

  saveBaseline(b: { label: string; recorded_at: string; as_of: string; filters: unknown; metrics: unknown }): void {
    this.db
      .prepare(
        `INSERT INTO baselines (label, recorded_at, as_of, filters, metrics) VALUES (?, ?, ?, ?, ?)
         ON CONFLICT (label) DO UPDATE SET recorded_at = excluded.recorded_at, as_of = excluded.as_of, filters = excluded.filters, metrics = excluded.metrics`,
      )
      .run(b.label, b.recorded_at, b.as_of, JSON.stringify(b.filters), JSON.stringify(b.metrics));
  }

  baseline(label: string): { label: string; recorded_at: string; as_of: string; filters: unknown; metrics: unknown } | undefined {
    const r = this.db.prepare("SELECT label, recorded_at, as_of, filters, metrics FROM baselines WHERE label = ?").get(label) as Record<string, string> | undefined;
    return r && { label: r.label!, recorded_at: r.recorded_at!, as_of: r.as_of!, filters: JSON.parse(r.filters!), metrics: JSON.parse(r.metrics!) };
  }

  baselineLabels(prefix: string, limit: number): string[] {
    return (this.db.prepare("SELECT label FROM baselines WHERE label LIKE ? ESCAPE '\\' ORDER BY recorded_at DESC LIMIT ?").all(`${prefix.replace(/[\\%_]/g, (c) => `\\${c}`)}%`, limit) as Array<{ label: string }>).map((r) => r.label);
  }
}
