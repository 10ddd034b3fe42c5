// A hash of every row of every table: equal before and after means nothing was written.
import { createHash } from "node:crypto";
import type { SqliteDealStore } from "../../src/store/sqlite/store.js";
import type { DealStore } from "../../src/store/types.js";

export function dbHash(store: DealStore): string {
  const db = (store as SqliteDealStore).db;
  const h = createHash("sha256");
  const tables = db
    .prepare("SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%' ORDER BY name")
    .all() as Array<{ name: string }>;
  for (const { name } of tables) {
    h.update(name);
    for (const row of db.prepare(`SELECT * FROM "${name}" ORDER BY 1`).iterate()) h.update(JSON.stringify(row));
  }
  return h.digest("hex");
}
