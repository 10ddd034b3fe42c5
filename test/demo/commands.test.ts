// `lean-sales-mcp demo` and `lean-sales-mcp import`: the same code as the tools, at a terminal.
import { join, resolve } from "node:path";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { runCommand } from "../../src/commands/index.js";
import { ConfigError, parseConfig } from "../../src/config.js";
import { createLogger } from "../../src/log.js";
import { SqliteDealStore } from "../../src/store/sqlite/store.js";
import type { DealStore } from "../../src/store/types.js";
import type { Deps } from "../../src/app/deps.js";
import { methodology, tempDir } from "../helpers/connect.js";

let tmp: ReturnType<typeof tempDir>;
beforeEach(() => {
  tmp = tempDir();
});
afterEach(() => tmp.cleanup());

/** Runs a command against a store file and returns what it printed on stdout. */
async function run(argv: string[]): Promise<string> {
  const config = parseConfig(argv, {});
  let store: DealStore | undefined;
  const deps: Deps = {
    methodology: methodology(),
    store: () => (store ??= SqliteDealStore.open(config.db)),
    log: createLogger("silent"),
    importRoots: [],
    now: () => new Date("2026-11-28T12:00:00.000Z"),
  };
  let printed = "";
  try {
    await runCommand(config, deps, { out: (s) => void (printed += s), err: () => undefined, tty: false });
  } finally {
    store?.close();
  }
  return printed;
}

const dump = (path: string) => {
  const s = SqliteDealStore.open(path);
  try {
    return ["deals", "stage_history", "activities", "stakeholders", "qualifications"].map((t) =>
      s.db.prepare(`SELECT * FROM ${t} ORDER BY id`).all(),
    );
  } finally {
    s.close();
  }
};

describe("lean-sales-mcp demo", () => {
  it("seeds a deterministic pipeline and refuses a store that holds deals unless --force", async () => {
    const a = join(tmp.dir, "a.db");
    const b = join(tmp.dir, "b.db");
    const out = await run(["demo", "--db", a, "--deals", "120", "--seed", "7", "--as-of", "2026-11-28"]);
    expect(out).toMatch(/seeded 120 demo deals \(D-0001 to D-0120\)/);
    expect(out).toMatch(/seed 7, as of 2026-11-28/);
    await run(["demo", "--db", b, "--deals", "120", "--seed", "7", "--as-of", "2026-11-28"]);
    expect(dump(b)).toEqual(dump(a));

    await expect(run(["demo", "--db", a])).rejects.toThrow(/already holds 120 deals; pass --force/);
    expect(await run(["demo", "--db", a, "--deals", "10", "--force", "--as-of", "2026-11-28"])).toMatch(
      /seeded 10 demo deals \(D-0121 to D-0130\).*next to 120 existing deals/,
    );
    await expect(run(["demo", "--db", b, "--as-of", "28/11/2026", "--force"])).rejects.toThrow(ConfigError);
    await expect(run(["demo", "--db", b, "--deals", "many", "--force"])).rejects.toThrow(
      /--deals must be a whole number/,
    );
  });
});

describe("lean-sales-mcp import", () => {
  it("imports a CRM export with the import_deals rules, and dry-runs", async () => {
    const db = join(tmp.dir, "c.db");
    const file = resolve("test/fixtures/pipedrive-deals.csv");
    const dry = await run(["import", file, "--db", db, "--dry-run"]);
    expect(dry).toMatch(/dry run, nothing written: 7 rows read .* as pipedrive/);
    expect(dry).toMatch(/7 to create/);
    const out = await run(["import", file, "--db", db]);
    expect(out).toMatch(/7 created, 0 updated, 0 unchanged, 0 rejected/);
    expect(out).toMatch(/stages: Qualified -> prospecting/);
    expect(await run(["import", file, "--db", db])).toMatch(/0 created, 0 updated, 7 unchanged/);
  });

  it("takes --mapping and --stage-map as JSON and reports bad rows", async () => {
    const db = join(tmp.dir, "d.db");
    const { writeFileSync } = await import("node:fs");
    const file = join(tmp.dir, "sheet.csv");
    writeFileSync(file, "Project,Org,Phase\nAtlas,Atlas Corp,Pitching\nBeacon,Beacon Ltd,Limbo\n");
    const out = await run([
      "import",
      file,
      "--db",
      db,
      "--mapping",
      '{"name":"Project","account":"Org","stage":"Phase"}',
      "--stage-map",
      '{"Pitching":"solution_presentation"}',
    ]);
    expect(out).toMatch(/1 created, 0 updated, 0 unchanged, 1 rejected/);
    expect(out).toMatch(/row 3 \(stage\): stage "Limbo"/);
    await expect(run(["import", file, "--db", db, "--mapping", "{name"])).rejects.toThrow(
      /--mapping must be a JSON object/,
    );
    await expect(run(["import", file, "--db", db, "--stage-map", '{"Pitching":"nowhere"}'])).rejects.toThrow(
      /--stage-map \(Pitching\)/,
    );
    await expect(run(["import", file, "--db", db, "--format", "zoho"])).rejects.toThrow(/--format/);
    await expect(run(["import", join(tmp.dir, "missing.csv"), "--db", db])).rejects.toThrow(/no file at/);
    await expect(run(["import", "--db", db])).rejects.toThrow(/import needs a CSV file/);
  });
});
