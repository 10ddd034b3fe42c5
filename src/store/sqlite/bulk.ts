// Bulk writes: import_deals (create or update by external id) and whole-deal loads (demo data).
// The same rows createDeal, moveStage and closeDeal write, through statements prepared once and
// reused; the caller holds the one transaction. No methodology rule here: the caller decides
// stages, statuses and dates, this file only records them.
import type { Statement } from "better-sqlite3";
import { ACTIVITY_TYPES, INSERT_QUALIFICATION, qualificationValues, UNNAMED_FRAMEWORK } from "./columns.js";
import { nextDealId, type Db } from "./db.js";
import {
  formatDealId,
  parseDealId,
  type BulkDeal,
  type Deal,
  type ImportAction,
  type ImportDealRow,
  type NewDeal,
} from "../types.js";

type Row = Record<string, unknown>;

const DEAL_INSERT = [
  "id",
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
  "owner_changes",
  "bant_budget",
  "bant_authority",
  "bant_need",
  "bant_timeline",
  "bant_score",
  "bant_verdict",
  // Counters the store keeps per deal (migration 4): written with the deal in a bulk load.
  ...ACTIVITY_TYPES.map((t) => `n_${t}` as const),
  "stage_meetings",
  "stage_proposals",
  "stakeholder_count",
  "decision_makers",
] as const;

const INSERT_DEAL = `INSERT INTO deals (${DEAL_INSERT.join(", ")}) VALUES (${DEAL_INSERT.map(() => "?").join(", ")})`;

/** Columns read back for an import, in the order dealFromArray expects. */
const DEAL_READ = [
  "id",
  "name",
  "account",
  "owner",
  "amount",
  "currency",
  "stage",
  "stage_index",
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
  "owner_changes",
  "bant_budget",
  "bant_authority",
  "bant_need",
  "bant_timeline",
  "bant_score",
  "bant_verdict",
  "revisit_on",
  "qualification_framework",
] as const;

/** The same conversion as sqlite.ts toDeal, from a row read in DEAL_READ order. */
function dealFromArray(a: unknown[]): Deal {
  const s = (i: number) => a[i] as string;
  const n = (i: number) => a[i] as string | null;
  return {
    id: formatDealId(a[0] as number),
    name: s(1),
    account: s(2),
    owner: s(3),
    amount: a[4] as number | null,
    currency: s(5),
    stage: s(6),
    stage_index: a[7] as number,
    status: s(8) as Deal["status"],
    tier: n(9),
    readiness: n(10),
    segment: n(11),
    source: n(12),
    industry: n(13),
    employees: a[14] as number | null,
    annual_revenue: a[15] as number | null,
    need_awareness: n(16),
    actively_evaluating: a[17] === null ? null : a[17] === 1,
    timeline_months: a[18] as number | null,
    external_source: n(19),
    external_id: n(20),
    created_at: s(21),
    stage_entered_at: s(22),
    expected_close_date: n(23),
    closed_at: n(24),
    close_reason: n(25),
    last_activity_at: n(26),
    revisit_on: n(35),
    updated_at: s(27),
    owner_changes: a[28] as number,
    bant:
      a[34] === null
        ? null
        : {
            budget: s(29),
            authority: s(30),
            need: s(31),
            timeline: s(32),
            score: a[33] as number,
            verdict: s(34),
            framework: n(36) ?? UNNAMED_FRAMEWORK,
          },
  };
}

/** What an import compares to decide updated or unchanged. */
const COMPARED = [
  "name",
  "account",
  "owner",
  "amount",
  "currency",
  "stage",
  "stage_index",
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
  "created_at",
  "stage_entered_at",
  "expected_close_date",
  "closed_at",
  "close_reason",
  "last_activity_at",
] as const;
type Compared = (typeof COMPARED)[number];

const toDb = (v: unknown) => (typeof v === "boolean" ? (v ? 1 : 0) : v === undefined ? null : v);
const days = (from: string, to: string) => Math.max(0, (Date.parse(to) - Date.parse(from)) / 86_400_000);

/** The per-deal counters (activities by type, meetings and proposals in the current stage, stakeholders). */
function countsOf(bd: BulkDeal, stageEnteredAt: string): number[] {
  const byType = new Map<string, number>();
  let meetings = 0;
  let proposals = 0;
  for (const a of bd.activities) {
    byType.set(a.type, (byType.get(a.type) ?? 0) + 1);
    if (a.occurred_at >= stageEnteredAt) {
      if (a.type === "meeting") meetings++;
      else if (a.type === "proposal") proposals++;
    }
  }
  return [
    ...ACTIVITY_TYPES.map((t) => byType.get(t) ?? 0),
    meetings,
    proposals,
    bd.stakeholders.length,
    bd.stakeholders.filter((s) => s.decision_maker).length,
  ];
}

/** The tables insertDeals writes, whose secondary indexes it may rebuild. */
const LOADED_TABLES = ["deals", "stage_history", "activities", "stakeholders", "qualifications"];
/** Below this many stored deals a bulk load rebuilds the indexes instead of growing them. */
const REBUILD_BELOW = 50_000;
/** An import creating at least this many deals, more than the store holds, rebuilds the indexes. */
const REBUILD_MIN_ROWS = 10_000;

export class BulkWriter {
  private readonly cache = new Map<string, Statement>();

  constructor(
    private readonly db: Db,
    /** Runs first in every transaction this writer opens itself (the store's stage-layout check). */
    private readonly guard: () => void = () => {},
  ) {}

  private stmt(sql: string): Statement {
    let s = this.cache.get(sql);
    if (!s) this.cache.set(sql, (s = this.db.prepare(sql)));
    return s;
  }

  /**
   * The stored deals of one source among these external ids. Read as arrays (not row objects):
   * materialising 36-column row objects costs about three times as much for a large import.
   */
  findByExternalIds(source: string, externalIds: readonly string[]): Map<string, Deal> {
    const found = new Map<string, Deal>();
    const st = this.stmt(
      `SELECT ${DEAL_READ.join(", ")} FROM deals WHERE external_source = ? AND external_id IN (SELECT value FROM json_each(?))`,
    ).raw(true);
    for (let i = 0; i < externalIds.length; i += 50_000) {
      for (const a of st.all(source, JSON.stringify(externalIds.slice(i, i + 50_000))) as unknown[][]) {
        const d = dealFromArray(a);
        found.set(d.external_id!, d);
      }
    }
    return found;
  }

  private nextDealId(): number {
    return nextDealId(this.db);
  }

  private insertDealRow(
    id: number,
    d: NewDeal,
    furthest: number,
    now: string,
    extra: { owner_changes?: number; bant?: BulkDeal["deal"]["bant"] } = {},
  ): void {
    const b = extra.bant ?? null;
    this.stmt(INSERT_DEAL).run(
      id,
      d.name,
      d.account,
      d.owner,
      toDb(d.amount),
      d.currency,
      d.stage,
      d.stage_index,
      furthest,
      d.status ?? "open",
      toDb(d.tier),
      toDb(d.readiness),
      toDb(d.segment),
      toDb(d.source),
      toDb(d.industry),
      toDb(d.employees),
      toDb(d.annual_revenue),
      toDb(d.need_awareness),
      toDb(d.actively_evaluating),
      toDb(d.timeline_months),
      toDb(d.external_source),
      toDb(d.external_id),
      d.created_at,
      d.stage_entered_at,
      toDb(d.expected_close_date),
      toDb(d.closed_at),
      toDb(d.close_reason),
      toDb(d.last_activity_at),
      now,
      extra.owner_changes ?? 0,
      b?.budget ?? null,
      b?.authority ?? null,
      b?.need ?? null,
      b?.timeline ?? null,
      b?.score ?? null,
      b?.verdict ?? null,
      // An imported deal starts with no activities and no stakeholders.
      ...ACTIVITY_TYPES.map(() => 0),
      0,
      0,
      0,
      0,
    );
  }

  private event(id: number, now: string, kind: string, detail: Record<string, unknown>): void {
    this.stmt("INSERT INTO deal_events (deal_id, at, kind, detail) VALUES (?, ?, ?, ?)").run(
      id,
      now,
      kind,
      JSON.stringify(detail),
    );
  }

  private closeHistory(id: number, at: string, exit: "advanced" | "closed"): void {
    this.stmt(
      "UPDATE stage_history SET exited_at = ?, days = max(0, julianday(?) - julianday(entered_at)), exit = ? WHERE deal_id = ? AND exited_at IS NULL",
    ).run(at, at, exit, id);
  }

  private openHistory(id: number, d: NewDeal, from: string | null, closedAt: string | null): void {
    this.stmt(
      "INSERT INTO stage_history (deal_id, stage, stage_index, tier, from_stage, entered_at, exited_at, days, exit, gate) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, 'imported')",
    ).run(
      id,
      d.stage,
      d.stage_index,
      toDb(d.tier),
      from,
      d.stage_entered_at,
      closedAt,
      closedAt ? days(d.stage_entered_at, closedAt) : null,
      closedAt ? "closed" : null,
    );
  }

  /**
   * Runs fn with a page cache large enough for the indexes a bulk write touches (the default
   * 2 MB makes every random index insert re-read a page), then restores the connection's size.
   */
  private withCache<T>(pages: number, fn: () => T): T {
    const before = this.db.pragma("cache_size", { simple: true }) as number;
    const want = -Math.min(256 * 1024, Math.max(16 * 1024, pages)); // KiB: 16-256 MB
    if (want >= before) return fn();
    this.db.pragma(`cache_size = ${want}`);
    try {
      return fn();
    } finally {
      this.db.pragma(`cache_size = ${before}`);
    }
  }

  importDeals(
    rows: readonly ImportDealRow[],
    now: string,
    opts: { dryRun?: boolean } = {},
  ): Array<{ id: string | null; action: ImportAction }> {
    // A row that leaves status out means open (NewDeal's default), as createDeal reads it.
    rows = rows.map((r) =>
      r.target.status === undefined ? { ...r, target: { ...r.target, status: "open" as const } } : r,
    );
    const creating = opts.dryRun ? 0 : rows.reduce((n, r) => n + (r.existing ? 0 : 1), 0);
    const stored = (this.stmt("SELECT count(*) AS n FROM deals").get() as { n: number }).n;
    // Many new deals into a smaller store: building the indexes once at the end is far cheaper
    // than growing a dozen of them row by row (all inside the caller's one transaction).
    const rebuild = creating >= REBUILD_MIN_ROWS && creating > stored;
    if (rebuild)
      return this.withIndexesRebuilt(["deals", "stage_history", "deal_events"], () => this.importRows(rows, now, opts));
    return this.withCache(rows.length, () => this.importRows(rows, now, opts));
  }

  /** Drops the secondary indexes of `tables`, runs fn, then builds them again (call inside a transaction). */
  private withIndexesRebuilt<T>(tables: readonly string[], fn: () => T): T {
    const indexes = this.stmt(
      `SELECT name, sql FROM sqlite_master WHERE type = 'index' AND sql IS NOT NULL AND tbl_name IN (${tables.map(() => "?").join(", ")})`,
    ).all(...tables) as Array<{ name: string; sql: string }>;
    for (const i of indexes) this.db.exec(`DROP INDEX "${i.name.replace(/"/g, '""')}"`);
    const r = fn();
    for (const i of indexes) this.db.exec(i.sql);
    return r;
  }

  private importRows(
    rows: readonly ImportDealRow[],
    now: string,
    opts: { dryRun?: boolean },
  ): Array<{ id: string | null; action: ImportAction }> {
    const out: Array<{ id: string | null; action: ImportAction }> = [];
    const first = opts.dryRun ? 0 : this.nextDealId();
    let next = first;
    for (const { target: t, existing: e } of rows) {
      if (!e) {
        if (opts.dryRun) {
          out.push({ id: null, action: "created" });
          continue;
        }
        const id = next++;
        this.insertDealRow(id, t, Math.max(t.stage_index, t.reached_stage_index ?? 0), now);
        out.push({ id: formatDealId(id), action: "created" });
        continue;
      }
      const before = e as unknown as Row;
      const after = t as unknown as Row;
      const changed = COMPARED.filter((c) => toDb(after[c]) !== toDb(before[c]));
      if (changed.length === 0 || opts.dryRun) {
        out.push({ id: e.id, action: changed.length === 0 ? "unchanged" : "updated" });
        continue;
      }
      this.updateImported(e, t, changed, now);
      out.push({ id: e.id, action: "updated" });
    }
    if (next > first) {
      // What createDeal writes next to each new deal, derived in SQL from the rows just inserted:
      // the first stage-history row (closed at once for a closed deal) and a "created" event.
      this.stmt(
        `INSERT INTO stage_history (deal_id, stage, stage_index, tier, from_stage, entered_at, exited_at, days, exit, gate)
         SELECT id, stage, stage_index, tier, NULL, stage_entered_at,
                CASE WHEN status <> 'open' THEN closed_at END,
                CASE WHEN status <> 'open' AND closed_at IS NOT NULL THEN max(0, julianday(closed_at) - julianday(stage_entered_at)) END,
                CASE WHEN status <> 'open' AND closed_at IS NOT NULL THEN 'closed' END,
                'imported'
           FROM deals WHERE id BETWEEN ? AND ? ORDER BY id`,
      ).run(first, next - 1);
      this.stmt(
        `INSERT INTO deal_events (deal_id, at, kind, detail)
         SELECT id, ?, 'created', json_object('stage', stage, 'owner', owner, 'imported_from', external_source, 'external_id', external_id)
           FROM deals WHERE id BETWEEN ? AND ? ORDER BY id`,
      ).run(now, first, next - 1);
    }
    return out;
  }

  private updateImported(e: Deal, t: ImportDealRow["target"], changed: Compared[], now: string): void {
    const id = parseDealId(e.id)!;
    const ownerChanged = changed.includes("owner");
    const after = t as unknown as Row;
    this.stmt(
      `UPDATE deals SET ${changed.map((c) => `${c} = ?`).join(", ")}, updated_at = ?, furthest_stage_index = max(furthest_stage_index, ?)${ownerChanged ? ", owner_changes = owner_changes + 1" : ""} WHERE id = ?`,
    ).run(...changed.map((c) => toDb(after[c])), now, Math.max(t.stage_index, t.reached_stage_index ?? 0), id);

    // Stage history follows the same moves advance_stage, close_deal and a reopen record.
    const stageMoved = t.stage !== e.stage;
    const closedNow = t.status !== "open";
    if (e.status === "open") {
      if (stageMoved) {
        this.closeHistory(id, t.stage_entered_at, "advanced");
        this.openHistory(id, t, e.stage, null);
      }
      if (closedNow) this.closeHistory(id, t.closed_at!, "closed");
    } else if (!closedNow || stageMoved) {
      this.openHistory(id, t, e.stage, closedNow ? t.closed_at! : null);
    } else if (changed.includes("closed_at")) {
      this.stmt(
        "UPDATE stage_history SET exited_at = ?, days = max(0, julianday(?) - julianday(entered_at)) WHERE id = (SELECT max(id) FROM stage_history WHERE deal_id = ?)",
      ).run(t.closed_at, t.closed_at, id);
    }
    if (changed.includes("tier"))
      this.stmt("UPDATE stage_history SET tier = ? WHERE deal_id = ?").run(toDb(t.tier), id);
    const detail = Object.fromEntries(
      changed.map((c) => [c, { from: (e as unknown as Row)[c], to: after[c] ?? null }]),
    );
    this.event(id, now, ownerChanged ? "owner_changed" : "imported", { ...detail, imported_from: t.external_source });
  }

  /** Many deals at once: explicit ids, then every child table through multi-row INSERTs. */
  /**
   * Inserts whole deals as given, with explicit ids after the highest stored one. Outside a
   * transaction it runs as ONE transaction of its own, tuned for loading many deals:
   * - foreign keys are not checked row by row (parents are written before their children, with
   *   ids assigned here, so every reference holds by construction); the pragma is restored after;
   * - when the store is small, the secondary indexes of the tables written are dropped and
   *   rebuilt from their own stored definitions at the end (a sorted build is several times
   *   cheaper than growing them row by row). It is one transaction: a failure leaves the store,
   *   indexes included, as it was.
   * Inside a caller's transaction it just inserts.
   */
  insertDeals(deals: Iterable<BulkDeal>, now: string): { first: string | null; last: string | null; count: number } {
    if (this.db.inTransaction) return this.insertRows(deals, now);
    const fk = this.db.pragma("foreign_keys", { simple: true }) as number;
    this.db.pragma("foreign_keys = OFF");
    try {
      return this.withCache(256 * 1024, () =>
        this.db
          .transaction(() => {
            this.guard();
            const small = (this.stmt("SELECT count(*) AS n FROM deals").get() as { n: number }).n < REBUILD_BELOW;
            return small
              ? this.withIndexesRebuilt(LOADED_TABLES, () => this.insertRows(deals, now))
              : this.insertRows(deals, now);
          })
          .immediate(),
      );
    } finally {
      this.db.pragma(`foreign_keys = ${fk ? "ON" : "OFF"}`);
    }
  }

  private insertRows(
    deals: Iterable<BulkDeal>,
    now: string,
  ): { first: string | null; last: string | null; count: number } {
    const first = this.nextDealId();
    let id = first;
    const deal = this.stmt(INSERT_DEAL);
    const history = this.stmt(
      "INSERT INTO stage_history (deal_id, stage, stage_index, tier, from_stage, entered_at, exited_at, days, exit, gate) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
    );
    const activity = this.stmt(
      "INSERT INTO activities (deal_id, type, occurred_at, summary, duration_minutes, stage, created_at) VALUES (?, ?, ?, ?, ?, ?, ?)",
    );
    const stakeholder = this.stmt("INSERT INTO stakeholders (deal_id, name, role, decision_maker) VALUES (?, ?, ?, ?)");
    const qualification = this.stmt(INSERT_QUALIFICATION);
    for (const bd of deals) {
      const d = bd.deal;
      const b = d.bant ?? null;
      let furthest = Math.max(d.stage_index, d.reached_stage_index ?? 0);
      for (const h of bd.history) if (h.stage_index > furthest) furthest = h.stage_index;
      const tier = toDb(d.tier);
      deal.run(
        id,
        d.name,
        d.account,
        d.owner,
        toDb(d.amount),
        d.currency,
        d.stage,
        d.stage_index,
        furthest,
        d.status ?? "open",
        tier,
        toDb(d.readiness),
        toDb(d.segment),
        toDb(d.source),
        toDb(d.industry),
        toDb(d.employees),
        toDb(d.annual_revenue),
        toDb(d.need_awareness),
        toDb(d.actively_evaluating),
        toDb(d.timeline_months),
        toDb(d.external_source),
        toDb(d.external_id),
        d.created_at,
        d.stage_entered_at,
        toDb(d.expected_close_date),
        toDb(d.closed_at),
        toDb(d.close_reason),
        toDb(d.last_activity_at),
        now,
        d.owner_changes ?? 0,
        b?.budget ?? null,
        b?.authority ?? null,
        b?.need ?? null,
        b?.timeline ?? null,
        b?.score ?? null,
        b?.verdict ?? null,
        ...countsOf(bd, d.stage_entered_at),
      );
      for (const h of bd.history) {
        history.run(
          id,
          h.stage,
          h.stage_index,
          tier,
          h.from_stage,
          h.entered_at,
          h.exited_at,
          h.exited_at ? days(h.entered_at, h.exited_at) : null,
          h.exit,
          h.gate,
        );
      }
      // A loaded activity was recorded when it happened: created_at is its occurred_at.
      for (const a of bd.activities)
        activity.run(id, a.type, a.occurred_at, a.summary, a.duration_minutes, a.stage, a.occurred_at);
      for (const s of bd.stakeholders) stakeholder.run(id, s.name, s.role, s.decision_maker ? 1 : 0);
      for (const q of bd.qualifications) qualification.run(...qualificationValues(id, q.recorded_at, q));
      id++;
    }
    const count = id - first;
    return { first: count ? formatDealId(first) : null, last: count ? formatDealId(id - 1) : null, count };
  }
}
