// Aggregations for metrics, lead scoring and win-loss, in SQL over indexed columns: nothing
// here loads the pipeline into memory, and no methodology rule lives here (the rules that turn
// these counts into rates, targets and verdicts are in src/methodology/).
import type { Db } from "./db.js";
import { filterClause } from "./filters.js";
import { CLOSED_STATUSES } from "../../methodology/schema.js";
import type {
  BaselineRecord,
  DealFilters,
  Dist,
  MonthlyOutcomeRow,
  PipelineAnalytics,
  Period,
  RawMetrics,
  RawWinLoss,
  ScoringRow,
} from "../types.js";

/** Days from creation to close: the same expression as the deals_closed_cycle and deals_cycle indexes. */
const CYCLE = "(julianday(d.closed_at) - julianday(d.created_at))";

/**
 * The deal's own row settles the stages it had reached by a moment (one `?` each): closed by then,
 * or open in a stay begun by then. Every stage entry it has was then made by that moment, so the
 * furthest stage it ever reached is the one it had reached.
 */
const STAGES_SETTLED_BY = "(d.closed_at <= ? OR (d.status = 'open' AND d.stage_entered_at <= ?))";

/**
 * A deal is closed (CLOSED_STATUSES), as SQL on its status column: written as the partial indexes
 * of closed deals name it (`status IN ('won', 'lost', 'disqualified')`), which the planner matches
 * term by term.
 */
export const closedStatus = (column = "d.status") =>
  `${column} IN (${CLOSED_STATUSES.map((s) => `'${s}'`).join(", ")})`;
const IS_CLOSED = closedStatus();

/** Closed by a moment and closed still (one `?`): not open then, whatever its history (a later reopen would have cleared the close). */
export const CLOSED_BY = `${IS_CLOSED} AND d.closed_at <= ?`;

/**
 * Open at a moment (five `?`, each the moment): open today in a stay begun by then (a close or a
 * park after it would have ended that stay; a reopen would have begun a new one); closed by then
 * and still closed (a later reopen would have cleared the close); otherwise from the stage
 * history: a stage row current then, or none begun yet (an imported deal's history starts at its
 * current stage). Each history look-up is one step on the deal's index.
 */
const OPEN_AT = `(CASE WHEN d.status = 'open' AND d.stage_entered_at <= ? THEN 1
       WHEN ${CLOSED_BY} THEN 0
       ELSE EXISTS (SELECT 1 FROM stage_history h WHERE h.deal_id = d.id AND h.entered_at <= ? AND (h.exited_at IS NULL OR h.exited_at > ?))
            OR NOT EXISTS (SELECT 1 FROM stage_history h WHERE h.deal_id = d.id AND h.entered_at <= ?) END)`;

function scope(filters: DealFilters): { sql: string; params: unknown[] } {
  const { from: _f, to: _t, date_field: _d, ...rest } = filters;
  const c = filterClause(rest, "d");
  return { sql: c.sql ? c.sql.replace(/^WHERE /, "") : "1", params: c.params };
}

function within(column: string, p: Period): { sql: string; params: unknown[] } {
  return p.from
    ? { sql: `${column} BETWEEN ? AND ?`, params: [p.from, p.to] }
    : { sql: `${column} <= ?`, params: [p.to] };
}

export class SqliteAnalytics implements PipelineAnalytics {
  constructor(
    private readonly db: Db,
    /** How many transactions this connection has committed. */
    private readonly localWrites: () => number = () => 0,
  ) {}

  private all<T>(sql: string, params: unknown[]): T[] {
    return this.db.prepare(sql).all(...params) as T[];
  }

  /**
   * The median of an ordered column over the rows a WHERE selects: two index steps to the
   * middle (ORDER BY ... LIMIT/OFFSET on an index in that order), so nothing is sorted.
   */
  private median(expr: string, from: string, where: string, params: unknown[], n: number): number | null {
    if (n <= 0) return null;
    const rows = this.all<{ v: number }>(
      `SELECT ${expr} AS v FROM ${from} WHERE ${where} ORDER BY ${expr} LIMIT ? OFFSET ?`,
      [...params, n % 2 === 0 ? 2 : 1, Math.floor((n - 1) / 2)],
    );
    return rows.length ? rows.reduce((a, r) => a + r.v, 0) / rows.length : null;
  }

  metrics(filters: DealFilters, period: Period, currency: string, pointInTime = false): RawMetrics {
    const s = scope(filters);
    const closedIn = within("d.closed_at", period);
    const createdIn = within("d.created_at", period);
    const exitedIn = within("h.exited_at", period);
    const occurredIn = within("a.occurred_at", period);
    const unfiltered = s.sql === "1";
    const closedWhere = `${IS_CLOSED} AND ${closedIn.sql} AND ${s.sql}`;
    const closedParams = [...closedIn.params, ...s.params];

    // One ordered pass over the closed deals: counts, amounts and cycle-day sums per status and
    // segment. Unfiltered, read from the index that holds all of it in that order: the planner
    // otherwise picks the close-date index and reads every closed deal's row (~10x slower at
    // 100,000 deals).
    const groups = this.all<RawMetrics["closed"][number] & { cycle_sum: number }>(
      `SELECT d.status, d.segment, count(*) AS n,
              sum(d.amount IS NOT NULL AND d.currency = ?) AS amount_n,
              coalesce(sum(CASE WHEN d.currency = ? THEN d.amount END), 0) AS amount_sum,
              sum(${CYCLE}) AS cycle_sum
         FROM deals d${unfiltered ? " INDEXED BY deals_closed_cycle" : ""} WHERE ${closedWhere} GROUP BY d.status, d.segment`,
      [currency, currency, ...closedParams],
    );
    const closed = groups.map(({ cycle_sum: _c, ...g }) => g);

    const cycle: Dist[] = [];
    for (const status of ["won", "lost"] as const) {
      const mine = groups.filter((g) => g.status === status);
      const n = mine.reduce((a, g) => a + g.n, 0);
      const where = `d.status = ? AND ${closedIn.sql} AND ${s.sql}`;
      cycle.push({
        key: status,
        n,
        sum: mine.reduce((a, g) => a + (g.cycle_sum ?? 0), 0),
        median: this.median(CYCLE, "deals d", where, [status, ...closedParams], n),
      });
      for (const g of mine) {
        cycle.push({
          key: `${status}|${g.segment ?? ""}`,
          n: g.n,
          sum: g.cycle_sum ?? 0,
          median: this.median(
            CYCLE,
            "deals d",
            `d.status = ? AND d.segment IS ? AND ${closedIn.sql} AND ${s.sql}`,
            [status, g.segment, ...closedParams],
            g.n,
          ),
        });
      }
    }
    const wonAmountN = groups.filter((g) => g.status === "won").reduce((a, g) => a + g.amount_n, 0);
    const won_amount_median = this.median(
      "d.amount",
      "deals d",
      `d.status = 'won' AND d.currency = ? AND d.amount IS NOT NULL AND ${closedIn.sql} AND ${s.sql}`,
      [currency, ...closedParams],
      wonAmountN,
    );

    // In the past: the furthest stage entered by period.to. The deal's own row answers when its
    // last stage entry was by then (closed by then, or open in a stay begun by then: nothing it
    // reached came later); only the others are read from the stage history: the furthest row
    // entered by then, else the first row (an imported deal's history starts at its current stage).
    const reached = this.all<RawMetrics["reached"][number]>(
      pointInTime
        ? `SELECT CASE WHEN ${STAGES_SETTLED_BY} THEN d.furthest_stage_index
                       ELSE coalesce((SELECT max(h.stage_index) FROM stage_history h WHERE h.deal_id = d.id AND h.entered_at <= ?),
                                     (SELECT min(h.stage_index) FROM stage_history h WHERE h.deal_id = d.id)) END AS furthest,
                  count(*) AS n
             FROM deals d WHERE ${createdIn.sql} AND ${s.sql} GROUP BY 1`
        : `SELECT d.furthest_stage_index AS furthest, count(*) AS n FROM deals d WHERE ${createdIn.sql} AND ${s.sql} GROUP BY furthest`,
      [...(pointInTime ? [period.to, period.to, period.to] : []), ...createdIn.params, ...s.params],
    );

    const history = unfiltered ? "stage_history h" : "stage_history h JOIN deals d ON d.id = h.deal_id";
    const exitedWhere = `h.exit IS NOT NULL AND ${exitedIn.sql} AND ${s.sql}`;
    const exitedParams = [...exitedIn.params, ...s.params];
    const stage_time = this.all<{ key: string; n: number; sum: number }>(
      `SELECT h.stage AS key, count(*) AS n, sum(h.days) AS sum FROM ${history} WHERE ${exitedWhere} GROUP BY h.stage`,
      exitedParams,
    ).map((g) => ({
      ...g,
      median: this.median("h.days", history, `h.stage = ? AND ${exitedWhere}`, [g.key, ...exitedParams], g.n),
    }));

    // In the past: open then if a stage row was current at period.to (closed or parked later
    // counts), or if none had begun yet (an imported deal's history starts at its current stage).
    // The deal's own row answers for most deals (see OPEN_AT); the stage history is read only for
    // the others. One pass gives the open count and every currency's open value.
    const openThen = pointInTime ? OPEN_AT : "d.status = 'open'";
    const openRows = this.all<{ currency: string | null; n: number; with_amount: number; v: number }>(
      `SELECT d.currency, count(*) AS n, sum(d.amount IS NOT NULL) AS with_amount, coalesce(sum(d.amount), 0) AS v
         FROM deals d WHERE ${openThen} AND d.created_at <= ? AND ${s.sql} GROUP BY d.currency`,
      [...(pointInTime ? [period.to, period.to, period.to, period.to, period.to] : []), period.to, ...s.params],
    );
    const open = { n: 0, amount_n: 0, amount_sum: 0 };
    for (const r of openRows) {
      open.n += r.n;
      if (r.currency === currency) [open.amount_n, open.amount_sum] = [r.with_amount, r.v];
    }
    const activities = this.all<RawMetrics["activities"][number]>(
      unfiltered
        ? `SELECT a.type, count(*) AS n FROM activities a WHERE ${occurredIn.sql} GROUP BY a.type`
        : `SELECT a.type, count(*) AS n FROM activities a JOIN deals d ON d.id = a.deal_id WHERE ${occurredIn.sql} AND ${s.sql} GROUP BY a.type`,
      [...occurredIn.params, ...(unfiltered ? [] : s.params)],
    );
    const owners = this.all<RawMetrics["owners"][number]>(
      `SELECT d.owner, sum(d.status = 'won') AS won, sum(d.status = 'lost') AS lost,
              coalesce(sum(CASE WHEN d.status = 'won' AND d.currency = ? THEN d.amount END), 0) AS won_amount
         FROM deals d INDEXED BY deals_owner WHERE ${closedWhere} GROUP BY d.owner ORDER BY won_amount DESC`,
      [currency, ...closedParams],
    );
    // Every currency's amounts: the answer names what is not in `currency` instead of dropping it.
    const currencies = new Map<string, RawMetrics["currencies"][number]>();
    const entry = (c: string) => {
      let e = currencies.get(c);
      if (!e) currencies.set(c, (e = { currency: c, open_n: 0, open_value: 0, won_n: 0, won_value: 0 }));
      return e;
    };
    for (const r of openRows)
      if (r.with_amount > 0) Object.assign(entry(r.currency as string), { open_n: r.with_amount, open_value: r.v });
    for (const r of this.all<{ currency: string; n: number; v: number }>(
      `SELECT d.currency, count(*) AS n, coalesce(sum(d.amount), 0) AS v FROM deals d
        WHERE d.status = 'won' AND ${closedIn.sql} AND d.amount IS NOT NULL AND ${s.sql} GROUP BY d.currency`,
      closedParams,
    ))
      Object.assign(entry(r.currency), { won_n: r.n, won_value: r.v });
    return {
      closed,
      won_amount_median,
      currencies: [...currencies.values()].sort((a, b) => a.currency.localeCompare(b.currency)),
      cycle,
      reached,
      stage_time,
      open,
      activities,
      owners,
    };
  }

  /**
   * Won and lost deals closed in the period, by close month: counts and cycle-time histograms
   * (days from creation to close), the same measure as metrics().cycle.
   */
  monthlyOutcomes(filters: DealFilters, period: Period): MonthlyOutcomeRow[] {
    const s = scope(filters);
    const closedIn = within("d.closed_at", period);
    return this.all<MonthlyOutcomeRow>(
      `SELECT substr(d.closed_at, 1, 7) AS month, d.status, CAST(${CYCLE} AS INTEGER) AS day,
              count(*) AS n, sum(${CYCLE}) AS sum
         FROM deals d WHERE d.status IN ('won', 'lost') AND ${closedIn.sql} AND ${s.sql}
        GROUP BY month, d.status, day ORDER BY month`,
      [...closedIn.params, ...s.params],
    );
  }

  winLoss(filters: DealFilters, period: Period): RawWinLoss {
    const s = scope(filters);
    const closedIn = within("d.closed_at", period);
    // Unfiltered, the closed deals' narrow covering index (migration 5) holds every column read here.
    const deals = s.sql === "1" ? "deals d INDEXED BY deals_closed_facts" : "deals d";
    const where = `${IS_CLOSED} AND d.status IN ('won', 'lost') AND ${closedIn.sql} AND ${s.sql}`;
    const params = [...closedIn.params, ...s.params];
    const by_segment = this.all<RawWinLoss["by_segment"][number] & { cycle_sum: number }>(
      `SELECT d.status, d.segment, count(*) AS n, sum(${CYCLE}) AS cycle_sum FROM ${deals} WHERE ${where} GROUP BY d.status, d.segment`,
      params,
    );
    const cycle = (["won", "lost"] as const).map((status) => {
      const mine = by_segment.filter((g) => g.status === status);
      const n = mine.reduce((a, g) => a + g.n, 0);
      return {
        key: status,
        n,
        sum: mine.reduce((a, g) => a + (g.cycle_sum ?? 0), 0),
        median: this.median(CYCLE, "deals d", `d.status = ? AND ${closedIn.sql} AND ${s.sql}`, [status, ...params], n),
      };
    });
    return {
      reasons: this.all(
        `SELECT d.status, lower(trim(d.close_reason)) AS reason, count(*) AS n FROM ${deals} WHERE ${where}
          GROUP BY d.status, reason ORDER BY n DESC LIMIT 200`,
        params,
      ),
      lost_at_stage: this.all(
        `SELECT d.stage, count(*) AS n FROM ${deals} WHERE ${IS_CLOSED} AND d.status = 'lost' AND ${closedIn.sql} AND ${s.sql} GROUP BY d.stage`,
        params,
      ),
      cycle,
      by_segment: by_segment.map(({ cycle_sum: _c, ...g }) => g),
      by_source: this.all(
        `SELECT d.source, d.status, count(*) AS n FROM ${deals} WHERE ${where} GROUP BY d.source, d.status`,
        params,
      ),
      lost_reasons_sample: this.all<{ r: string }>(
        `SELECT DISTINCT lower(trim(d.close_reason)) AS r FROM ${deals} WHERE ${IS_CLOSED} AND d.status = 'lost' AND d.close_reason IS NOT NULL AND ${closedIn.sql} AND ${s.sql} LIMIT 2000`,
        params,
      ).map((x) => x.r),
    };
  }

  /** Closed won/lost deals with their scoring features, streamed (all, or only the held-out share). */
  scoringRows(amountBuckets: number[], holdoutEvery: number, which: "all" | "holdout"): IterableIterator<ScoringRow> {
    const bucket = `CASE WHEN d.amount IS NULL THEN NULL ${amountBuckets.map((_, i) => `WHEN d.amount < ? THEN ${i}`).join(" ")} ELSE ${amountBuckets.length} END`;
    return this.db
      .prepare(
        `SELECT d.status, (d.id % ?) = 0 AS holdout, d.segment, d.source, d.bant_budget, d.bant_authority, d.bant_need, d.bant_timeline, d.bant_score,
                ${bucket} AS amount_bucket, d.furthest_stage_index AS reached_stage
           FROM deals d INDEXED BY deals_scoring WHERE d.status IN ('won', 'lost')${which === "holdout" ? " AND (d.id % ?) = 0" : ""}`,
      )
      .iterate(
        ...[holdoutEvery, ...amountBuckets, ...(which === "holdout" ? [holdoutEvery] : [])],
      ) as IterableIterator<ScoringRow>;
  }

  /** Changes whenever any connection commits: a cache key for trained models. */
  version(): string {
    // data_version moves when another connection commits; total_changes() with every row this
    // connection writes, inside a transaction too (a cache read mid-transaction sees its writes).
    const changes = this.db.prepare("SELECT total_changes()").pluck().get() as number;
    return `${this.db.pragma("data_version", { simple: true })}:${this.localWrites()}:${changes}`;
  }

  saveBaseline(b: BaselineRecord): void {
    this.db
      .prepare(
        `INSERT INTO baselines (label, recorded_at, as_of, filters, metrics) VALUES (?, ?, ?, ?, ?)
         ON CONFLICT (label) DO UPDATE SET recorded_at = excluded.recorded_at, as_of = excluded.as_of, filters = excluded.filters, metrics = excluded.metrics`,
      )
      .run(b.label, b.recorded_at, b.as_of, JSON.stringify(b.filters), JSON.stringify(b.metrics));
  }

  baseline(label: string): BaselineRecord | undefined {
    const r = this.db
      .prepare("SELECT label, recorded_at, as_of, filters, metrics FROM baselines WHERE label = ?")
      .get(label) as Record<string, string> | undefined;
    return (
      r && {
        label: r.label!,
        recorded_at: r.recorded_at!,
        as_of: r.as_of!,
        filters: JSON.parse(r.filters!),
        metrics: JSON.parse(r.metrics!),
      }
    );
  }

  baselineLabels(prefix: string, limit: number): string[] {
    return (
      this.db
        .prepare("SELECT label FROM baselines WHERE label LIKE ? ESCAPE '\\' ORDER BY recorded_at DESC LIMIT ?")
        .all(`${prefix.replace(/[\\%_]/g, (c) => `\\${c}`)}%`, limit) as Array<{ label: string }>
    ).map((r) => r.label);
  }
}
