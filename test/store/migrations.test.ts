// Numbered, forward-only migrations: an empty file, a file of an earlier version with data in
// it (kept and backfilled), and the schema they produce (snapshot: drift fails CI).
import { join } from "node:path";
import Database from "better-sqlite3";
import { afterAll, describe, expect, it } from "vitest";
import { migrate, openDatabase, SCHEMA_VERSION } from "../../src/store/sqlite/db.js";
import { MIGRATIONS } from "../../src/store/sqlite/migrations/index.js";
import { SqliteDealStore } from "../../src/store/sqlite/store.js";
import { tempDir } from "../helpers/connect.js";

const tmp = tempDir("lsm-migrate-");
afterAll(() => tmp.cleanup());

function schemaOf(db: Database.Database): string {
  return (
    db
      .prepare("SELECT type, name, tbl_name, sql FROM sqlite_master WHERE name NOT LIKE 'sqlite_%' ORDER BY type, name")
      .all() as Array<{ sql: string | null }>
  )
    .map((r) => JSON.stringify(r))
    .join("\n");
}

describe("migrations", () => {
  it("bring an empty file to the current version", () => {
    const db = openDatabase(join(tmp.dir, "empty.db"));
    expect(db.pragma("user_version", { simple: true })).toBe(SCHEMA_VERSION);
    expect(db.pragma("application_id", { simple: true })).toBe(0x4c53414c);
    expect(migrate(db)).toEqual([]);
    db.close();
  });

  it("the schema they produce matches its snapshot", async () => {
    const db = openDatabase(join(tmp.dir, "snap.db"));
    await expect(schemaOf(db) + "\n").toMatchFileSnapshot("../__snapshots__/schema.sql.json");
    db.close();
  });

  it("bring a file of the first version with deals in it forward, keeping and backfilling its data", () => {
    const path = join(tmp.dir, "v1.db");
    const old = new Database(path);
    old.pragma("journal_mode = WAL");
    old.exec(MIGRATIONS[0]!.sql);
    old.pragma("user_version = 1");
    const now = "2026-11-01T00:00:00.000Z";
    old
      .prepare(
        `INSERT INTO deals (id, name, account, owner, currency, stage, stage_index, furthest_stage_index, status, created_at, stage_entered_at, updated_at)
       VALUES (1, 'Old deal', 'Old Co', 'Dana', 'USD', 'discovery', 1, 1, 'open', ?, ?, ?)`,
      )
      .run(now, "2026-11-10T00:00:00.000Z", now);
    const act = old.prepare(
      "INSERT INTO activities (deal_id, type, occurred_at, summary, stage, created_at) VALUES (1, ?, ?, 'x', 'discovery', ?)",
    );
    for (const [type, at] of [
      ["meeting", "2026-11-05T00:00:00.000Z"],
      ["meeting", "2026-11-12T00:00:00.000Z"],
      ["proposal", "2026-11-13T00:00:00.000Z"],
      ["internal", "2026-11-14T00:00:00.000Z"],
    ])
      act.run(type, at, now);
    old
      .prepare(
        "INSERT INTO stakeholders (deal_id, name, role, decision_maker) VALUES (1, 'A', NULL, 1), (1, 'B', NULL, 0)",
      )
      .run();
    old.close();

    const store = SqliteDealStore.open(path);
    expect(store.db.pragma("user_version", { simple: true })).toBe(SCHEMA_VERSION);
    expect(store.getDeal("D-0001")!.name).toBe("Old deal");
    const row = store.db
      .prepare(
        "SELECT n_meeting, n_proposal, n_internal, n_email, stage_meetings, stage_proposals, stakeholder_count, decision_makers FROM deals WHERE id = 1",
      )
      .get();
    expect(row).toEqual({
      n_meeting: 2,
      n_proposal: 1,
      n_internal: 1,
      n_email: 0,
      stage_meetings: 1,
      stage_proposals: 1,
      stakeholder_count: 2,
      decision_makers: 1,
    });
    expect(store.db.prepare("SELECT count(*) AS n FROM baselines").get()).toEqual({ n: 0 });
    store.close();
  });

  it("the counters stay equal to a recount after writes through the store", () => {
    const store = SqliteDealStore.open(join(tmp.dir, "counters.db"));
    const now = "2026-11-28T00:00:00.000Z";
    const d = store.createDeal(
      {
        name: "C",
        account: "C",
        owner: "D",
        currency: "USD",
        stage: "prospecting",
        stage_index: 0,
        created_at: "2026-11-01T00:00:00.000Z",
        stage_entered_at: "2026-11-01T00:00:00.000Z",
        stakeholders: [{ name: "X", role: null, decision_maker: false }],
      },
      now,
    );
    store.logActivity(d.id, { type: "meeting", occurred_at: "2026-11-02T00:00:00.000Z", summary: "m" }, now);
    store.logActivity(d.id, { type: "proposal", occurred_at: "2026-11-03T00:00:00.000Z", summary: "p" }, now);
    store.moveStage(d.id, { stage: "discovery", stage_index: 1, at: "2026-11-04T00:00:00.000Z", gate: "passed" }, now);
    store.logActivity(d.id, { type: "meeting", occurred_at: "2026-11-05T00:00:00.000Z", summary: "m2" }, now);
    store.upsertStakeholders(d.id, [{ name: "Y", role: "CFO", decision_maker: true }]);
    const recount = store.db
      .prepare(
        `SELECT (SELECT count(*) FROM activities WHERE deal_id = 1 AND type = 'meeting') AS n_meeting,
                (SELECT count(*) FROM activities WHERE deal_id = 1 AND type = 'meeting' AND occurred_at >= d.stage_entered_at) AS stage_meetings,
                (SELECT count(*) FROM activities WHERE deal_id = 1 AND type = 'proposal' AND occurred_at >= d.stage_entered_at) AS stage_proposals,
                (SELECT count(*) FROM stakeholders WHERE deal_id = 1) AS stakeholder_count,
                (SELECT count(*) FROM stakeholders WHERE deal_id = 1 AND decision_maker = 1) AS decision_makers
           FROM deals d WHERE id = 1`,
      )
      .get();
    expect(
      store.db
        .prepare(
          "SELECT n_meeting, stage_meetings, stage_proposals, stakeholder_count, decision_makers FROM deals WHERE id = 1",
        )
        .get(),
    ).toEqual(recount);
    expect(recount).toEqual({
      n_meeting: 2,
      stage_meetings: 1,
      stage_proposals: 0,
      stakeholder_count: 2,
      decision_makers: 1,
    });
    store.close();
  });

  it("the deals table rebuild (version 6, nurture) keeps every deal and every row that hangs off it", () => {
    const path = join(tmp.dir, "v5.db");
    const old = new Database(path);
    old.pragma("journal_mode = WAL");
    old.pragma("foreign_keys = ON");
    for (const mg of MIGRATIONS.filter((x) => x.version <= 5)) old.exec(mg.sql);
    old.pragma("user_version = 5");
    const now = "2026-11-01T00:00:00.000Z";
    const ins = old.prepare(
      `INSERT INTO deals (id, name, account, owner, amount, currency, stage, stage_index, furthest_stage_index, status, created_at, stage_entered_at, updated_at, n_meeting, stakeholder_count)
       VALUES (?, ?, 'Co', 'Dana', 1000, 'USD', 'discovery', 1, 1, ?, ?, ?, ?, 1, 1)`,
    );
    for (let i = 1; i <= 50; i++) ins.run(i, `Deal ${i}`, i % 5 === 0 ? "lost" : "open", now, now, now);
    old
      .prepare(
        "INSERT INTO activities (deal_id, type, occurred_at, summary, stage, created_at) SELECT id, 'meeting', ?, 'm', 'discovery', ? FROM deals",
      )
      .run(now, now);
    old
      .prepare("INSERT INTO stakeholders (deal_id, name, role, decision_maker) SELECT id, 'A', NULL, 0 FROM deals")
      .run();
    old
      .prepare(
        "INSERT INTO stage_history (deal_id, stage, stage_index, entered_at, gate) SELECT id, 'discovery', 1, ?, 'created' FROM deals",
      )
      .run(now);
    old.close();

    const store = SqliteDealStore.open(path);
    expect(store.db.pragma("user_version", { simple: true })).toBe(SCHEMA_VERSION);
    expect(store.counts()).toMatchObject({ deals: 50, activities: 50, stakeholders: 50, stage_history: 50 });
    expect(store.db.pragma("foreign_key_check")).toEqual([]);
    expect(store.db.pragma("foreign_keys", { simple: true })).toBe(1);
    expect(store.getDeal("D-0005")).toMatchObject({ status: "lost", revisit_on: null });
    // The new status is accepted, and only with a revisit date on a parked deal.
    store.parkDeal("D-0001", "2027-03-01", now);
    expect(store.getDeal("D-0001")).toMatchObject({ status: "nurture", revisit_on: "2027-03-01" });
    expect(() => store.db.prepare("UPDATE deals SET revisit_on = '2027-01-01' WHERE id = 2").run()).toThrow(/CHECK/);
    store.close();
  });

  it("qualifications recorded before frameworks (version 7) read as BANT, with their statuses", () => {
    const path = join(tmp.dir, "v7.db");
    const old = new Database(path);
    for (const m of MIGRATIONS.filter((x) => x.version <= 7)) old.exec(m.sql);
    old.pragma("user_version = 7");
    const now = "2026-11-01T00:00:00.000Z";
    old
      .prepare(
        `INSERT INTO deals (id, name, account, owner, currency, stage, stage_index, furthest_stage_index, status, created_at, stage_entered_at, updated_at,
                            bant_budget, bant_authority, bant_need, bant_timeline, bant_score, bant_verdict)
         VALUES (1, 'Old deal', 'Old Co', 'Dana', 'USD', 'discovery', 1, 1, 'open', ?, ?, ?, 'approved', 'unknown', 'critical', 'defined', 81, 'needs_discovery')`,
      )
      .run(now, now, now);
    old
      .prepare(
        `INSERT INTO qualifications (deal_id, recorded_at, budget, authority, need, timeline, score, verdict, detail)
         VALUES (1, ?, 'approved', 'unknown', 'critical', 'defined', 81, 'needs_discovery', '{}')`,
      )
      .run(now);
    old.close();

    const store = SqliteDealStore.open(path);
    expect(store.latestQualification("D-0001")).toMatchObject({
      framework: "bant",
      statuses: { budget: "approved", authority: "unknown", need: "critical", timeline: "defined" },
    });
    expect(store.getDeal("D-0001")!.bant).toMatchObject({ framework: "bant", verdict: "needs_discovery" });
    store.close();
  });

  it("sampled planner statistics (PRAGMA optimize's, before version 10) are removed, and closing writes none", () => {
    const path = join(tmp.dir, "v9-stats.db");
    const old = new Database(path);
    for (const m of MIGRATIONS.filter((x) => x.version <= 9)) old.exec(m.sql);
    old.pragma("user_version = 9");
    old.pragma("analysis_limit = 100");
    old.exec("ANALYZE");
    const tables = (d: Database.Database) =>
      (d.prepare("SELECT name FROM sqlite_master WHERE name LIKE 'sqlite_stat%'").all() as Array<{ name: string }>).map(
        (r) => r.name,
      );
    expect(tables(old)).toContain("sqlite_stat1");
    old.close();

    const store = SqliteDealStore.open(path);
    expect(tables(store.db)).toEqual([]);
    store.close();
    const after = new Database(path, { readonly: true });
    expect(tables(after)).toEqual([]);
    after.close();
  });
});
