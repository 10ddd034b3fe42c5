// The SQLite deal store: typed functions over prepared statements with bound parameters.
// Column names equal the public field names; the only conversions are D-0042 <-> 42,
// 0/1 <-> boolean and JSON text <-> objects, all in this file.
import type { Statement } from "better-sqlite3";
import { CLOSED_BY, closedStatus, SqliteAnalytics } from "./analytics.js";
import { existsSync, renameSync, rmSync } from "node:fs";
import {
  APPLICATION_ID,
  assertCompatible,
  closeDatabase,
  inspectFile,
  migrate,
  nextDealId,
  integrityOf,
  openDatabase,
  SCHEMA_VERSION,
  type Db,
} from "./db.js";
import { BulkWriter } from "./bulk.js";
import { countColumn, INSERT_QUALIFICATION, qualificationValues, UNNAMED_FRAMEWORK } from "./columns.js";
import { filterClause } from "./filters.js";
import type { DealHistory } from "../../methodology/forecast.js";
import type { DealEvidence } from "../../methodology/assessment.js";
import { isClosedStatus } from "../../methodology/schema.js";
import {
  formatDealId,
  parseDealId,
  StoreError,
  type Activity,
  type StageRemap,
  type StageLayoutMove,
  type BulkDeal,
  type ImportAction,
  type ImportDealRow,
  type BantSnapshot,
  type QualificationSnapshot,
  type Deal,
  type DealEvent,
  type DealFilters,
  type DealPatch,
  type ClosedStatus,
  type DealStatus,
  type DealStore,
  type PipelineAnalytics,
  type MaturityFacts,
  type SellingReading,
  type StoreStatus,
  type NewDeal,
  type ClosedFactsRow,
  type NurtureDue,
  type OpenDealFactsRow,
  type QualificationRecord,
  type Stakeholder,
  type StageCheckRecord,
  type StageHistoryRow,
  type StoredRequest,
} from "../types.js";
import { localDay } from "../../zone.js";

type Row = Record<string, unknown>;

const DEAL_COLUMNS = [
  "name",
  "account",
  "owner",
  "amount",
  "currency",
  "stage",
  "stage_index",
  "furthest_stage_index",
  "status",
  "tier",
  "readiness",
  "segment",
  "source",
  "industry",
  "employees",
  "annual_revenue",
  "need_awareness",
  "actively_evaluating",
  "timeline_months",
  "external_source",
  "external_id",
  "created_at",
  "stage_entered_at",
  "expected_close_date",
  "closed_at",
  "close_reason",
  "last_activity_at",
  "updated_at",
  "revisit_on",
] as const;

const PATCHABLE: ReadonlyArray<keyof DealPatch> = [
  "name",
  "account",
  "owner",
  "amount",
  "currency",
  "tier",
  "readiness",
  "segment",
  "source",
  "industry",
  "employees",
  "annual_revenue",
  "need_awareness",
  "actively_evaluating",
  "timeline_months",
  "expected_close_date",
  "close_reason",
];

function toDeal(r: Row): Deal {
  return {
    id: formatDealId(r.id as number),
    name: r.name as string,
    account: r.account as string,
    owner: r.owner as string,
    amount: r.amount as number | null,
    currency: r.currency as string,
    stage: r.stage as string,
    stage_index: r.stage_index as number,
    status: r.status as DealStatus,
    tier: r.tier as string | null,
    readiness: r.readiness as string | null,
    segment: r.segment as string | null,
    source: r.source as string | null,
    industry: r.industry as string | null,
    employees: r.employees as number | null,
    annual_revenue: r.annual_revenue as number | null,
    need_awareness: r.need_awareness as string | null,
    actively_evaluating: r.actively_evaluating === null ? null : r.actively_evaluating === 1,
    timeline_months: r.timeline_months as number | null,
    external_source: r.external_source as string | null,
    external_id: r.external_id as string | null,
    created_at: r.created_at as string,
    stage_entered_at: r.stage_entered_at as string,
    expected_close_date: r.expected_close_date as string | null,
    closed_at: r.closed_at as string | null,
    close_reason: r.close_reason as string | null,
    last_activity_at: r.last_activity_at as string | null,
    revisit_on: (r.revisit_on as string | null) ?? null,
    updated_at: r.updated_at as string,
    owner_changes: r.owner_changes as number,
    bant:
      r.bant_verdict === null
        ? null
        : {
            budget: r.bant_budget as string,
            authority: r.bant_authority as string,
            need: r.bant_need as string,
            timeline: r.bant_timeline as string,
            score: r.bant_score as number,
            verdict: r.bant_verdict as string,
            framework: (r.qualification_framework as string | null) ?? UNNAMED_FRAMEWORK,
          },
  };
}

/** A stored qualification's statuses; a BANT row loaded without them (bulk, demo) has them in its columns. */
function qualificationStatuses(r: Row): Record<string, string> {
  const s = JSON.parse((r.statuses as string | null) ?? "{}") as Record<string, string>;
  if (Object.keys(s).length || r.framework !== UNNAMED_FRAMEWORK) return s;
  return {
    budget: r.budget as string,
    authority: r.authority as string,
    need: r.need as string,
    timeline: r.timeline as string,
  };
}

const toDb = (v: unknown) => (typeof v === "boolean" ? (v ? 1 : 0) : v === undefined ? null : v);

/**
 * Nothing written to the deal after a moment (each `?` the moment): every write bumps updated_at,
 * its current stay began by then and no activity of it is dated later. Its stored row and counters
 * are then its state at that moment too.
 */
const IS_CLOSED = closedStatus();

const UNCHANGED_SINCE = "d.updated_at <= ? AND d.stage_entered_at <= ? AND coalesce(d.last_activity_at, '') <= ?";
const UNCHANGED_SINCE_PARAMS = UNCHANGED_SINCE.split("?").length - 1;

export class SqliteDealStore implements DealStore {
  private readonly cache = new Map<string, Statement>();

  constructor(readonly db: Db) {}

  /**
   * Opens (creating and migrating) the store at `path`. A read-only server never upgrades one:
   * a store below this version's schema is refused, changing nothing.
   */
  static open(path: string, opts: { readOnly?: boolean } = {}): SqliteDealStore {
    const db = openDatabase(path, { migrate: !opts.readOnly });
    if (opts.readOnly) {
      const version = db.pragma("user_version", { simple: true }) as number;
      if (version > 0 && version < SCHEMA_VERSION) {
        db.close();
        throw new StoreError(
          `${path} is at schema version ${version}; this lean-sales-mcp reads version ${SCHEMA_VERSION}. A read-only server does not upgrade a store: start it once without --read-only to upgrade it. Nothing was changed.`,
        );
      }
      // A new, empty store is created as any server would (there is nothing in it to change).
      if (version === 0) migrate(db);
    }
    return new SqliteDealStore(db);
  }

  /** Prepared once per SQL text, with bound parameters only. */
  protected stmt(sql: string): Statement {
    let s = this.cache.get(sql);
    if (!s) {
      s = this.db.prepare(sql);
      this.cache.set(sql, s);
    }
    return s;
  }

  private commits = 0;
  transaction<T>(fn: () => T): T {
    // Nested calls run inside the outer transaction (better-sqlite3 uses a savepoint).
    if (this.db.inTransaction) return this.db.transaction(fn)();
    const result = this.db
      .transaction(() => {
        this.assertStages();
        return fn();
      })
      .immediate();
    this.commits++;
    return result;
  }

  findRequest(requestId: string): StoredRequest | undefined {
    const r = this.stmt("SELECT request_id, tool, args_hash, reply FROM requests WHERE request_id = ?").get(
      requestId,
    ) as Row | undefined;
    return (
      r && {
        request_id: r.request_id as string,
        tool: r.tool as string,
        args_hash: r.args_hash as string,
        reply: JSON.parse(r.reply as string),
      }
    );
  }

  saveRequest(r: StoredRequest): void {
    this.stmt("INSERT INTO requests (request_id, tool, args_hash, reply, created_at) VALUES (?, ?, ?, ?, ?)").run(
      r.request_id,
      r.tool,
      r.args_hash,
      JSON.stringify(r.reply),
      new Date().toISOString(),
    );
  }

  private num(id: string): number {
    const n = parseDealId(id);
    if (n === undefined) throw new StoreError(`deal_id must look like D-0042, got "${id}".`, "deal_id");
    return n;
  }

  createDeal(d: NewDeal, now: string): Deal {
    return this.transaction(() => {
      const values: Record<string, unknown> = {
        ...d,
        status: d.status ?? "open",
        furthest_stage_index: Math.max(d.stage_index, d.reached_stage_index ?? 0),
        updated_at: now,
      };
      const cols = DEAL_COLUMNS.filter((c) => values[c] !== undefined);
      const id = nextDealId(this.db);
      this.stmt(`INSERT INTO deals (id, ${cols.join(", ")}) VALUES (?, ${cols.map(() => "?").join(", ")})`).run(
        id,
        ...cols.map((c) => toDb(values[c])),
      );
      const dealId = formatDealId(id);
      const closed = d.status && d.status !== "open" ? (d.closed_at ?? null) : null;
      this.stmt(
        "INSERT INTO stage_history (deal_id, stage, stage_index, tier, from_stage, entered_at, exited_at, days, exit, gate) VALUES (?, ?, ?, ?, NULL, ?, ?, ?, ?, ?)",
      ).run(
        id,
        d.stage,
        d.stage_index,
        d.tier ?? null,
        d.stage_entered_at,
        closed,
        closed ? daysBetween(d.stage_entered_at, closed) : null,
        closed ? "closed" : null,
        d.external_id ? "imported" : "created",
      );
      if (d.stakeholders?.length) this.upsertStakeholders(dealId, d.stakeholders);
      this.recordEvent(dealId, "created", { stage: d.stage, owner: d.owner }, now);
      return this.requireDeal(dealId);
    });
  }

  updateDeal(id: string, patch: DealPatch, now: string): Deal {
    return this.transaction(() => {
      const before = this.requireDeal(id);
      const changed = PATCHABLE.filter(
        (k) => patch[k] !== undefined && toDb(patch[k]) !== toDb((before as unknown as Row)[k]),
      );
      if (changed.length === 0) return before;
      const ownerChanged = changed.includes("owner");
      this.stmt(
        `UPDATE deals SET ${changed.map((c) => `${c} = ?`).join(", ")}, updated_at = ?${ownerChanged ? ", owner_changes = owner_changes + 1" : ""} WHERE id = ?`,
      ).run(...changed.map((c) => toDb(patch[c])), now, this.num(id));
      // Stage-time norms are kept per tier: the deal's history follows its tier.
      if (changed.includes("tier"))
        this.stmt("UPDATE stage_history SET tier = ? WHERE deal_id = ?").run(toDb(patch.tier), this.num(id));
      const detail = Object.fromEntries(changed.map((c) => [c, { from: (before as unknown as Row)[c], to: patch[c] }]));
      this.recordEvent(id, ownerChanged ? "owner_changed" : "updated", detail, now);
      return this.requireDeal(id);
    });
  }

  getDeal(id: string): Deal | undefined {
    const n = parseDealId(id);
    if (n === undefined) return undefined;
    const r = this.stmt("SELECT * FROM deals WHERE id = ?").get(n) as Row | undefined;
    return r && toDeal(r);
  }

  requireDeal(id: string): Deal {
    const d = this.getDeal(id);
    if (!d)
      throw new StoreError(
        `No deal ${id}. Call list_deals (filters.q searches names and accounts) to find deal ids.`,
        "deal_id",
      );
    return d;
  }

  private totals = new Map<string, { version: string; n: number }>();
  listDeals(filters: DealFilters, limit: number, afterId = 0): { deals: Deal[]; total: number } {
    const { sql, params } = filterClause(filters);
    // Paging through one list asks for the same total again: counted once per store version.
    const key = JSON.stringify([sql, params]);
    const version = this.analytics().version();
    let cached = this.totals.get(key);
    if (cached?.version !== version) {
      cached = { version, n: (this.stmt(`SELECT count(*) AS n FROM deals ${sql}`).get(...params) as { n: number }).n };
      if (this.totals.size > 100) this.totals.clear();
      this.totals.set(key, cached);
    }
    const total = cached.n;
    const page = this.stmt(`SELECT * FROM deals ${sql ? `${sql} AND` : "WHERE"} id > ? ORDER BY id LIMIT ?`).all(
      ...params,
      afterId,
      limit,
    ) as Row[];
    return { deals: page.map(toDeal), total };
  }

  dealsLike(text: string, limit: number): Array<{ id: string; name: string; account: string }> {
    const t = text.trim();
    const digits = t.replace(/^D-?/i, "").replace(/^0+/, "");
    // An id prefix ("D-004", "42") or words of the name or account, in any case, newest first.
    const like = `%${t.toLowerCase().replace(/[\\%_]/g, (c) => `\\${c}`)}%`;
    const rows = (
      t === "" || /^d-?0*$/i.test(t)
        ? this.stmt("SELECT id, name, account FROM deals ORDER BY id DESC LIMIT ?").all(limit)
        : this.stmt(
            `SELECT id, name, account FROM deals
              WHERE (? <> '' AND CAST(id AS TEXT) LIKE ?) OR fold(name) LIKE ? ESCAPE '\\' OR fold(account) LIKE ? ESCAPE '\\'
              ORDER BY id DESC LIMIT ?`,
          ).all(/^\d+$/.test(digits) ? digits : "", `${digits}%`, like, like, limit)
    ) as Row[];
    return rows.map((r) => ({
      id: formatDealId(r.id as number),
      name: r.name as string,
      account: r.account as string,
    }));
  }

  ownersLike(prefix: string, limit: number): string[] {
    const like = `${prefix.replace(/[\\%_]/g, (c) => `\\${c}`)}%`;
    return (
      this.stmt("SELECT DISTINCT owner FROM deals WHERE owner LIKE ? ESCAPE '\\' ORDER BY owner LIMIT ?").all(
        like,
        limit,
      ) as Row[]
    ).map((r) => r.owner as string);
  }

  findByExternalId(source: string, externalId: string): Deal | undefined {
    const r = this.stmt("SELECT * FROM deals WHERE external_source = ? AND external_id = ?").get(source, externalId) as
      Row | undefined;
    return r && toDeal(r);
  }

  findByExternalIds(source: string, externalIds: readonly string[]): Map<string, Deal> {
    return (this.bulkWriter ??= new BulkWriter(this.db, () => this.assertStages())).findByExternalIds(
      source,
      externalIds,
    );
  }

  private bulkWriter?: BulkWriter;
  importDeals(
    rows: readonly ImportDealRow[],
    now: string,
    opts?: { dryRun?: boolean },
  ): Array<{ id: string | null; action: ImportAction }> {
    return (this.bulkWriter ??= new BulkWriter(this.db, () => this.assertStages())).importDeals(rows, now, opts);
  }

  insertDeals(deals: Iterable<BulkDeal>, now: string): { first: string | null; last: string | null; count: number } {
    const r = (this.bulkWriter ??= new BulkWriter(this.db, () => this.assertStages())).insertDeals(deals, now);
    this.commits++;
    return r;
  }

  stakeholders(id: string): Stakeholder[] {
    return (
      this.stmt("SELECT name, role, decision_maker FROM stakeholders WHERE deal_id = ? ORDER BY id").all(
        this.num(id),
      ) as Row[]
    ).map((r) => ({
      name: r.name as string,
      role: r.role as string | null,
      decision_maker: r.decision_maker === 1,
    }));
  }

  upsertStakeholders(id: string, list: Stakeholder[]): void {
    const n = parseDealId(this.requireDeal(id).id)!;
    const upsert = this.stmt(
      "INSERT INTO stakeholders (deal_id, name, role, decision_maker) VALUES (?, ?, ?, ?) ON CONFLICT (deal_id, name) DO UPDATE SET role = excluded.role, decision_maker = excluded.decision_maker",
    );
    this.transaction(() => {
      for (const s of list) upsert.run(n, s.name, s.role, s.decision_maker ? 1 : 0);
      this.stmt(
        `UPDATE deals SET stakeholder_count = (SELECT count(*) FROM stakeholders WHERE deal_id = ?),
                decision_makers = (SELECT count(*) FROM stakeholders WHERE deal_id = ? AND decision_maker = 1) WHERE id = ?`,
      ).run(n, n, n);
    });
  }

  stageHistory(id: string): StageHistoryRow[] {
    return (
      this.stmt(
        "SELECT stage, from_stage, entered_at, exited_at, days, gate, override_reason FROM stage_history WHERE deal_id = ? ORDER BY entered_at, id",
      ).all(this.num(id)) as Row[]
    ).map((r) => r as unknown as StageHistoryRow);
  }

  stageRemaps(id: string): StageRemap[] {
    return this.stmt("SELECT at, from_stage, to_stage FROM stage_remaps WHERE deal_id = ? ORDER BY id").all(
      this.num(id),
    ) as StageRemap[];
  }

  private served?: { stages: readonly string[]; version: number };
  followStages(stages: readonly string[]): void {
    // The version first, then the layout: a move committed in between is seen now, and one
    // committed after changes the version, so the next check reads the layout again.
    const version = this.dataVersion();
    this.checkLayout(stages);
    this.served = { stages: [...stages], version };
  }

  assertStages(): void {
    const served = this.served;
    if (!served) return;
    // data_version moves only when another connection commits: the layout is read again then.
    const version = this.dataVersion();
    if (version === served.version) return;
    this.checkLayout(served.stages);
    served.version = version;
  }

  private checkLayout(stages: readonly string[]): void {
    const layout = this.stageLayout();
    if (layout.length !== stages.length || layout.some((id, i) => id !== stages[i]))
      throw new StoreError(
        `Another lean-sales-mcp process moved this store onto the stages ${layout.join(", ")}; this server was started with ${stages.join(", ")}. Restart it with the same methodology as the other process. Nothing was changed.`,
      );
  }

  private dataVersion(): number {
    return this.stmt("PRAGMA data_version").pluck().get() as number;
  }

  stageLayout(): string[] {
    return (this.stmt("SELECT stage FROM stage_layout ORDER BY position").all() as Array<{ stage: string }>).map(
      (r) => r.stage,
    );
  }

  stageUsage(): Array<{ stage: string; deals: number }> {
    return this.stmt(
      `WITH used (stage, deal_id) AS (
         SELECT stage, id FROM deals
         UNION SELECT l.stage, d.id FROM deals d JOIN stage_layout l ON l.position = d.furthest_stage_index
         UNION SELECT stage, deal_id FROM stage_history
         UNION SELECT from_stage, deal_id FROM stage_history WHERE from_stage IS NOT NULL
         UNION SELECT stage, deal_id FROM activities
         UNION SELECT stage, deal_id FROM stage_checks)
       SELECT stage, count(DISTINCT deal_id) AS deals FROM used GROUP BY stage ORDER BY stage`,
    ).all() as Array<{ stage: string; deals: number }>;
  }

  applyStageLayout(stages: readonly string[], map: Readonly<Record<string, string>>, at: string): StageLayoutMove {
    const db = this.db;
    db.exec(`CREATE TEMP TABLE stage_map_new (old TEXT PRIMARY KEY, new TEXT NOT NULL) STRICT;
             CREATE TEMP TABLE stage_pos_new (stage TEXT PRIMARY KEY, idx INTEGER NOT NULL) STRICT;
             CREATE TEMP TABLE stage_idx_new (old INTEGER PRIMARY KEY, new INTEGER NOT NULL) STRICT;
             CREATE TEMP TABLE stage_moved_deals (deal_id INTEGER PRIMARY KEY) STRICT;`);
    try {
      // Only the stages whose id changes: every statement below touches the rows they name and
      // the rows whose position changes, never the whole store.
      const put = db.prepare("INSERT INTO stage_map_new (old, new) VALUES (?, ?)");
      for (const [from, to] of Object.entries(map)) if (from !== to) put.run(from, to);
      const pos = db.prepare("INSERT INTO stage_pos_new (stage, idx) VALUES (?, ?)");
      stages.forEach((id, i) => pos.run(id, i));
      db.exec(`INSERT INTO stage_idx_new (old, new)
                 SELECT l.position, p.idx FROM stage_layout l
                   JOIN temp.stage_pos_new p ON p.stage = coalesce((SELECT new FROM temp.stage_map_new WHERE old = l.stage), l.stage)
                  WHERE p.idx <> l.position;`);
      const renamed = "(SELECT old FROM temp.stage_map_new)";
      db.exec(`
        INSERT INTO stage_moved_deals (deal_id)
          SELECT id FROM deals WHERE stage IN ${renamed}
          UNION SELECT deal_id FROM stage_history WHERE stage IN ${renamed};`);
      db.prepare(
        `INSERT INTO stage_remaps (deal_id, at, from_stage, to_stage)
           SELECT DISTINCT u.deal_id, ?, u.stage, m.new
           FROM (SELECT id AS deal_id, stage FROM deals WHERE stage IN ${renamed}
                 UNION SELECT deal_id, stage FROM stage_history WHERE stage IN ${renamed}) u
           JOIN temp.stage_map_new m ON m.old = u.stage`,
      ).run(at);
      this.planStageRuns();
      let rows = 0;
      const run = (sql: string) => (rows += db.prepare(sql).run().changes);
      // The furthest stage is a position in the old layout: through its stage to the new position.
      run(
        `UPDATE deals SET furthest_stage_index = x.new FROM temp.stage_idx_new x WHERE x.old = deals.furthest_stage_index`,
      );
      run(`UPDATE deals SET stage = m.new FROM temp.stage_map_new m WHERE m.old = deals.stage`);
      run(`UPDATE deals SET stage_index = p.idx FROM temp.stage_pos_new p
            WHERE p.stage = deals.stage AND p.idx <> deals.stage_index`);
      run(`UPDATE deals SET furthest_stage_index = stage_index WHERE furthest_stage_index < stage_index`);
      run(`UPDATE stage_history SET stage = m.new FROM temp.stage_map_new m WHERE m.old = stage_history.stage`);
      run(
        `UPDATE stage_history SET from_stage = m.new FROM temp.stage_map_new m WHERE m.old = stage_history.from_stage`,
      );
      run(`UPDATE stage_history SET stage_index = p.idx FROM temp.stage_pos_new p
            WHERE p.stage = stage_history.stage AND p.idx <> stage_history.stage_index`);
      run(`UPDATE activities SET stage = m.new FROM temp.stage_map_new m WHERE m.old = activities.stage`);
      run(`UPDATE stage_checks SET stage = m.new FROM temp.stage_map_new m WHERE m.old = stage_checks.stage`);
      const folded = this.foldStageRuns();
      db.exec(`DELETE FROM stage_layout;
               INSERT INTO stage_layout (position, stage) SELECT idx, stage FROM temp.stage_pos_new;`);
      const deals = (db.prepare("SELECT count(*) AS n FROM temp.stage_moved_deals").get() as { n: number }).n;
      return { deals, rows, folded };
    } finally {
      db.exec(`DROP TABLE temp.stage_map_new; DROP TABLE temp.stage_pos_new;
               DROP TABLE temp.stage_idx_new; DROP TABLE temp.stage_moved_deals; DROP TABLE IF EXISTS temp.stage_runs;`);
    }
  }

  /**
   * The stays to fold, worked out before the rename (it needs each row's old stage id): runs of
   * consecutive history rows that the move puts in one stage (see foldStageRuns).
   */
  private planStageRuns(): void {
    this.db.exec(`CREATE TEMP TABLE stage_runs (
        id INTEGER PRIMARY KEY, deal_id INTEGER NOT NULL, stage TEXT NOT NULL, entered_at TEXT NOT NULL,
        first_n INTEGER NOT NULL, last_exited_at TEXT, last_exit TEXT, total_days REAL, last_stay INTEGER NOT NULL);
      INSERT INTO stage_runs
      WITH mapped AS (
        SELECT h.id, h.deal_id, h.stage AS old, coalesce(m.new, h.stage) AS stage, h.entered_at, h.exited_at, h.days, h.exit
          FROM stage_history h LEFT JOIN temp.stage_map_new m ON m.old = h.stage
         WHERE h.deal_id IN (SELECT deal_id FROM temp.stage_moved_deals)),
      ordered AS (
        -- A row continues the stay before it only when the move made them one stage: it was
        -- entered by advancing out of a different old stage that now has the same id. A deal
        -- closed and reopened in one stage keeps both stays.
        SELECT *, CASE WHEN lag(stage) OVER w IS stage AND lag(old) OVER w IS NOT old AND lag(exit) OVER w = 'advanced'
                       THEN 0 ELSE 1 END AS starts
          FROM mapped WINDOW w AS (PARTITION BY deal_id ORDER BY entered_at, id)),
      runs AS (
        SELECT *, sum(starts) OVER (PARTITION BY deal_id ORDER BY entered_at, id ROWS UNBOUNDED PRECEDING) AS run,
               sum(starts) OVER (PARTITION BY deal_id) AS last_run
          FROM ordered)
      SELECT id, deal_id, stage, entered_at, first_n, last_exited_at, last_exit, total_days, last_stay FROM (
        SELECT id, deal_id, stage, entered_at,
               row_number() OVER w AS first_n,
               last_value(exited_at) OVER whole AS last_exited_at,
               last_value(exit) OVER whole AS last_exit,
               sum(days) OVER whole AS total_days,
               count(*) OVER whole AS n,
               run = last_run AS last_stay
          FROM runs
        WINDOW w AS (PARTITION BY deal_id, run ORDER BY entered_at, id),
               whole AS (PARTITION BY deal_id, run ORDER BY entered_at, id ROWS BETWEEN UNBOUNDED PRECEDING AND UNBOUNDED FOLLOWING))
      WHERE n > 1;`);
  }

  /**
   * Two stages merged into one leave a moved deal with consecutive history rows for the same
   * stage: they become one stay (entered when the first began, left when the last ended, its
   * days summed, how it was left taken from the last), so time in stage and velocity count the
   * merged stage as one. A deal still in such a stay entered its stage when the stay began, and
   * its meetings and proposals in the stage are counted again from then.
   */
  private foldStageRuns(): number {
    const db = this.db;
    db.prepare(
      `UPDATE stage_history SET exited_at = f.last_exited_at, exit = f.last_exit,
               days = CASE WHEN f.last_exited_at IS NULL THEN NULL ELSE f.total_days END
          FROM temp.stage_runs f WHERE f.first_n = 1 AND stage_history.id = f.id`,
    ).run();
    db.prepare(
      `UPDATE deals SET stage_entered_at = f.entered_at
          FROM temp.stage_runs f
         WHERE f.first_n = 1 AND f.last_stay AND f.deal_id = deals.id AND f.stage = deals.stage`,
    ).run();
    db.prepare(
      `UPDATE deals SET
          stage_meetings = (SELECT count(*) FROM activities a WHERE a.deal_id = deals.id AND a.type = 'meeting' AND a.occurred_at >= deals.stage_entered_at),
          stage_proposals = (SELECT count(*) FROM activities a WHERE a.deal_id = deals.id AND a.type = 'proposal' AND a.occurred_at >= deals.stage_entered_at)
         WHERE id IN (SELECT deal_id FROM temp.stage_runs WHERE first_n = 1 AND last_stay)`,
    ).run();
    return db.prepare("DELETE FROM stage_history WHERE id IN (SELECT id FROM temp.stage_runs WHERE first_n > 1)").run()
      .changes;
  }

  activities(id: string, limit: number): { activities: Activity[]; total: number } {
    const n = this.num(id);
    const total = (this.stmt("SELECT count(*) AS n FROM activities WHERE deal_id = ?").get(n) as { n: number }).n;
    const rows = this.stmt(
      "SELECT id, type, occurred_at, summary, duration_minutes, stage FROM activities WHERE deal_id = ? ORDER BY occurred_at DESC, id DESC LIMIT ?",
    ).all(n, limit) as Row[];
    return { activities: rows.map((r) => ({ ...(r as unknown as Activity), deal_id: id })), total };
  }

  events(id: string, limit: number): DealEvent[] {
    return (
      this.stmt("SELECT at, kind, detail FROM deal_events WHERE deal_id = ? ORDER BY id DESC LIMIT ?").all(
        this.num(id),
        limit,
      ) as Row[]
    ).map((r) => ({
      at: r.at as string,
      kind: r.kind as string,
      detail: JSON.parse(r.detail as string),
    }));
  }

  logActivity(
    id: string,
    a: { type: string; occurred_at: string; summary: string; duration_minutes?: number | null },
    now: string,
  ): Activity {
    return this.transaction(() => {
      const deal = this.requireDeal(id);
      const n = this.num(id);
      const info = this.stmt(
        "INSERT INTO activities (deal_id, type, occurred_at, summary, duration_minutes, stage, created_at) VALUES (?, ?, ?, ?, ?, ?, ?)",
      ).run(n, a.type, a.occurred_at, a.summary, a.duration_minutes ?? null, deal.stage, now);
      const col = countColumn(a.type);
      this.stmt(
        `UPDATE deals SET last_activity_at = max(coalesce(last_activity_at, ''), ?), updated_at = ?, ${col} = ${col} + 1,
                stage_meetings = stage_meetings + (? = 'meeting' AND ? >= stage_entered_at),
                stage_proposals = stage_proposals + (? = 'proposal' AND ? >= stage_entered_at) WHERE id = ?`,
      ).run(a.occurred_at, now, a.type, a.occurred_at, a.type, a.occurred_at, n);
      return {
        id: Number(info.lastInsertRowid),
        deal_id: id,
        type: a.type,
        occurred_at: a.occurred_at,
        summary: a.summary,
        duration_minutes: a.duration_minutes ?? null,
        stage: deal.stage,
      };
    });
  }

  moveStage(
    id: string,
    to: {
      stage: string;
      stage_index: number;
      at: string;
      gate: "created" | "passed" | "override" | "imported";
      override_reason?: string | null;
      check_id?: number | null;
    },
    now: string,
  ): Deal {
    return this.transaction(() => {
      const deal = this.requireDeal(id);
      const n = this.num(id);
      this.closeHistory(n, to.at, "advanced");
      this.stmt(
        "INSERT INTO stage_history (deal_id, stage, stage_index, tier, from_stage, entered_at, gate, override_reason, check_id) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)",
      ).run(
        n,
        to.stage,
        to.stage_index,
        deal.tier,
        deal.stage,
        to.at,
        to.gate,
        to.override_reason ?? null,
        to.check_id ?? null,
      );
      this.stmt(
        "UPDATE deals SET stage = ?, stage_index = ?, furthest_stage_index = max(furthest_stage_index, ?), stage_entered_at = ?, updated_at = ? WHERE id = ?",
      ).run(to.stage, to.stage_index, to.stage_index, to.at, now, n);
      this.refreshStageCounts(n);
      return this.requireDeal(id);
    });
  }

  /** Meetings and proposals logged since the deal entered its current stage. */
  private refreshStageCounts(n: number): void {
    this.stmt(
      `UPDATE deals SET
         stage_meetings = (SELECT count(*) FROM activities a WHERE a.deal_id = deals.id AND a.type = 'meeting' AND a.occurred_at >= deals.stage_entered_at),
         stage_proposals = (SELECT count(*) FROM activities a WHERE a.deal_id = deals.id AND a.type = 'proposal' AND a.occurred_at >= deals.stage_entered_at)
       WHERE id = ?`,
    ).run(n);
  }

  private closeHistory(n: number, at: string, exit: "advanced" | "closed" | "reopened"): void {
    this.stmt(
      "UPDATE stage_history SET exited_at = ?, days = max(0, julianday(?) - julianday(entered_at)), exit = ? WHERE deal_id = ? AND exited_at IS NULL",
    ).run(at, at, exit, n);
  }

  closeDeal(
    id: string,
    c: { status: ClosedStatus; reason: string | null; closed_at: string; reached_stage_index?: number },
    now: string,
  ): Deal {
    return this.transaction(() => {
      const n = this.num(id);
      this.requireDeal(id);
      this.closeHistory(n, c.closed_at, "closed");
      this.stmt(
        "UPDATE deals SET status = ?, close_reason = ?, closed_at = ?, revisit_on = NULL, furthest_stage_index = max(furthest_stage_index, ?), updated_at = ? WHERE id = ?",
      ).run(c.status, c.reason, c.closed_at, c.reached_stage_index ?? 0, now, n);
      this.recordEvent(id, "closed", { status: c.status, reason: c.reason, closed_at: c.closed_at }, now);
      return this.requireDeal(id);
    });
  }

  deleteDeal(id: string): Record<string, number> {
    const n = this.num(id);
    this.requireDeal(id);
    const children = [
      "stage_history",
      "activities",
      "stakeholders",
      "qualifications",
      "stage_checks",
      "deal_events",
    ] as const;
    // Freed pages are zeroed, not left for a later backup or a forensic read to find.
    this.db.pragma("secure_delete = ON");
    try {
      const removed = this.transaction(() => {
        const out: Record<string, number> = {};
        for (const t of children)
          out[t] = (this.stmt(`SELECT count(*) AS n FROM ${t} WHERE deal_id = ?`).get(n) as { n: number }).n;
        // Replayable replies (request_id) may quote the deal: they go too.
        out.requests = this.stmt("DELETE FROM requests WHERE instr(reply, ?) > 0").run(`"${id}"`).changes;
        // Its id stays used (see migration 7).
        this.stmt("UPDATE deal_id_high_water SET max_id = max(max_id, ?)").run(n);
        out.deals = this.stmt("DELETE FROM deals WHERE id = ?").run(n).changes;
        return out;
      });
      // Move the change out of the WAL into the file, so the old pages are overwritten there too.
      if (!this.db.memory) this.db.pragma("wal_checkpoint(TRUNCATE)");
      return removed;
    } finally {
      this.db.pragma("secure_delete = OFF");
    }
  }

  parkDeal(id: string, revisitOn: string, now: string): Deal {
    return this.transaction(() => {
      const n = this.num(id);
      const deal = this.requireDeal(id);
      // It leaves the active pipeline: its stage row ends, as a close does (norms never count it).
      this.closeHistory(n, now, "closed");
      this.stmt("UPDATE deals SET status = 'nurture', revisit_on = ?, updated_at = ? WHERE id = ?").run(
        revisitOn,
        now,
        n,
      );
      this.recordEvent(id, "parked", { previous_status: deal.status, revisit_on: revisitOn }, now);
      return this.requireDeal(id);
    });
  }

  reopenDeal(id: string, now: string): Deal {
    return this.transaction(() => {
      const deal = this.requireDeal(id);
      const n = this.num(id);
      this.stmt(
        "UPDATE deals SET status = 'open', closed_at = NULL, close_reason = NULL, revisit_on = NULL, stage_entered_at = ?, updated_at = ? WHERE id = ?",
      ).run(now, now, n);
      this.stmt(
        "INSERT INTO stage_history (deal_id, stage, stage_index, tier, from_stage, entered_at, gate) VALUES (?, ?, ?, ?, ?, ?, 'override')",
      ).run(n, deal.stage, deal.stage_index, deal.tier, deal.stage, now);
      this.refreshStageCounts(n);
      this.recordEvent(id, "reopened", { previous_status: deal.status }, now);
      return this.requireDeal(id);
    });
  }

  recordQualification(
    id: string,
    q: BantSnapshot & Partial<QualificationSnapshot> & { detail: Record<string, unknown> },
    now: string,
  ): void {
    const framework = q.framework ?? UNNAMED_FRAMEWORK;
    this.transaction(() => {
      const n = this.num(id);
      this.requireDeal(id);
      this.stmt(INSERT_QUALIFICATION).run(...qualificationValues(n, now, q));
      this.stmt(
        "UPDATE deals SET bant_budget = ?, bant_authority = ?, bant_need = ?, bant_timeline = ?, bant_score = ?, bant_verdict = ?, qualification_framework = ?, updated_at = ? WHERE id = ?",
      ).run(q.budget, q.authority, q.need, q.timeline, q.score, q.verdict, framework, now, n);
    });
  }

  latestQualification(id: string): QualificationRecord | undefined {
    const r = this.stmt(
      "SELECT recorded_at, budget, authority, need, timeline, score, verdict, detail, framework, statuses FROM qualifications WHERE deal_id = ? ORDER BY id DESC LIMIT 1",
    ).get(this.num(id)) as Row | undefined;
    return (
      r &&
      ({
        ...r,
        detail: JSON.parse(r.detail as string),
        statuses: qualificationStatuses(r),
      } as QualificationRecord)
    );
  }

  recordStageCheck(id: string, c: Omit<StageCheckRecord, "id" | "recorded_at">, now: string): StageCheckRecord {
    return this.transaction(() => {
      this.requireDeal(id);
      const info = this.stmt(
        "INSERT INTO stage_checks (deal_id, stage, recorded_at, criteria, evidence, can_advance) VALUES (?, ?, ?, ?, ?, ?)",
      ).run(this.num(id), c.stage, now, JSON.stringify(c.criteria), JSON.stringify(c.evidence), c.can_advance ? 1 : 0);
      return { ...c, id: Number(info.lastInsertRowid), recorded_at: now };
    });
  }

  latestStageCheck(id: string, stage: string): StageCheckRecord | undefined {
    const r = this.stmt(
      "SELECT id, stage, recorded_at, criteria, evidence, can_advance FROM stage_checks WHERE deal_id = ? AND stage = ? ORDER BY id DESC LIMIT 1",
    ).get(this.num(id), stage) as Row | undefined;
    return (
      r && {
        id: r.id as number,
        stage: r.stage as string,
        recorded_at: r.recorded_at as string,
        criteria: JSON.parse(r.criteria as string),
        evidence: JSON.parse(r.evidence as string),
        can_advance: r.can_advance === 1,
      }
    );
  }

  recordEvent(id: string, kind: string, detail: Record<string, unknown>, now: string): void {
    this.stmt("INSERT INTO deal_events (deal_id, at, kind, detail) VALUES (?, ?, ?, ?)").run(
      parseDealId(this.requireDeal(id).id)!,
      now,
      kind,
      JSON.stringify(detail),
    );
  }

  /**
   * One row per open deal created by as_of, streamed, from the counters kept on every write.
   * `sums` names two groups of activity types whose counters are added up per deal.
   */
  *openDealFacts(
    filters: DealFilters,
    asOf: string,
    sums: { internal: readonly string[]; customer: readonly string[] },
    pointInTime = false,
    onlyId?: string,
  ): Iterable<OpenDealFactsRow> {
    if (pointInTime && !onlyId) {
      yield* this.openDealFactsAt(filters, asOf, sums);
      return;
    }
    yield* this.factsFromCounters(filters, asOf, sums, onlyId);
  }

  /**
   * The open deals' facts from the counters kept on every write (today's). `unchangedSince`: only
   * the deals nothing was written to after that moment (none of their stays began later either),
   * in id order: for them today's facts are that moment's.
   */
  private *factsFromCounters(
    filters: DealFilters,
    asOf: string,
    sums: { internal: readonly string[]; customer: readonly string[] },
    onlyId?: string,
    unchangedSince?: string,
  ): Iterable<OpenDealFactsRow> {
    const { sql, params } = filterClause(filters, "d");
    const where = onlyId
      ? "WHERE d.id = ?"
      : `${sql ? `${sql} AND` : "WHERE"} d.created_at <= ? AND d.status = 'open'` +
        (unchangedSince ? ` AND ${UNCHANGED_SINCE} ORDER BY d.id` : "");
    // Unfiltered: the open deals' own narrow covering index (migration 5), not the wide table.
    const from = sql ? "deals d" : "deals d INDEXED BY deals_open_facts";
    const ms = (col: string) => `(julianday(${col}) - 2440587.5) * 86400000.0`;
    const sum = (types: readonly string[]) =>
      types.length ? types.map((t) => `d.${countColumn(t)}`).join(" + ") : "0";
    // Every value crossing into JS costs time at a million deals: only what the rules read.
    const rows = this.db
      .prepare(
        `SELECT d.id, d.tier, d.readiness, d.stage_index, ${ms("d.stage_entered_at")}, ${ms("d.last_activity_at")}, ${ms("d.expected_close_date")},
                d.owner_changes, d.bant_budget, d.bant_timeline, d.bant_verdict, d.stakeholder_count, d.decision_makers,
                d.stage_meetings, d.stage_proposals,
                CASE WHEN d.stage_proposals > 0 THEN (SELECT substr(group_concat(a.summary, ' | '), 1, 2000) FROM activities a
                      WHERE a.deal_id = d.id AND a.type = 'proposal' AND a.occurred_at >= d.stage_entered_at) END,
                ${sum(sums.internal)}, ${sum(sums.customer)}, d.owner, d.amount, d.currency
           FROM ${onlyId ? "deals d" : from} ${where}`,
      )
      .raw()
      .iterate(
        ...(onlyId
          ? [this.num(onlyId)]
          : [...params, asOf, ...Array<string>(unchangedSince ? UNCHANGED_SINCE_PARAMS : 0).fill(unchangedSince!)]),
      ) as IterableIterator<unknown[]>;
    // One object, refilled for every row: at a million deals, allocating one per row costs more
    // than the rules. Consumers read it before asking for the next row and never keep it.
    const d: OpenDealFactsRow = {
      id: "",
      owner: "",
      amount: null,
      currency: "",
      tier: null,
      readiness: null,
      stage_index: 0,
      stage_entered_ms: 0,
      last_activity_ms: null,
      expected_close_ms: null,
      owner_changes: 0,
      bant_budget: null,
      bant_timeline: null,
      bant_verdict: null,
      stakeholders: 0,
      decision_makers: 0,
      meetings_in_stage: 0,
      proposals_in_stage: 0,
      proposal_notes: "",
      internal_activities: 0,
      customer_activities: 0,
    };
    for (const r of rows) {
      d.id = formatDealId(r[0] as number);
      d.tier = r[1] as OpenDealFactsRow["tier"];
      d.readiness = r[2] as string | null;
      d.stage_index = r[3] as number;
      d.stage_entered_ms = r[4] as number;
      d.last_activity_ms = r[5] as number | null;
      d.expected_close_ms = r[6] as number | null;
      d.owner_changes = r[7] as number;
      d.bant_budget = r[8] as string | null;
      d.bant_timeline = r[9] as string | null;
      d.bant_verdict = r[10] as string | null;
      d.stakeholders = r[11] as number;
      d.decision_makers = r[12] as number;
      d.meetings_in_stage = r[13] as number;
      d.proposals_in_stage = r[14] as number;
      d.proposal_notes = (r[15] as string | null) ?? "";
      d.internal_activities = r[16] as number;
      d.customer_activities = r[17] as number;
      d.owner = r[18] as string;
      d.amount = r[19] as number | null;
      d.currency = r[20] as string;
      yield d;
    }
  }

  /** One deal's facts as the pipeline rules read them (whatever its status), as of now. */
  dealFacts(id: string, sums: { internal: readonly string[]; customer: readonly string[] }): OpenDealFactsRow {
    for (const d of this.openDealFacts({}, "", sums, false, id)) return { ...d };
    throw new StoreError(`No deal ${id}. Call list_deals to find deal ids.`, "deal_id");
  }

  /**
   * The open deals as they stood at asOf, rebuilt from what is recorded: open then if created by
   * then and its stage row at that moment had not ended (not closed or parked by then, whatever it
   * is today); the stage and its entry from that row; the
   * latest qualification recorded by then; activities counted up to then. Owner changes,
   * stakeholders, amount and expected close date are today's (no history is kept of them).
   *
   * A deal open today that nothing was written to after asOf is read from its counters, as today
   * (it stood then as it stands now); a deal closed by then and closed still is left out; only
   * the others are rebuilt, with look-ups per deal. The two streams are merged in id order.
   * (`fromCounters` false rebuilds every deal: the tests' reference.)
   */
  private *openDealFactsAt(
    filters: DealFilters,
    asOf: string,
    sums: { internal: readonly string[]; customer: readonly string[] },
    fromCounters = true,
  ): Iterable<OpenDealFactsRow> {
    if (!fromCounters) {
      yield* this.rebuiltFacts(filters, asOf, sums, false);
      return;
    }
    const rebuilt = this.rebuiltFacts(filters, asOf, sums, true)[Symbol.iterator]();
    const unchanged = this.factsFromCounters(filters, asOf, sums, undefined, asOf)[Symbol.iterator]();
    let a = unchanged.next();
    let b = rebuilt.next();
    while (!a.done || !b.done) {
      if (b.done || (!a.done && parseDealId(a.value.id)! < parseDealId(b.value.id)!)) {
        yield a.value;
        a = unchanged.next();
      } else {
        yield b.value;
        b = rebuilt.next();
      }
    }
  }

  /** The open deals at asOf rebuilt from the stage history, activities and qualifications (see openDealFactsAt). */
  private *rebuiltFacts(
    filters: DealFilters,
    asOf: string,
    sums: { internal: readonly string[]; customer: readonly string[] },
    skipUnchanged: boolean,
  ): Iterable<OpenDealFactsRow> {
    const { sql, params } = filterClause(filters, "d");
    const ms = (col: string) => `(julianday(${col}) - 2440587.5) * 86400000.0`;
    // Before its first recorded stage row (an imported deal's history starts at its current
    // stage), a deal created by then was open, in the first stage known for it, since creation.
    const entered = "coalesce(h.entered_at, d.created_at)";
    const count = (types: readonly string[]) =>
      types.length
        ? `(SELECT count(*) FROM activities a WHERE a.deal_id = d.id AND a.type IN (${types.map(() => "?").join(", ")}) AND a.occurred_at <= @t)`
        : "0";
    const inStage = (type: string) =>
      `(SELECT count(*) FROM activities a WHERE a.deal_id = d.id AND a.type = '${type}' AND a.occurred_at >= ${entered} AND a.occurred_at <= @t)`;
    // Positional parameters in the order they appear (the activity types, then the filters); @t is the moment.
    const typeParams = [...sums.internal, ...sums.customer];
    const rows = this.db
      .prepare(
        `SELECT d.id, d.tier, d.readiness, coalesce(h.stage_index, f.stage_index), ${ms(entered)},
                ${ms(`nullif(max(coalesce((SELECT max(a.occurred_at) FROM activities a WHERE a.deal_id = d.id AND a.occurred_at <= @t), ''),
                                 CASE WHEN d.last_activity_at <= @t THEN d.last_activity_at ELSE '' END), '')`)},
                ${ms("d.expected_close_date")}, d.owner_changes, q.budget, q.timeline, q.verdict,
                d.stakeholder_count, d.decision_makers, ${inStage("meeting")}, ${inStage("proposal")},
                (SELECT substr(group_concat(a.summary, ' | '), 1, 2000) FROM activities a
                  WHERE a.deal_id = d.id AND a.type = 'proposal' AND a.occurred_at >= ${entered} AND a.occurred_at <= @t),
                ${count(sums.internal)}, ${count(sums.customer)}, d.owner, d.amount, d.currency
           FROM (SELECT d.* FROM deals d ${sql ? `${sql} AND` : "WHERE"} d.created_at <= @t
                   AND NOT (${CLOSED_BY.replace("?", "@t")})
                   ${skipUnchanged ? `AND NOT (d.status = 'open' AND ${UNCHANGED_SINCE.replace(/\?/g, "@t")})` : ""}) d
           -- The stage row current at @t; none entered yet: the deal's first known row (f).
           LEFT JOIN stage_history h ON h.id = (SELECT h2.id FROM stage_history h2 WHERE h2.deal_id = d.id AND h2.entered_at <= @t
                                                 ORDER BY h2.entered_at DESC, h2.id DESC LIMIT 1)
           LEFT JOIN stage_history f ON h.id IS NULL AND f.id = (SELECT h3.id FROM stage_history h3 WHERE h3.deal_id = d.id
                                                                  ORDER BY h3.entered_at, h3.id LIMIT 1)
           LEFT JOIN qualifications q ON q.id = (SELECT q2.id FROM qualifications q2 WHERE q2.deal_id = d.id AND q2.recorded_at <= @t
                                                  ORDER BY q2.recorded_at DESC, q2.id DESC LIMIT 1)
          -- Open then: its row at @t had not ended (closed or parked by then leaves it out).
          WHERE (h.id IS NOT NULL AND (h.exited_at IS NULL OR h.exited_at > @t)) OR (h.id IS NULL AND f.id IS NOT NULL)
          ORDER BY d.id`,
      )
      .raw()
      .iterate(...typeParams, ...params, { t: asOf }) as IterableIterator<unknown[]>;
    for (const r of rows) {
      yield {
        id: formatDealId(r[0] as number),
        tier: r[1] as OpenDealFactsRow["tier"],
        readiness: r[2] as string | null,
        stage_index: r[3] as number,
        stage_entered_ms: r[4] as number,
        last_activity_ms: r[5] as number | null,
        expected_close_ms: r[6] as number | null,
        owner_changes: r[7] as number,
        bant_budget: r[8] as string | null,
        bant_timeline: r[9] as string | null,
        bant_verdict: r[10] as string | null,
        stakeholders: r[11] as number,
        decision_makers: r[12] as number,
        meetings_in_stage: r[13] as number,
        proposals_in_stage: r[14] as number,
        proposal_notes: (r[15] as string | null) ?? "",
        internal_activities: r[16] as number,
        customer_activities: r[17] as number,
        owner: r[18] as string,
        amount: r[19] as number | null,
        currency: r[20] as string,
      };
    }
  }

  /** What closed deals created by as_of say, grouped: empty reasons by stage, lost reasons by reason and stage. */
  closedFacts(filters: DealFilters, asOf: string, sampleIds: number, pointInTime = false): ClosedFactsRow {
    const { sql, params } = filterClause(filters, "d");
    // In the past, only what had closed by then (a deal closed later was still open).
    const where = `${sql ? `${sql} AND` : "WHERE"} d.created_at <= ?${pointInTime ? " AND d.closed_at <= ?" : ""}`;
    const at = pointInTime ? [asOf, asOf] : [asOf];
    // Unfiltered: grouped in the order of the deals_close_reasons index, so nothing is sorted.
    const from = sql ? "deals d" : "deals d INDEXED BY deals_close_reasons";
    const empty = "(d.close_reason IS NULL OR trim(d.close_reason) = '')";
    // One pass over the closed deals, grouped; the rules then look at each group once.
    // Grouped on the stored reason as written; the few distinct reasons are normalised below.
    const raw = this.stmt(
      `SELECT d.status, d.stage, CASE WHEN d.status IN ('won', 'lost') THEN d.close_reason END AS reason, count(*) AS n
         FROM ${from} ${where} AND ${IS_CLOSED} GROUP BY 1, 2, 3`,
    ).all(...params, ...at) as Array<{ status: string; stage: string; reason: string | null; n: number }>;
    const merged = new Map<
      string,
      { status: string; empty: number; stage: string; reason: string | null; n: number }
    >();
    for (const r of raw) {
      const text = r.reason?.trim() ?? "";
      const reason = r.status === "lost" && text ? text.toLowerCase() : null;
      const g = { status: r.status, empty: text ? 0 : 1, stage: r.stage, reason, n: r.n };
      const key = JSON.stringify([g.status, g.empty, g.stage, g.reason]);
      const prior = merged.get(key);
      if (prior) prior.n += r.n;
      else merged.set(key, g);
    }
    const groups = [...merged.values()];
    const decided = (g: { status: string }) => g.status === "won" || g.status === "lost";
    const by_stage = new Map<string, number>();
    for (const g of groups) if (decided(g) && g.empty) by_stage.set(g.stage, (by_stage.get(g.stage) ?? 0) + g.n);
    const sample = by_stage.size
      ? (this.stmt(
          `SELECT d.id, d.owner FROM ${from} ${where} AND ${IS_CLOSED} AND d.status IN ('won', 'lost') AND ${empty} ORDER BY d.id LIMIT ?`,
        ).all(...params, ...at, sampleIds) as Array<{ id: number; owner: string }>)
      : [];
    const ids = sample.map((r) => formatDealId(r.id));
    return {
      total: groups.reduce((a, g) => a + g.n, 0),
      without_reason: {
        by_stage: [...by_stage].map(([stage, n]) => ({
          stage: stage as ClosedFactsRow["lost_reasons"][number]["stage"],
          n,
        })),
        ids,
        owners: sample.map((r) => r.owner),
      },
      lost_reasons: groups
        .filter((g) => g.reason !== null)
        .map((g) => ({ reason: g.reason!, stage: g.stage as ClosedFactsRow["lost_reasons"][number]["stage"], n: g.n })),
    };
  }

  /** Lost deals created by as_of whose trimmed, lower-case reason is one of `reasons`. */
  lostDealsWithReasons(
    filters: DealFilters,
    asOf: string,
    reasons: string[],
    limit: number,
    pointInTime = false,
  ): Array<{ id: string; reason: string; owner: string }> {
    if (reasons.length === 0) return [];
    const { sql, params } = filterClause(filters, "d");
    const where = `${sql ? `${sql} AND` : "WHERE"} d.created_at <= ?${pointInTime ? " AND d.closed_at <= ?" : ""}`;
    const at = pointInTime ? [asOf, asOf] : [asOf];
    return (
      this.stmt(
        `SELECT d.id, d.owner, lower(trim(d.close_reason)) AS reason FROM ${sql ? "deals d" : "deals d INDEXED BY deals_closed_facts"} ${where} AND ${IS_CLOSED} AND d.status = 'lost'
            AND lower(trim(d.close_reason)) IN (SELECT value FROM json_each(?)) ORDER BY d.id LIMIT ?`,
      ).all(...params, ...at, JSON.stringify(reasons), limit) as Array<{ id: number; reason: string; owner: string }>
    ).map((r) => ({ id: formatDealId(r.id), reason: r.reason, owner: r.owner }));
  }

  nurtureDue(filters: DealFilters, asOf: string, limit: number): NurtureDue {
    const { sql, params } = filterClause({ ...filters, status: undefined }, "d");
    const where = `${sql ? `${sql} AND` : "WHERE"} d.status = 'nurture' AND d.revisit_on <= ?`;
    const day = localDay(asOf);
    const by_stage = this.stmt(`SELECT d.stage, count(*) AS n FROM deals d ${where} GROUP BY d.stage`).all(
      ...params,
      day,
    ) as NurtureDue["by_stage"];
    const rows = this.stmt(
      `SELECT d.id, d.owner, d.revisit_on FROM deals d ${where} ORDER BY d.revisit_on, d.id LIMIT ?`,
    ).all(...params, day, limit) as Array<{ id: number; owner: string; revisit_on: string }>;
    return {
      deals: rows.map((r) => ({ id: formatDealId(r.id), owner: r.owner, revisit_on: r.revisit_on })),
      total: by_stage.reduce((a, g) => a + g.n, 0),
      by_stage,
    };
  }

  /** The norms of the last few moments asked for (today's and a past as_of alternate in a review). */
  private readonly normsCache = new Map<
    string,
    Array<{ tier: string; stage: string; median_days: number; exits: number }>
  >();
  stageNorms(before?: string): Array<{ tier: string; stage: string; median_days: number; exits: number }> {
    // Counts per tier and stage stream from the stage_history_norms index; each median is two
    // index steps to the middle (exact, nothing sorted). Cached until the next commit. With
    // `before`, only exits made by then count (a past as_of learns only what was known then).
    const version = `${this.analytics().version()}|${before ?? ""}`;
    const hit = this.normsCache.get(version);
    if (hit) return hit;
    const by = before === undefined ? "" : " AND exited_at <= ?";
    const at = before === undefined ? [] : [before];
    const groups = this.stmt(
      `SELECT tier, stage, count(*) AS n FROM stage_history WHERE exit = 'advanced' AND tier IS NOT NULL AND days IS NOT NULL${by} GROUP BY tier, stage`,
    ).all(...at) as Array<{ tier: string; stage: string; n: number }>;
    const middle = this.stmt(
      `SELECT days FROM stage_history WHERE exit = 'advanced' AND tier = ? AND stage = ? AND days IS NOT NULL${by} ORDER BY days LIMIT ? OFFSET ?`,
    );
    const norms = groups.map((g) => {
      const rows = middle.all(g.tier, g.stage, ...at, g.n % 2 === 0 ? 2 : 1, Math.floor((g.n - 1) / 2)) as Array<{
        days: number;
      }>;
      return {
        tier: g.tier,
        stage: g.stage,
        exits: g.n,
        median_days: rows.reduce((a, r) => a + r.days, 0) / rows.length,
      };
    });
    if (this.normsCache.size >= 4) this.normsCache.delete(this.normsCache.keys().next().value!);
    this.normsCache.set(version, norms);
    return norms;
  }

  dealHistories(filters: DealFilters): DealHistory[] {
    const { from: _f, to: _t, date_field: _d, ...scope } = filters;
    const { sql, params } = filterClause(scope, "d");
    const out = new Map<number, DealHistory>();
    const deals = this.stmt(
      `SELECT d.id, d.owner, d.segment, d.tier, d.amount, d.currency, d.created_at, d.status, d.closed_at FROM deals d ${sql} ORDER BY d.id`,
    ).iterate(...params) as IterableIterator<Row>;
    for (const r of deals) {
      const status = r.status as DealStatus;
      out.set(r.id as number, {
        id: formatDealId(r.id as number),
        owner: r.owner as string,
        segment: (r.segment as string | null) ?? null,
        tier: (r.tier as string | null) ?? null,
        amount: (r.amount as number | null) ?? null,
        currency: r.currency as string,
        created_at: r.created_at as string,
        stages: [],
        outcome: isClosedStatus(status) && r.closed_at ? { status, closed_at: r.closed_at as string } : null,
        parked: [],
      });
    }
    const stages = this.stmt(
      `SELECT h.deal_id, h.stage_index, h.entered_at FROM stage_history h JOIN deals d ON d.id = h.deal_id ${sql} ORDER BY h.deal_id, h.entered_at, h.id`,
    ).iterate(...params) as IterableIterator<Row>;
    for (const r of stages)
      out
        .get(r.deal_id as number)
        ?.stages.push({ stage_index: r.stage_index as number, entered_at: r.entered_at as string });
    const events = this.stmt(
      `SELECT e.deal_id, e.kind, e.at FROM deal_events e JOIN deals d ON d.id = e.deal_id ${sql ? `${sql} AND` : "WHERE"} e.kind IN ('parked', 'reopened') ORDER BY e.deal_id, e.id`,
    ).iterate(...params) as IterableIterator<Row>;
    for (const r of events) {
      const parked = out.get(r.deal_id as number)?.parked;
      if (!parked) continue;
      const last = parked.at(-1);
      if (r.kind === "parked") parked.push({ from: r.at as string, to: null });
      else if (last && last.to === null) last.to = r.at as string;
    }
    return [...out.values()];
  }

  sellingEvidence(filters: DealFilters, reading: SellingReading): DealEvidence[] {
    const { sql, params } = filterClause(filters, "d");
    const list = (types: readonly string[]) => types.map(() => "?").join(", ") || "NULL";
    const rows = this.db
      .prepare(
        `WITH x AS (
           SELECT d.id, d.owner, d.status, d.source, d.amount, d.currency, d.created_at, d.closed_at,
                  d.stakeholder_count, d.decision_makers,
                  (SELECT min(occurred_at) FROM activities a WHERE a.deal_id = d.id AND a.type = 'proposal') AS first_proposal_at,
                  (SELECT min(occurred_at) FROM activities a WHERE a.deal_id = d.id AND a.type IN (${list(reading.contact_types)})) AS first_contact_at,
                  (SELECT min(entered_at) FROM stage_history h WHERE h.deal_id = d.id AND h.stage = ?) AS discovery_entered_at,
                  (SELECT min(entered_at) FROM stage_history h WHERE h.deal_id = d.id AND h.stage = ?) AS proposal_stage_entered_at
             FROM deals d ${sql})
         SELECT x.*,
                (SELECT count(*) FROM activities a WHERE a.deal_id = x.id AND a.stage = ? AND a.type IN (${list(reading.conversation_types)})
                    AND (x.first_proposal_at IS NULL OR a.occurred_at < x.first_proposal_at)) AS discovery,
                (SELECT count(*) FROM activities a WHERE a.deal_id = x.id AND a.type IN (${list(reading.research_types)})
                    AND (x.first_contact_at IS NULL OR a.occurred_at < x.first_contact_at)) AS research,
                (SELECT count(*) FROM activities a WHERE a.deal_id = x.id
                    AND (x.first_proposal_at IS NULL OR a.occurred_at < x.first_proposal_at)) AS total,
                (SELECT a.type FROM activities a WHERE a.deal_id = x.id AND a.type IN (${list(reading.contact_types)})
                    ORDER BY a.occurred_at, a.id LIMIT 1) AS first_activity_type,
                EXISTS (SELECT 1 FROM qualifications q WHERE q.deal_id = x.id AND q.verdict = 'qualified'
                    AND (x.first_proposal_at IS NULL OR q.recorded_at <= x.first_proposal_at)) AS qualified_before_proposal
           FROM x ORDER BY x.id`,
      )
      .all(
        ...reading.contact_types,
        reading.discovery_stage,
        reading.proposal_stage,
        ...params,
        reading.discovery_stage,
        ...reading.conversation_types,
        ...reading.research_types,
        ...reading.contact_types,
      ) as Row[];
    return rows.map((r) => ({
      id: formatDealId(r.id as number),
      owner: r.owner as string,
      status: r.status as DealStatus,
      source:
        typeof r.source === "string"
          ? r.source
              .trim()
              .toLowerCase()
              .replace(/[\s-]+/g, "_") || null
          : null,
      amount: (r.amount as number | null) ?? null,
      currency: r.currency as string,
      created_at: r.created_at as string,
      closed_at: (r.closed_at as string | null) ?? null,
      stakeholders: (r.stakeholder_count as number | null) ?? 0,
      decision_makers: (r.decision_makers as number | null) ?? 0,
      first_proposal_at: (r.first_proposal_at as string | null) ?? null,
      discovery_entered_at: (r.discovery_entered_at as string | null) ?? null,
      proposal_stage_entered_at: (r.proposal_stage_entered_at as string | null) ?? null,
      activities_before_first_proposal: {
        discovery: r.discovery as number,
        research: r.research as number,
        total: r.total as number,
      },
      first_activity_type: (r.first_activity_type as string | null) ?? null,
      qualified_before_proposal: r.qualified_before_proposal === 1,
    }));
  }

  maturityFacts(qualificationStageIndex: number): MaturityFacts {
    const one = <T>(sql: string, ...args: unknown[]) => this.db.prepare(sql).get(...args) as T;
    const deals = one<Record<string, number>>(
      `SELECT count(*) AS deals,
              coalesce(sum(status = 'open'), 0) AS open,
              coalesce(sum(${closedStatus("status")}), 0) AS closed,
              coalesce(sum(status IN ('won', 'lost')), 0) AS closed_won_lost,
              coalesce(sum(status IN ('won', 'lost') AND close_reason IS NOT NULL AND trim(close_reason) <> ''), 0) AS with_reason,
              coalesce(sum(status = 'open' AND stage_index > ?), 0) AS past,
              coalesce(sum(status = 'open' AND stage_index > ? AND bant_verdict = 'qualified'), 0) AS past_qualified,
              coalesce(sum(segment IS NOT NULL), 0) AS with_segment,
              coalesce(sum(readiness IS NOT NULL AND readiness <> 'unknown'), 0) AS with_readiness
         FROM deals`,
      qualificationStageIndex,
      qualificationStageIndex,
    );
    const moves = one<Record<string, number>>(
      `SELECT count(*) AS moves, coalesce(sum(gate = 'passed'), 0) AS passed, coalesce(sum(gate = 'override'), 0) AS overridden
         FROM stage_history WHERE gate IN ('passed', 'override')`,
    );
    const baselines = one<{ n: number; last: string | null; win_loss: number }>(
      "SELECT count(*) AS n, max(recorded_at) AS last, coalesce(sum(label LIKE 'win-loss%'), 0) AS win_loss FROM baselines",
    );
    return {
      deals: deals.deals!,
      open: deals.open!,
      closed: deals.closed!,
      closed_won_lost: deals.closed_won_lost!,
      closed_won_lost_with_reason: deals.with_reason!,
      moves: moves.moves!,
      moves_passed: moves.passed!,
      moves_overridden: moves.overridden!,
      open_past_qualification: deals.past!,
      open_past_qualification_qualified: deals.past_qualified!,
      activities: one<{ n: number }>("SELECT count(*) AS n FROM activities").n,
      baselines: baselines.n,
      last_baseline_at: baselines.last,
      win_loss_baselines: baselines.win_loss,
      with_segment: deals.with_segment!,
      with_readiness: deals.with_readiness!,
    };
  }

  private analyticsView?: SqliteAnalytics;
  analytics(): PipelineAnalytics {
    return (this.analyticsView ??= new SqliteAnalytics(this.db, () => this.commits));
  }

  counts(): Record<string, number> {
    const out: Record<string, number> = {};
    for (const t of [
      "deals",
      "stage_history",
      "activities",
      "qualifications",
      "stage_checks",
      "stakeholders",
      "deal_events",
      "requests",
    ]) {
      out[t] = (this.stmt(`SELECT count(*) AS n FROM ${t}`).get() as { n: number }).n;
    }
    return out;
  }

  status(): StoreStatus {
    return {
      schema_version: Number(this.db.pragma("user_version", { simple: true })),
      schema_version_supported: SCHEMA_VERSION,
      integrity: String(this.db.pragma("quick_check", { simple: true })),
      driver: {
        engine: "sqlite",
        sqlite_version: String(this.db.prepare("SELECT sqlite_version() AS v").pluck().get()),
        journal_mode: String(this.db.pragma("journal_mode", { simple: true })),
      },
    };
  }

  backupTo(dest: string): void {
    if (existsSync(dest))
      throw new StoreError(`${dest} already exists; choose a new file name for the backup.`, "dest");
    const tmp = `${dest}.partial`;
    rmSync(tmp, { force: true });
    // VACUUM INTO reads one snapshot: writers in other processes carry on meanwhile.
    this.db.prepare("VACUUM INTO ?").run(tmp);
    const check = integrityOf(tmp);
    if (check !== "ok") {
      rmSync(tmp, { force: true });
      throw new StoreError(`the backup failed its integrity check (${check}); nothing was written.`);
    }
    renameSync(tmp, dest);
  }

  async restoreFrom(src: string): Promise<{ deals: number }> {
    if (!existsSync(src)) throw new StoreError(`${src} does not exist.`, "src");
    assertCompatible(src);
    // Only a lean-sales-mcp store (its application id, a schema version we know) is a backup:
    // anything else would replace the store with a file it cannot open. Checked before anything
    // is touched, and this store stays open when it is refused.
    const info = inspectFile(src);
    if (info.application_id !== APPLICATION_ID || info.user_version < 1)
      throw new StoreError(
        `${src} is not a lean-sales-mcp backup (no deal store in it); the store was not touched.`,
        "src",
      );
    const check = integrityOf(src);
    if (check !== "ok")
      throw new StoreError(`${src} fails its integrity check (${check}); the store was not touched.`, "src");
    const source = openDatabase(src, { readonly: true, migrate: false });
    let deals: number;
    try {
      deals = (source.prepare("SELECT count(*) AS n FROM deals").get() as { n: number }).n;
      // One step (every page in one pass of SQLite's backup API, under the destination's write
      // lock): other processes see the old store or the restored one, never a mix.
      await source.backup(this.db.name, { progress: () => 0x7fffffff });
    } finally {
      source.close();
    }
    this.close();
    return { deals };
  }

  close(): void {
    this.cache.clear();
    closeDatabase(this.db);
  }
}

export function daysBetween(from: string, to: string): number {
  return Math.max(0, (Date.parse(to) - Date.parse(from)) / 86_400_000);
}
