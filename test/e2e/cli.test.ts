// The built bin's command line, as a person at a terminal uses it.
import { existsSync, readdirSync } from "node:fs";
import { join } from "node:path";
import Database from "better-sqlite3";
import { afterAll, describe, expect, it } from "vitest";
import { cleanupE2E, connectStdio, runToExit, sha256, tempDb } from "../helpers/spawn.js";

afterAll(cleanupE2E);

/** Deal names in the file, read with a throwaway connection. */
function dealNames(db: string): string[] {
  const conn = new Database(db, { readonly: true, fileMustExist: true });
  try {
    return (conn.prepare("SELECT name FROM deals ORDER BY id").all() as Array<{ name: string }>).map((r) => r.name);
  } finally {
    conn.close();
  }
}

async function createDeals(db: string, names: string[]): Promise<void> {
  const c = await connectStdio(db);
  try {
    for (const name of names)
      await c.callOk("create_deal", { name, account: "Acme Logistics", owner: "Dana Lee", amount: 12000 });
  } finally {
    await c.close();
  }
}

describe("cli: usage", () => {
  it("--help prints usage to stderr and exits 0", async () => {
    const r = await runToExit(["--help"]);
    expect(r.code).toBe(0);
    expect(r.stdout).toBe("");
    expect(r.stderr).toMatch(/lean-sales-mcp/);
    expect(r.stderr).toMatch(/--http/);
    expect(r.stderr).toMatch(/--db PATH/);
    expect(r.stderr).toMatch(/backup FILE/);
  });

  it("an unknown flag exits 2 with a message naming it and pointing at --help", async () => {
    const r = await runToExit(["--no-such-flag"]);
    expect(r.code).toBe(2);
    expect(r.stdout).toBe("");
    expect(r.stderr).toMatch(/--no-such-flag/);
    expect(r.stderr).toMatch(/--help/);
  });

  it("an unknown command exits 2 with the commands it knows", async () => {
    const r = await runToExit(["frobnicate", "--db", tempDb().db]);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/frobnicate/);
    expect(r.stderr).toMatch(/status/);
  });
});

describe("cli: status", () => {
  it("status --json on a fresh --db prints the schema version and row counts", async () => {
    const { db } = tempDb();
    const r = await runToExit(["status", "--json", "--db", db]);
    expect(r.code, r.stderr).toBe(0);
    const info = JSON.parse(r.stdout);
    expect(info.schema_version).toBeGreaterThanOrEqual(1);
    expect(info.schema_version).toBe(info.schema_version_supported);
    expect(info.counts).toMatchObject({ deals: 0 });
    expect(info.integrity).toBe("ok");
    expect(info.db).toBe(db);
    expect(existsSync(`${db}-wal`)).toBe(false);
  });

  it("status counts deals created over stdio", async () => {
    const { db } = tempDb();
    await createDeals(db, ["One", "Two"]);
    const info = JSON.parse((await runToExit(["status", "--json", "--db", db])).stdout);
    expect(info.counts.deals).toBe(2);
  });
});

describe("cli: backup and restore", () => {
  it("backup FILE then restore FILE --force round-trips the deals", async () => {
    const { dir, db } = tempDb();
    const originals = ["Acme - fleet rollout", "Globex - pilot", "Initech - renewal"];
    await createDeals(db, originals);
    const backup = join(dir, "backup.db");

    const b = await runToExit(["backup", backup, "--db", db]);
    expect(b.code, b.stderr).toBe(0);
    expect(b.stdout).toMatch(/integrity ok/);
    expect(dealNames(backup)).toEqual(originals);
    expect(readdirSync(dir).filter((f) => f.endsWith(".partial"))).toEqual([]);

    // The store moves on after the backup...
    await createDeals(db, ["Created after the backup"]);
    expect(dealNames(db)).toHaveLength(4);

    // ...restoring over deals needs --force, and leaves the store alone without it.
    const refused = await runToExit(["restore", backup, "--db", db]);
    expect(refused.code).not.toBe(0);
    expect(refused.stderr).toMatch(/--force/);
    expect(dealNames(db)).toHaveLength(4);

    const r = await runToExit(["restore", backup, "--force", "--db", db]);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).toMatch(/restored 3 deals/);
    expect(dealNames(db)).toEqual(originals);

    // The restored store serves: a client reads a deal back.
    const c = await connectStdio(db);
    try {
      const list = await c.callOk("list_deals", {});
      expect(list.total).toBe(3);
      const { deal } = await c.callOk("create_deal", { name: "After restore", account: "Acme", owner: "Dana Lee" });
      expect(deal.name).toBe("After restore");
    } finally {
      await c.close();
    }
  });

  it("backup refuses to overwrite an existing file", async () => {
    const { dir, db } = tempDb();
    await createDeals(db, ["Keep me"]);
    const backup = join(dir, "backup.db");
    expect((await runToExit(["backup", backup, "--db", db])).code).toBe(0);
    const before = sha256(backup);
    const again = await runToExit(["backup", backup, "--db", db]);
    expect(again.code).not.toBe(0);
    expect(again.stderr).toMatch(/already exists/);
    expect(sha256(backup)).toBe(before);
  });
});

describe("cli: a database from a newer version", () => {
  function futureDb(): { dir: string; db: string; hash: string } {
    const { dir, db } = tempDb("future.db");
    const conn = new Database(db);
    conn.exec(
      "CREATE TABLE deals (id INTEGER PRIMARY KEY, name TEXT); INSERT INTO deals (name) VALUES ('from the future');",
    );
    conn.pragma("user_version = 99");
    conn.close();
    return { dir, db, hash: sha256(db) };
  }

  it("status refuses a file whose user_version is 99, says why, and leaves it byte-identical", async () => {
    const { dir, db, hash } = futureDb();
    const r = await runToExit(["status", "--json", "--db", db]);
    expect(r.code).not.toBe(0);
    expect(r.stdout).toBe("");
    expect(r.stderr).toMatch(/newer/);
    expect(r.stderr).toMatch(/99/);
    expect(r.stderr).toMatch(/untouched/);
    expect(r.stderr).not.toMatch(/\n\s+at /); // a message, not a stack trace
    expect(sha256(db)).toBe(hash);
    expect(readdirSync(dir).sort()).toEqual(["future.db"]);
  });

  it("serving over stdio answers tool calls with an isError that says why, and leaves the file byte-identical", async () => {
    const { dir, db, hash } = futureDb();
    const c = await connectStdio(db);
    try {
      const r = await c.call("create_deal", { name: "Should not land", account: "Acme", owner: "Dana Lee" });
      expect(r.isError).toBe(true);
      expect(JSON.stringify(r.content)).toMatch(/newer/);
      await expect(c.client.ping()).resolves.toBeDefined();
    } finally {
      await c.close();
    }
    expect(sha256(db)).toBe(hash);
    expect(readdirSync(dir).sort()).toEqual(["future.db"]);
  });

  it("backup and restore refuse it too", async () => {
    const { dir, db, hash } = futureDb();
    const b = await runToExit(["backup", join(dir, "copy.db"), "--db", db]);
    expect(b.code).not.toBe(0);
    expect(b.stderr).toMatch(/newer/);

    const fresh = tempDb();
    await createDeals(fresh.db, ["Current"]);
    const freshHash = sha256(fresh.db);
    const r = await runToExit(["restore", db, "--force", "--db", fresh.db]);
    expect(r.code).not.toBe(0);
    expect(r.stderr).toMatch(/newer/);
    expect(sha256(db)).toBe(hash);
    expect(sha256(fresh.db)).toBe(freshHash);
    expect(dealNames(fresh.db)).toEqual(["Current"]);
  });
});
