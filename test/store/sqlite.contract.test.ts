// The store contract (contract.ts) run against the SQLite driver: a fresh temp file per test.
import { join } from "node:path";
import Database from "better-sqlite3";
import { describe, expect, it } from "vitest";
import { SqliteDealStore } from "../../src/store/sqlite/store.js";
import { tempDir } from "../helpers/connect.js";
import { describeStoreContract } from "./contract.js";

describeStoreContract("sqlite", () => {
  const tmp = tempDir("lsm-contract-");
  const path = join(tmp.dir, "deals.db");
  const opened: SqliteDealStore[] = [];
  const openStore = () => {
    const s = SqliteDealStore.open(path);
    opened.push(s);
    return s;
  };
  return {
    store: openStore(),
    reopen: openStore,
    cleanup() {
      for (const s of opened) s.close();
      tmp.cleanup();
    },
  };
});

// What only a SQLite file can show: a database of another application, even one with a deals
// table, is never taken for a backup (it would replace the store with a file it cannot open).
describe("sqlite: restoreFrom", () => {
  it("refuses another application's SQLite file that happens to have a deals table, and keeps the store", async () => {
    const tmp = tempDir("lsm-restore-");
    const store = SqliteDealStore.open(join(tmp.dir, "deals.db"));
    try {
      store.createDeal(
        {
          name: "Acme - fleet rollout",
          account: "Acme Logistics",
          owner: "Dana Lee",
          currency: "USD",
          stage: "prospecting",
          stage_index: 0,
          created_at: "2026-11-01T09:00:00.000Z",
          stage_entered_at: "2026-11-01T09:00:00.000Z",
        },
        "2026-11-28T12:00:00.000Z",
      );
      const foreign = join(tmp.dir, "crm.sqlite");
      const db = new Database(foreign);
      db.exec("CREATE TABLE deals (id INTEGER PRIMARY KEY, title TEXT); INSERT INTO deals (title) VALUES ('x');");
      db.close();
      await expect(store.restoreFrom(foreign)).rejects.toThrow(/not a lean-sales-mcp backup/);
      expect(store.getDeal("D-0001")?.name).toBe("Acme - fleet rollout");
    } finally {
      store.close();
      tmp.cleanup();
    }
  });
});
