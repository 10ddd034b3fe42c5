// K4 and B1: more than one process on one store file (reliability findings §2.4, §2.5; plan K4,
// B1). Two servers write at once (say Claude Desktop over stdio and an HTTP instance on the
// default per-user file): no SQLITE_BUSY may reach a client. A backup from the command line while
// a server writes finishes in seconds with a consistent snapshot, and restores.
import { join } from "node:path";
import Database from "better-sqlite3";
import { afterAll, describe, expect, it } from "vitest";
import { checkFile, concurrentFigures, realServer, RpcChild, runConcurrentProcesses } from "../helpers/crash.js";
import { recordFigures } from "../helpers/fuzz.js";
import { cleanupE2E, runToExit, tempDb } from "../helpers/spawn.js";

afterAll(cleanupE2E);

describe("K4: two server processes writing one file", () => {
  it(
    "10 s of concurrent creates, activities and read-modify-write updates from two processes: 0 busy errors, nothing lost, counts consistent",
    { timeout: 60_000 },
    async () => {
      const { db } = tempDb();
      // The file exists (schema applied) before both start, as with a store already in use.
      expect((await runToExit(["status", "--db", db])).code).toBe(0);
      const r = await runConcurrentProcesses({ db, processes: 2, writersPerProcess: 3, durationMs: 10_000, tag: "k4" });
      recordFigures("K4", concurrentFigures(r, 10));
      expect(r.busy).toBe(0);
      expect(r.otherErrors).toEqual([]);
      expect(r.lost).toBe(0);
      expect(r.integrity).toBe("ok");
      expect(r.foreignKeyViolations).toBe(0);
      expect(r.invariantViolations).toEqual([]);
      expect(r.duplicates).toBe(0);
      for (const n of r.callsPerProcess) expect(n).toBeGreaterThan(50); // both really wrote
    },
  );
});

/** Bulk rows straight into the schema (faster than 20,000 tool calls); every invariant holds for them. */
function seedStore(db: string, n: number): void {
  const conn = new Database(db);
  try {
    const now = "2026-01-05T09:00:00.000Z";
    const deal = conn.prepare(
      "INSERT INTO deals (name, account, owner, amount, currency, stage, stage_index, furthest_stage_index, created_at, stage_entered_at, updated_at, last_activity_at) VALUES (?, ?, 'Dana Lee', ?, 'USD', 'prospecting', 0, 0, ?, ?, ?, ?)",
    );
    const history = conn.prepare(
      "INSERT INTO stage_history (deal_id, stage, stage_index, entered_at, gate) VALUES (?, 'prospecting', 0, ?, 'created')",
    );
    const activity = conn.prepare(
      "INSERT INTO activities (deal_id, type, occurred_at, summary, stage, created_at) VALUES (?, 'call', ?, ?, 'prospecting', ?)",
    );
    // Schema 4 on keeps a per-deal count of calls: one each here.
    const counted = (conn.prepare("PRAGMA table_info(deals)").all() as Array<{ name: string }>).some(
      (c) => c.name === "n_call",
    );
    conn.transaction(() => {
      for (let i = 0; i < n; i++) {
        const id = Number(deal.run(`seed-${i}`, `Account ${i % 500}`, 1000 + i, now, now, now, now).lastInsertRowid);
        history.run(id, now);
        activity.run(id, now, `Seeded call ${i}: ${"notes ".repeat(40)}`, now);
      }
      if (counted) conn.exec("UPDATE deals SET n_call = 1 WHERE name LIKE 'seed-%'");
    })();
  } finally {
    conn.close();
  }
}

describe("B1: backup while another process writes", () => {
  it(
    "3 backups from the command line during writes: each < 5 s, integrity ok, a consistent snapshot; the backup restores",
    { timeout: 90_000 },
    async () => {
      const { dir, db } = tempDb();
      // A store with some history (10,000 deals, each with its stage history and an activity), so a
      // backup takes long enough for writes to land while it runs.
      expect((await runToExit(["status", "--db", db])).code).toBe(0);
      seedStore(db, 10_000);
      const server = new RpcChild(process.execPath, [...realServer().args, "--db", db]);
      await server.initialize();
      let stop = false;
      let acked = 0;
      const writer = async (w: number) => {
        let dealId: string | undefined;
        for (let i = 0; !stop; i++) {
          const rid = `b1-w${w}-${i}`;
          const [tool, args] =
            dealId && i % 2
              ? ["log_activity", { deal_id: dealId, type: "email", summary: rid, request_id: rid }]
              : ["create_deal", { name: rid, account: "Acme", owner: "Dana Lee", amount: i, request_id: rid }];
          const a = await server.callTool(tool as string, args as Record<string, unknown>);
          if (a.result && !a.result.isError) {
            acked++;
            if (tool === "create_deal") dealId = a.result.structuredContent?.deal?.id;
          }
        }
      };
      const writers = [0, 1, 2].map(writer);
      const backups: Array<{
        file: string;
        wallMs: number;
        reportedMs: number;
        deals: number;
        integrity: string;
        invariants: string[];
      }> = [];
      try {
        while (acked < 50) await new Promise((r) => setTimeout(r, 20));
        for (let i = 1; i <= 3; i++) {
          const file = join(dir, `backup-${i}.db`);
          const before = acked;
          const t0 = Date.now();
          const b = await runToExit(["backup", file, "--db", db], { timeoutMs: 30_000 });
          const wallMs = Date.now() - t0;
          expect(b.code, b.stderr).toBe(0);
          expect(b.stdout).toMatch(/integrity ok/);
          const reportedMs = Number(/in (\d+) ms/.exec(b.stdout)?.[1] ?? NaN);
          // The writer kept going during the backup (it was really concurrent).
          expect(acked).toBeGreaterThan(before);
          const check = checkFile(file, "b1");
          const conn = new Database(file, { readonly: true });
          const deals = (conn.prepare("SELECT count(*) AS n FROM deals").get() as { n: number }).n;
          conn.close();
          backups.push({
            file,
            wallMs,
            reportedMs,
            deals,
            integrity: check.integrity,
            invariants: check.invariantViolations,
          });
          expect(check.integrity).toBe("ok");
          expect(check.foreignKeyViolations).toBe(0);
          expect(check.invariantViolations).toEqual([]);
          while (acked < before + 30) await new Promise((r) => setTimeout(r, 20));
        }
      } finally {
        stop = true;
        await Promise.all(writers);
        await server.close();
      }
      // Each later backup holds more: snapshots taken at different moments, none empty.
      expect(backups[0]!.deals).toBeGreaterThan(0);
      expect(backups[2]!.deals).toBeGreaterThan(backups[0]!.deals);
      for (const b of backups) expect(b.wallMs).toBeLessThan(5_000);

      // The last backup restores into a fresh store, which then has exactly its deals.
      const fresh = join(dir, "restored.db");
      const r = await runToExit(["restore", backups[2]!.file, "--db", fresh]);
      expect(r.code, r.stderr).toBe(0);
      expect(r.stdout).toMatch(new RegExp(`restored ${backups[2]!.deals} deals`));
      const status = JSON.parse((await runToExit(["status", "--json", "--db", fresh])).stdout);
      expect(status.counts.deals).toBe(backups[2]!.deals);
      expect(status.integrity).toBe("ok");
      expect(checkFile(fresh, "b1").invariantViolations).toEqual([]);
      recordFigures("B1", {
        backups: backups.map((b) => ({
          wall_ms: b.wallMs,
          reported_ms: b.reportedMs,
          deals: b.deals,
          integrity: b.integrity,
        })),
        writes_acked_during: acked,
        restored_deals: status.counts.deals,
      });
    },
  );
});
