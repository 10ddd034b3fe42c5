// Opens the SQLite file: refuses a file from a newer version (untouched), sets the pragmas on
// every connection, and applies pending migrations, each in its own BEGIN IMMEDIATE.
import { existsSync, mkdirSync } from "node:fs";
import { createRequire } from "node:module";
import { dirname } from "node:path";
import type BetterSqlite3 from "better-sqlite3";
import { MIGRATIONS } from "./migrations/index.js";
import { StoreError } from "../types.js";

export type Db = BetterSqlite3.Database;

/** "LSAL": marks a file as ours so we never migrate someone else's database. */
export const APPLICATION_ID = 0x4c53414c;
export const SCHEMA_VERSION = MIGRATIONS[MIGRATIONS.length - 1]!.version;

// Loaded on first use: start-up stays fast for clients that only read the methodology.
const require = createRequire(import.meta.url);
let Driver: typeof BetterSqlite3 | undefined;
function driver(): typeof BetterSqlite3 {
  Driver ??= require("better-sqlite3") as typeof BetterSqlite3;
  return Driver;
}

export interface OpenOptions {
  readonly?: boolean;
  /** Apply pending migrations (default true). */
  migrate?: boolean;
}

/** Reads schema version and owner of an existing file without changing a byte of it. */
export function inspectFile(path: string): { user_version: number; application_id: number } {
  const db = new (driver())(path, { readonly: true, fileMustExist: true });
  try {
    return {
      user_version: db.pragma("user_version", { simple: true }) as number,
      application_id: db.pragma("application_id", { simple: true }) as number,
    };
  } finally {
    db.close();
  }
}

export function assertCompatible(path: string): void {
  if (path === ":memory:" || !existsSync(path)) return;
  let info;
  try {
    info = inspectFile(path);
  } catch (err) {
    throw new StoreError(
      `Cannot open ${path} as a SQLite database (${(err as Error).message}). It was left untouched.`,
    );
  }
  if (info.application_id !== 0 && info.application_id !== APPLICATION_ID) {
    throw new StoreError(
      `${path} is a SQLite database of another application (application_id ${info.application_id}); it was left untouched. Choose another file with --db.`,
    );
  }
  if (info.user_version > SCHEMA_VERSION) {
    throw new StoreError(
      `${path} was written by a newer lean-sales-mcp (schema version ${info.user_version}; this version knows up to ${SCHEMA_VERSION}). Upgrade lean-sales-mcp or choose another file with --db. The file was left untouched.`,
    );
  }
}

export function openDatabase(path: string, opts: OpenOptions = {}): Db {
  assertCompatible(path);
  if (path !== ":memory:" && !opts.readonly) mkdirSync(dirname(path), { recursive: true });
  const db = new (driver())(path, { readonly: opts.readonly ?? false, timeout: 5000 });
  try {
    if (!opts.readonly) {
      const mode = db.pragma("journal_mode = WAL", { simple: true });
      if (path !== ":memory:" && mode !== "wal")
        throw new StoreError(`Could not switch ${path} to WAL journal mode (got ${String(mode)}).`);
    }
    // better-sqlite3 gives WAL connections synchronous=NORMAL unless told: FULL means a commit
    // survives power loss, at ~0.16 ms a commit.
    db.pragma("synchronous = FULL");
    db.pragma("foreign_keys = ON");
    db.pragma("busy_timeout = 5000");
    db.pragma("trusted_schema = OFF");
    // A 64 MB page cache keeps a mid-size store's analytics in memory between calls; temp
    // b-trees for GROUP BY stay in memory too.
    db.pragma("cache_size = -65536");
    db.pragma("temp_store = MEMORY");
    // Case-insensitive search beyond ASCII (names like "Östra Sjukhuset"): see filters.ts.
    db.function("fold", { deterministic: true }, (s: unknown) => (typeof s === "string" ? s.toLowerCase() : s));
    if (!opts.readonly && opts.migrate !== false) migrate(db);
    return db;
  } catch (err) {
    db.close();
    throw err;
  }
}

/** Applies every migration above the file's user_version, each in its own transaction. */
export function migrate(db: Db): number[] {
  const applied: number[] = [];
  for (const m of MIGRATIONS) {
    const run = db.transaction(() => {
      // Re-read inside the write lock: another process may have migrated meanwhile.
      const current = db.pragma("user_version", { simple: true }) as number;
      if (current >= m.version) return false;
      if (current !== m.version - 1)
        throw new StoreError(`Schema version ${current} cannot be migrated to ${m.version}.`);
      db.exec(m.sql);
      if (m.foreignKeysOff) {
        const broken = db.pragma("foreign_key_check") as unknown[];
        if (broken.length > 0)
          throw new StoreError(
            `Migration ${m.version} would break ${broken.length} foreign keys; nothing was changed.`,
          );
      }
      db.pragma(`application_id = ${APPLICATION_ID}`);
      db.pragma(`user_version = ${m.version}`);
      return true;
    });
    // A table rebuild must not cascade deletes: foreign keys can only be switched outside a transaction.
    if (m.foreignKeysOff && (db.pragma("user_version", { simple: true }) as number) < m.version)
      db.pragma("foreign_keys = OFF");
    try {
      if (run.immediate()) applied.push(m.version);
    } finally {
      if (m.foreignKeysOff) db.pragma("foreign_keys = ON");
    }
  }
  return applied;
}

/** A consistent copy of the file while others write (one step; the stepwise backup never ends under writes). */
/** SQLite's full integrity check of a database file, opened read-only: "ok" or what it found. */
export function integrityOf(path: string): string {
  const db = openDatabase(path, { readonly: true, migrate: false });
  try {
    return String(db.pragma("integrity_check", { simple: true }));
  } finally {
    db.close();
  }
}

/**
 * The id for the next deal: above every deal stored and every deal ever deleted (ids are never
 * reused). Call inside the write transaction that inserts it.
 */
export function nextDealId(db: Db): number {
  const row = db
    .prepare(
      "SELECT max(coalesce((SELECT max(id) FROM deals), 0), coalesce((SELECT max_id FROM deal_id_high_water), 0)) AS n",
    )
    .get() as { n: number };
  return row.n + 1;
}

/**
 * Closes the connection. No `PRAGMA optimize`: the queries are planned without statistics, and
 * the sampled ones it left misled the planner (migration 10).
 */
export function closeDatabase(db: Db): void {
  if (db.open) db.close();
}
