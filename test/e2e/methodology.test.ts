// A team's methodology folder (--methodology DIR / LEAN_SALES_METHODOLOGY): `methodology init`
// writes the shipped files, `methodology check` validates a folder as start-up does and lists
// what differs from the shipped files, a broken folder stops start-up naming the file and the
// path inside it, and a served folder changes the answers and their labels.
import { readFileSync, rmSync, unlinkSync, writeFileSync, readdirSync } from "node:fs";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { cleanupE2E, connectStdio, runToExit, tempDb } from "../helpers/spawn.js";
import { tempDir } from "../helpers/connect.js";

afterAll(cleanupE2E);

const edit = (file: string, change: (json: any) => void) => {
  const json = JSON.parse(readFileSync(file, "utf8"));
  change(json);
  writeFileSync(file, JSON.stringify(json, null, 2));
};

describe("a team's methodology folder", () => {
  const tmp = tempDir("lsm-team-");
  const dir = join(tmp.dir, "our-sales");
  afterAll(() => tmp.cleanup());

  it("init writes the shipped files; check finds nothing changed; init again refuses without --force", async () => {
    const r = await runToExit(["methodology", "init", dir]);
    expect(r.code).toBe(0);
    expect(readdirSync(dir)).toContain("stages.json");
    expect(r.stdout).toMatch(/methodology check/);
    const c = await runToExit(["methodology", "check", dir]);
    expect(c.code).toBe(0);
    expect(c.stdout).toMatch(/valid/);
    expect(c.stdout).toMatch(/Nothing differs from the shipped files/);
    const again = await runToExit(["methodology", "init", dir]);
    expect(again.code).toBe(2);
    expect(again.stderr).toMatch(/--force/);
  });

  it("check lists each changed value, and flags the ones that were the reference's", async () => {
    for (const f of readdirSync(dir)) if (f !== "segmentation.json" && f !== "stages.json") unlinkSync(join(dir, f));
    edit(join(dir, "segmentation.json"), (s) => (s.tier_thresholds.employees.mid_market = 50));
    edit(
      join(dir, "stages.json"),
      (s) => (s.stages[1].exit_criteria[0].text = "We can state the problem in their words"),
    );
    const c = await runToExit(["methodology", "check", dir]);
    expect(c.code).toBe(0);
    expect(c.stdout).toMatch(/2 of 14 files are the team's \(segmentation.json, stages.json\)/);
    expect(c.stdout).toContain("- segmentation.tier_thresholds.employees.mid_market: came from this server's default");
    expect(c.stdout).toContain("! stages.stages[1].exit_criteria[0].text: came from the reference");
  });

  it("served, the folder decides the answers, and they say the rule is the team's", async () => {
    const { db } = tempDb();
    const c = await connectStdio(db, ["--methodology", dir]);
    try {
      // 60 employees: mid-market under the team's cut of 50, small business under the shipped 100.
      const seg = await c.callOk("classify_segment", { employees: 60, actively_evaluating: true });
      expect(seg.tier).toBe("mid_market");
      const check = await c.callOk("check_stage_exit", { stage: "discovery" });
      expect(JSON.stringify(check)).toContain("We can state the problem in their words");
      const res = await c.client.readResource({ uri: "lean-sales://methodology/stages" });
      expect((res.contents[0] as { text: string }).text).toMatch(/your team's methodology/i);
    } finally {
      await c.close();
    }
    const shipped = await connectStdio(db);
    try {
      expect((await shipped.callOk("classify_segment", { employees: 60, actively_evaluating: true })).tier).toBe("smb");
    } finally {
      await shipped.close();
    }
  });

  it("a folder that picks MEDDICC (one line) is served with MEDDICC's dimensions, verdicts, questions and scores", async () => {
    const team = join(tmp.dir, "meddicc");
    expect((await runToExit(["methodology", "init", team])).code).toBe(0);
    for (const f of readdirSync(team)) if (f !== "qualification.json") unlinkSync(join(team, f));
    const file = join(team, "qualification.json");
    writeFileSync(file, readFileSync(file, "utf8").replace('"active": "bant"', '"active": "meddicc"'));
    const check = await runToExit(["methodology", "check", team]);
    expect(check.code).toBe(0);
    expect(check.stdout).toContain("qualification.active");
    const { db } = tempDb();
    const c = await connectStdio(db, ["--methodology", team]);
    try {
      const { tools } = await c.client.listTools();
      const q = tools.find((t) => t.name === "qualify_prospect")!;
      expect(q.title).toBe("Qualify a prospect (MEDDICC)");
      expect(Object.keys(q.inputSchema.properties as object)).toEqual(
        expect.arrayContaining(["metrics", "economic_buyer", "champion", "competition"]),
      );
      const { deal } = await c.callOk("create_deal", { name: "Fleet", account: "Acme", owner: "Dana" });
      const r = await c.callOk("qualify_prospect", {
        deal_id: deal.id,
        metrics: "quantified",
        economic_buyer: "engaged",
        decision_criteria: "shaped",
        decision_process: "mapped",
        paper_process: "outlined",
        identify_pain: "critical",
        champion: "potential",
        competition: "favoured",
      });
      expect(r).toMatchObject({ framework: { id: "meddicc" }, verdict: "needs_discovery", gaps: ["champion"] });
      expect(r.next_questions[0]).toMatch(/inside your company/);
      const got = await c.callOk("get_deal", { deal_id: deal.id });
      expect(got.qualification).toMatchObject({ framework: "meddicc", statuses: { champion: "potential" } });
      const score = await c.callOk("score_lead", { deal_id: deal.id });
      expect(score.bant_score).toBe(r.score);
      const res = await c.client.readResource({ uri: "lean-sales://methodology/qualification" });
      expect((res.contents[0] as { text: string }).text).toMatch(/\*\*MEDDICC\*\* \(`meddicc`, the active framework\)/);
      const prompt = await c.client.getPrompt({ name: "qualification_call", arguments: { notes: "Met the CFO." } });
      expect(JSON.stringify(prompt)).toContain("Economic buyer");
    } finally {
      await c.close();
    }
  });

  it.each([
    ["bad JSON", "qualification.json", (f: string) => writeFileSync(f, "{"), /qualification\.json: is not valid JSON/],
    [
      "an unknown framework",
      "qualification.json",
      (f: string) => edit(f, (q) => (q.active = "medpic")),
      /qualification\.json at active: unknown framework "medpic"; the frameworks in this file are bant, meddicc, spiced, champ/,
    ],
    [
      "a dimension id used twice",
      "qualification.json",
      (f: string) => edit(f, (q) => (q.frameworks[3].dimensions[2].id = "authority")),
      /qualification\.json at frameworks\[3\]\.dimensions\[2\]\.id: dimension id authority is used twice in CHAMP/,
    ],
    [
      "a rule naming an unknown status",
      "qualification.json",
      (f: string) => edit(f, (q) => (q.frameworks[1].disqualifiers[0].when.identify_pain = ["hopeless"])),
      /qualification\.json at frameworks\[1\]\.disqualifiers\[0\]\.when\.identify_pain\[0\]: unknown identify_pain status hopeless/,
    ],
    [
      "a BANT file from before frameworks",
      "bant.json",
      (f: string) => writeFileSync(f, "{}"),
      /bant\.json: BANT now lives in qualification\.json/,
    ],
    [
      "a criterion id used twice",
      "stages.json",
      (f: string) => edit(f, (s) => (s.stages[1].exit_criteria[1].id = s.stages[1].exit_criteria[0].id)),
      /stages\.json at stages\[1\]\.exit_criteria\[1\]\.id: criterion id challenge_understood is used twice/,
    ],
    [
      "a stage order gap",
      "stages.json",
      (f: string) => edit(f, (s) => (s.stages[2].number = 4)),
      /stages\.json at stages\[2\]\.number: stages are numbered 1\.\.6 in funnel order/,
    ],
    [
      "a broken assessments.json (checked by the assessment rules)",
      "assessments.json",
      (f: string) => edit(f, (s) => (s.selling = 5)),
      /assessments\.json at selling: /,
    ],
    [
      "a misspelt file name",
      "stage.json",
      (f: string) => writeFileSync(f, "{}"),
      /stage\.json: is not a methodology file \(did you mean stages\.json\?\)/,
    ],
  ])(
    "%s is refused at check and at start-up, naming the file and the path, and nothing is written",
    async (_, file, breakIt, message) => {
      const broken = join(tmp.dir, `broken-${file}-${Math.random().toString(36).slice(2)}`);
      expect((await runToExit(["methodology", "init", broken])).code).toBe(0);
      breakIt(join(broken, file));
      const c = await runToExit(["methodology", "check", broken]);
      expect(c.code).toBe(1);
      expect(c.stderr).toMatch(message);
      expect(c.stderr).toContain(broken);
      const { db } = tempDb();
      const served = await runToExit(["--methodology", broken, "--db", db]);
      expect(served.code).not.toBe(0);
      expect(served.stderr).toMatch(message);
      expect(readdirSync(join(db, "..")).filter((n) => n.startsWith("deals"))).toEqual([]);
      rmSync(broken, { recursive: true, force: true });
    },
  );
});
