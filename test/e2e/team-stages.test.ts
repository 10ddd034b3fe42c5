// A team's own stages (issue 15): a five-stage pipeline with entrance criteria served from a
// methodology folder (examples/five-stage-meddicc/stages.json, the README's worked example),
// driven through a real client from create to close; and a store written with the reference's
// six stages that meets it, with and without a stage map, read-only, and from two processes at once.
import { copyFileSync, mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import Database from "better-sqlite3";
import { afterAll, describe, expect, it } from "vitest";
import { cleanupE2E, connectStdio, runToExit, sha256, tempDb } from "../helpers/spawn.js";
import { tempDir } from "../helpers/connect.js";
import { MIGRATIONS } from "../../src/store/sqlite/migrations/index.js";
import { SCHEMA_VERSION } from "../../src/store/sqlite/db.js";

afterAll(cleanupE2E);

const EXAMPLE = join(import.meta.dirname, "..", "..", "examples", "five-stage-meddicc", "stages.json");
const FIVE = ["prospecting", "discovery", "proposal", "closing", "success"];

/** A methodology folder holding the example's stages.json, optionally changed. */
function teamFolder(root: string, name: string, change?: (stages: any) => void): string {
  const dir = join(root, name);
  mkdirSync(dir, { recursive: true });
  copyFileSync(EXAMPLE, join(dir, "stages.json"));
  if (change) {
    const json = JSON.parse(readFileSync(join(dir, "stages.json"), "utf8"));
    change(json);
    writeFileSync(join(dir, "stages.json"), JSON.stringify(json, null, 2));
  }
  return dir;
}

const read = <T>(db: string, sql: string): T[] => {
  const d = new Database(db, { readonly: true });
  try {
    return d.prepare(sql).all() as T[];
  } finally {
    d.close();
  }
};

describe("a five-stage pipeline with entrance criteria, served from a team's folder", () => {
  const tmp = tempDir("lsm-stages-");
  afterAll(() => tmp.cleanup());
  const dir = teamFolder(tmp.dir, "five");

  it("lists its stages in the schemas, gates on exit and entrance criteria, and closes a deal", async () => {
    const { db } = tempDb();
    const c = await connectStdio(db, ["--methodology", dir]);
    try {
      const tools = (await c.client.listTools()).tools;
      const gate = tools.find((t) => t.name === "check_stage_exit")!;
      expect((gate.inputSchema.properties!.stage as { enum: string[] }).enum).toEqual(FIVE);

      const { deal } = await c.callOk("create_deal", { name: "Acme rollout", account: "Acme", amount: 48000 });
      expect(deal.stage).toBe("prospecting");
      const check = async (met: string[], evidence?: Record<string, string>) =>
        c.callOk("check_stage_exit", { deal_id: deal.id, met, ...(evidence ? { evidence } : {}) });
      const advance = () => c.callOk("advance_stage", { deal_id: deal.id });

      // Prospecting -> Discovery: Discovery's entrance criteria follow from Prospecting's exit.
      const p = await check(["meeting_agreed", "basic_fit_assessed", "contact_verified"]);
      expect(p).toMatchObject({ can_advance: true, next_stage: "discovery" });
      expect(p.criteria.filter((x: any) => x.entrance).every((x: any) => x.met === true)).toBe(true);
      expect(await advance()).toMatchObject({ moved: true, gate: "passed", to_stage: "discovery" });

      // Discovery -> Solution & Proposal: one entrance criterion stands on its own (the economic buyer).
      const d = await check(["challenge_understood", "stakeholders_identified", "fit_assessed", "proposal_agreed"]);
      expect(d).toMatchObject({ can_advance: false, unmet: ["economic_buyer_named"], next_stage: "proposal" });
      const shown = await c.call("check_stage_exit", { deal_id: deal.id });
      expect((shown.content as Array<{ text: string }>)[0]!.text).toMatch(
        /To enter Solution & Proposal: The economic buyer is named/,
      );
      const refused = await advance();
      expect(refused).toMatchObject({ moved: false, gate: "refused", unmet: ["economic_buyer_named"] });
      expect(refused.reasons.join(" ")).toMatch(/Solution & Proposal entrance criterion "The economic buyer is named"/);
      expect((await check([], { economic_buyer_named: "CFO Dana Ortiz signs off" })).can_advance).toBe(true);
      expect(await advance()).toMatchObject({ moved: true, to_stage: "proposal" });

      // Solution & Proposal -> Closing, then won.
      await check(["proposal_accepted_in_principle", "terms_settled", "paper_process_known"]);
      expect(await advance()).toMatchObject({ moved: true, to_stage: "closing" });
      const won = await c.callOk("close_deal", { deal_id: deal.id, outcome: "won", reason: "Signed" });
      expect(won.deal.status).toBe("won");

      const record = await c.callOk("get_deal", { deal_id: deal.id });
      expect(record.stage_history.map((h: any) => h.stage_name)).toEqual([
        "Prospecting",
        "Discovery & Qualification",
        "Solution & Proposal",
        "Closing",
      ]);

      // The resources and the report speak the team's stages.
      const res = await c.client.readResource({ uri: "lean-sales://methodology/stages" });
      const text = (res.contents[0] as { text: string }).text;
      expect(text).toMatch(/Stage 3: Solution & Proposal \(`proposal`\)/);
      expect(text).toMatch(/\*\*Entrance criteria\*\*/);
      expect(text).not.toMatch(/solution_presentation`\)/);
      const report = await c.callOk("pipeline_report", {});
      expect(JSON.stringify(report)).toContain("Solution & Proposal");
      const metrics = await c.callOk("pipeline_metrics", {});
      expect(JSON.stringify(metrics)).not.toContain("solution_presentation");
    } finally {
      await c.close();
    }
  });

  it.each([
    [
      "a criterion id used twice",
      (s: any) => (s.stages[2].entrance_criteria[1].id = "meeting_agreed"),
      /stages\.json at stages\[2\]\.entrance_criteria\[1\]\.id: criterion id meeting_agreed is used twice/,
    ],
    [
      "a stage order gap",
      (s: any) => (s.stages[3].number = 5),
      /stages\.json at stages\[3\]\.number: stages are numbered 1\.\.5 in funnel order/,
    ],
    [
      "an entrance criterion following another stage's criterion",
      (s: any) => (s.stages[2].entrance_criteria[0].follows_from = ["meeting_agreed"]),
      /stages\[2\]\.entrance_criteria\[0\]\.follows_from\[0\]: meeting_agreed is not an exit criterion of discovery/,
    ],
    [
      "ten stages",
      (s: any) => {
        while (s.stages.length < 10)
          s.stages.splice(1, 0, { ...s.stages[1], id: `extra_${s.stages.length}`, exit_criteria: [] });
      },
      /stages\.json at stages: a pipeline has 3 to 9 stages/,
    ],
    [
      "a stage map onto a stage that does not exist",
      (s: any) => (s.stage_map.proposal_negotiation = "negotiation"),
      /stage_map\.proposal_negotiation: negotiation is not a stage/,
    ],
    [
      "a removed stage that another file still names, unmapped",
      (s: any) => delete s.stage_map.solution_presentation,
      /qualification\.json at actions\.qualified: no stage solution_presentation for solution_presentation\.prepare_demo .*map solution_presentation in stages\.json's stage_map/,
    ],
  ])("%s is refused at check and at start-up, naming the file and the path", async (name, change, message) => {
    const broken = teamFolder(tmp.dir, `broken-${name.replace(/\W+/g, "-")}`, change);
    const c = await runToExit(["methodology", "check", broken]);
    expect(c.code).toBe(1);
    expect(c.stderr).toMatch(message);
    const { db } = tempDb();
    const served = await runToExit(["--methodology", broken, "--db", db]);
    expect(served.code).not.toBe(0);
    expect(served.stderr).toMatch(message);
  });
});

describe("a store written with the reference's six stages meets a team's five", () => {
  const tmp = tempDir("lsm-remap-");
  afterAll(() => tmp.cleanup());
  const mapped = teamFolder(tmp.dir, "mapped");
  const unmapped = teamFolder(tmp.dir, "unmapped", (s) => (s.stage_map = {}));
  // Unmapped, the shipped files' own references to the removed stages would fail first: point them
  // at kept stages, so that only the store stands in the way.
  for (const f of ["qualification.json", "assessments.json"]) copyFileSync(join("data", f), join(unmapped, f));
  const retarget = (file: string, from: string, to: string) =>
    writeFileSync(join(unmapped, file), readFileSync(join(unmapped, file), "utf8").replaceAll(`"${from}`, `"${to}`));
  retarget("qualification.json", "solution_presentation.prepare_demo", "proposal.prepare_demo");
  retarget("assessments.json", "proposal_negotiation", "proposal");

  /** A store with deals in stages the team no longer has. */
  async function seeded(): Promise<{ db: string; ids: Record<string, string> }> {
    const { db } = tempDb();
    const c = await connectStdio(db);
    const ids: Record<string, string> = {};
    try {
      for (const stage of ["discovery", "solution_presentation", "proposal_negotiation", "onboarding_success"]) {
        const { deal } = await c.callOk("create_deal", { name: `In ${stage}`, account: "Acme", stage });
        ids[stage] = deal.id;
      }
      await c.callOk("log_activity", {
        deal_id: ids.solution_presentation,
        type: "demo",
        summary: "Demo for the ops team",
      });
      // A deal that passed through Solution Presentation on its way to Proposal & Negotiation.
      await c.callOk("advance_stage", { deal_id: ids.solution_presentation, override_reason: "RFP came in" });
    } finally {
      await c.close();
    }
    return { db, ids };
  }

  it("without a stage map start-up refuses with the stage ids and deal counts, and nothing is written", async () => {
    const { db } = await seeded();
    const before = sha256(db);
    const r = await runToExit(["--methodology", unmapped, "--db", db]);
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(
      /deals in stages the methodology does not have: solution_presentation \(1 deal\), proposal_negotiation \(2 deals\), onboarding_success \(1 deal\)\. .*map each .*stage_map/,
    );
    expect(r.stderr).toMatch(/Nothing was changed/);
    expect(sha256(db)).toBe(before);
    // Read-only gives the same refusal.
    const ro = await runToExit(["--methodology", unmapped, "--db", db, "--read-only"]);
    expect(ro.stderr).toMatch(/solution_presentation \(1 deal\), proposal_negotiation \(2 deals\), onboarding_success/);
    expect(sha256(db)).toBe(before);
  });

  it("with the stage map the deals move once, history included, and each moved deal's history says so", async () => {
    const { db, ids } = await seeded();
    // Read-only never moves them, even when it could.
    const ro = await runToExit(["--methodology", mapped, "--db", db, "--read-only"]);
    expect(ro.code).toBe(1);
    expect(ro.stderr).toMatch(/A read-only server does not move stored deals/);

    const c = await connectStdio(db, ["--methodology", mapped]);
    try {
      const moved = await c.callOk("get_deal", { deal_id: ids.solution_presentation });
      expect(moved.deal.stage).toBe("proposal");
      // Its stays in the two merged stages are one stay in "proposal", begun when it was created.
      expect(moved.stage_history).toHaveLength(1);
      expect(moved.stage_history[0]).toMatchObject({
        stage: "proposal",
        from_stage: null,
        entered_at: moved.deal.created_at,
        exited_at: null,
        days: null,
        gate: "created",
      });
      expect(moved.deal.stage_entered_at).toBe(moved.deal.created_at);
      expect(moved.stage_moves.map((x: any) => `${x.from_stage}>${x.to_stage}`).sort()).toEqual([
        "proposal_negotiation>proposal",
        "solution_presentation>proposal",
      ]);
      expect((await c.callOk("get_deal", { deal_id: ids.onboarding_success })).deal.stage).toBe("success");
      const kept = await c.callOk("get_deal", { deal_id: ids.discovery });
      expect(kept.stage_moves).toBeUndefined();
      const list = await c.callOk("list_deals", { filters: { stage: "proposal" } });
      expect(list.deals.map((d: any) => d.id).sort()).toEqual(
        [ids.proposal_negotiation, ids.solution_presentation].sort(),
      );
      // An old stage id is still understood, as the stage it became.
      expect((await c.callOk("list_deals", { filters: { stage: "proposal_negotiation" } })).deals).toHaveLength(2);
    } finally {
      await c.close();
    }
    expect(read<{ stage: string }>(db, "SELECT stage FROM stage_layout ORDER BY position").map((r) => r.stage)).toEqual(
      FIVE,
    );
    expect(read<{ stage: string }>(db, "SELECT DISTINCT stage FROM activities").map((r) => r.stage)).toEqual([
      "proposal",
    ]);
    const remaps = read<{ n: number }>(db, "SELECT count(*) AS n FROM stage_remaps")[0]!.n;
    expect(remaps).toBe(4);
    // A second start has nothing to move.
    expect((await runToExit(["--methodology", mapped, "--db", db])).code).toBe(0);
    expect(read<{ n: number }>(db, "SELECT count(*) AS n FROM stage_remaps")[0]!.n).toBe(remaps);
    // And the shipped methodology refuses the store now written with the team's stages.
    const c2 = await connectStdio(db);
    try {
      const refused = await c2.call("get_deal", { deal_id: ids.discovery });
      expect(refused.isError).toBe(true);
      expect((refused.content as Array<{ text: string }>)[0]!.text).toMatch(
        /deals in stages the methodology does not have: .*proposal \(2 deals\).*success \(1 deal\)\. The store's stages are prospecting, discovery, proposal, closing, success, .*start this one with the same folder \(--methodology DIR/,
      );
    } finally {
      await c2.close();
    }
  });

  it("two processes starting at once on a busy store both serve, and the store is moved once", async () => {
    const { db } = await seeded();
    // Both start while another connection holds the write lock; released, one moves the store and
    // the other finds it done (the race inside the lock itself: test/store/stage-layout.test.ts).
    const lock = new Database(db);
    lock.exec("BEGIN IMMEDIATE");
    const both = Promise.all([
      runToExit(["--methodology", mapped, "--db", db, "--log-level", "info"]),
      runToExit(["--methodology", mapped, "--db", db, "--log-level", "info"]),
    ]);
    await new Promise((r) => setTimeout(r, 2500));
    lock.exec("COMMIT");
    lock.close();
    const [a, b] = await both;
    expect([a.code, b.code]).toEqual([0, 0]);
    const said = [a.stderr, b.stderr].map((e) =>
      /moved stored deals/.test(e) ? "moved" : /now follows the methodology's stages/.test(e) ? "noop" : "none",
    );
    expect(said.sort()).toEqual(["moved", "none"]);
    expect(read<{ n: number }>(db, "SELECT count(*) AS n FROM stage_remaps")[0]!.n).toBe(4);
    expect(
      read<{ n: number }>(
        db,
        "SELECT count(*) AS n FROM deals WHERE stage NOT IN ('discovery','proposal','success')",
      )[0]!.n,
    ).toBe(0);
  });

  it("a server started before another moved the store refuses its reads and writes, changing nothing", async () => {
    const { db, ids } = await seeded();
    const early = await connectStdio(db); // the shipped six stages
    try {
      expect((await early.callOk("get_deal", { deal_id: ids.discovery })).deal.stage).toBe("discovery");
      expect((await runToExit(["--methodology", mapped, "--db", db])).code).toBe(0);
      const count = () => read<{ n: number }>(db, "SELECT count(*) AS n FROM deals")[0]!.n;
      const deals = count();
      const restart =
        /Another lean-sales-mcp process moved this store onto the stages prospecting, discovery, proposal, closing, success; this server was started with prospecting, discovery, solution_presentation, .*Restart it/;
      const write = await early.call("create_deal", { name: "Late deal", account: "Acme", stage: "discovery" });
      expect(write.isError).toBe(true);
      expect((write.content as Array<{ text: string }>)[0]!.text).toMatch(restart);
      const advance = await early.call("advance_stage", { deal_id: ids.discovery, override_reason: "pushed" });
      expect((advance.content as Array<{ text: string }>)[0]!.text).toMatch(restart);
      const readBack = await early.call("get_deal", { deal_id: ids.solution_presentation });
      expect((readBack.content as Array<{ text: string }>)[0]!.text).toMatch(restart);
      expect(count()).toBe(deals);
      expect(read<{ stage: string }>(db, "SELECT stage FROM deals ORDER BY id").map((r) => r.stage)).toEqual([
        "discovery",
        "proposal",
        "proposal",
        "success",
      ]);
    } finally {
      await early.close();
    }
  });

  it("a read-only server never upgrades an older store: it refuses, and the file is unchanged", async () => {
    const { db } = tempDb();
    const old = new Database(db);
    for (const mg of MIGRATIONS.filter((x) => x.version <= 8)) old.exec(mg.sql);
    old.pragma("user_version = 8");
    old.pragma("journal_mode = WAL");
    old.close();
    const before = sha256(db);
    const eager = await runToExit(["--methodology", mapped, "--db", db, "--read-only"]);
    expect(eager.code).toBe(1);
    expect(eager.stderr).toContain(
      `schema version 8; this lean-sales-mcp reads version ${SCHEMA_VERSION}. A read-only server does not upgrade a store`,
    );
    const c = await connectStdio(db, ["--read-only"]);
    try {
      const r = await c.call("list_deals", {});
      expect(r.isError).toBe(true);
      expect((r.content as Array<{ text: string }>)[0]!.text).toMatch(
        /A read-only server does not upgrade a store.*Nothing was changed/,
      );
    } finally {
      await c.close();
    }
    expect(sha256(db)).toBe(before);
    expect(read<{ user_version: number }>(db, "PRAGMA user_version")[0]!.user_version).toBe(8);
  });

  it("a dry-run import never moves a store: it refuses and the file is unchanged; the real import moves it, then imports", async () => {
    const { db } = await seeded();
    const csv = join(tmp.dir, `import-${Date.now()}.csv`);
    writeFileSync(csv, "Deal Name,Company,Deal Stage,Amount\nNew deal,Globex,discovery,12000\n");
    const before = sha256(db);
    const dry = await runToExit(["import", csv, "--dry-run", "--methodology", mapped, "--db", db]);
    expect(dry.code).not.toBe(0);
    expect(dry.stderr).toMatch(/The store was written with the stages prospecting, discovery, solution_presentation/);
    expect(dry.stderr).toMatch(/a dry run does not do.*Nothing was changed/);
    expect(sha256(db)).toBe(before);

    const real = await runToExit(["import", csv, "--methodology", mapped, "--db", db]);
    expect(real.code).toBe(0);
    expect(real.stdout).toMatch(/1 created/);
    expect(read<{ stage: string }>(db, "SELECT stage FROM stage_layout ORDER BY position").map((r) => r.stage)).toEqual(
      FIVE,
    );
    // Now on the team's stages, a dry run reports and writes nothing.
    const after = sha256(db);
    const again = await runToExit(["import", csv, "--dry-run", "--methodology", mapped, "--db", db]);
    expect(again.code).toBe(0);
    expect(again.stdout).toMatch(/dry run, nothing written/);
    expect(sha256(db)).toBe(after);
  });

  it("status, backup and export never move a store: without the team's folder they report, copy, or refuse", async () => {
    const { db } = await seeded();
    expect((await runToExit(["--methodology", mapped, "--db", db])).code).toBe(0);
    const layout = () =>
      read<{ stage: string }>(db, "SELECT stage FROM stage_layout ORDER BY position").map((r) => r.stage);
    expect(layout()).toEqual(FIVE);

    const status = await runToExit(["status", "--db", db, "--json"]);
    expect(status.code).toBe(0);
    const info = JSON.parse(status.stdout);
    expect(info.stages).toEqual(FIVE);
    expect(info.stages_note).toMatch(/the methodology has prospecting, discovery, solution_presentation/);
    expect(info.stages_note).toMatch(
      /A server on this methodology refuses the store: proposal \(2 deals\), success \(1 deal\) have no stage in it\. Start with the methodology folder/,
    );

    const copy = join(tmp.dir, `backup-${Date.now()}.db`);
    const backup = await runToExit(["backup", copy, "--db", db]);
    expect(backup.code).toBe(0);
    expect(
      read<{ stage: string }>(copy, "SELECT stage FROM stage_layout ORDER BY position").map((r) => r.stage),
    ).toEqual(FIVE);

    const refused = await runToExit(["export", "--db", db]);
    expect(refused.code).not.toBe(0);
    expect(refused.stderr).toMatch(
      /Export never moves a store: export with the methodology the server runs on .*Nothing was written/,
    );
    const exported = await runToExit(["export", "--db", db, "--methodology", mapped]);
    expect(exported.code).toBe(0);
    expect(exported.stdout).toMatch(/,proposal,/);
    expect(layout()).toEqual(FIVE);
  });
});
