// The README's worked example ("Your team's methodology"), step by step through the built bin:
// `methodology init`, a one-line switch to MEDDICC, the five stages of
// examples/five-stage-meddicc, segment targets, `methodology check`, then served: a first deal
// qualified with MEDDICC, its gaps asked, and passed into the team's third stage.
import { copyFileSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { cleanupE2E, connectStdio, runToExit, tempDb } from "../helpers/spawn.js";
import { tempDir } from "../helpers/connect.js";

afterAll(cleanupE2E);

const EXAMPLE = join(import.meta.dirname, "..", "..", "examples", "five-stage-meddicc", "stages.json");

describe("the README's worked example: a five-stage MEDDICC pipeline", () => {
  const tmp = tempDir("lsm-example-");
  afterAll(() => tmp.cleanup());
  const dir = join(tmp.dir, "our-sales");

  it("init, edit, check", async () => {
    expect((await runToExit(["methodology", "init", dir])).code).toBe(0);
    const q = join(dir, "qualification.json");
    writeFileSync(q, readFileSync(q, "utf8").replace('"active": "bant"', '"active": "meddicc"'));
    copyFileSync(EXAMPLE, join(dir, "stages.json"));
    const seg = JSON.parse(readFileSync(join(dir, "segmentation.json"), "utf8"));
    seg.targets.segments = { mid_market_ready: { win_rate: 0.35, avg_deal_size: 40000 } };
    writeFileSync(join(dir, "segmentation.json"), JSON.stringify(seg, null, 2));

    const c = await runToExit(["methodology", "check", dir]);
    expect(c.code).toBe(0);
    expect(c.stdout).toContain("- qualification.active: came from this server's default");
    expect(c.stdout).toContain("! stages.stages: came from the reference");
    expect(c.stdout).toContain("- segmentation.targets.segments.mid_market_ready");
    expect(c.stdout).toMatch(
      /Stored deals move \(stage_map\) .*: solution_presentation -> proposal, proposal_negotiation -> proposal, onboarding_success -> success\./,
    );
  });

  it("served: a first deal qualified with MEDDICC, and through the gate into Solution & Proposal", async () => {
    const { db } = tempDb();
    const s = await connectStdio(db, ["--methodology", dir]);
    try {
      const tools = (await s.client.listTools()).tools;
      const qualify = tools.find((t) => t.name === "qualify_prospect")!;
      expect(qualify.title).toBe("Qualify a prospect (MEDDICC)");
      expect(Object.keys(qualify.inputSchema.properties!)).toEqual(
        expect.arrayContaining(["economic_buyer", "champion", "paper_process", "identify_pain"]),
      );

      const { deal } = await s.callOk("create_deal", {
        name: "Acme dispatch rollout",
        account: "Acme Logistics",
        stage: "discovery",
        employees: 400,
        amount: 45000,
      });
      const q1 = await s.callOk("qualify_prospect", {
        deal_id: deal.id,
        metrics: { status: "estimated", note: "dispatch time -30%" },
        economic_buyer: "identified",
        identify_pain: { status: "critical", note: "go-live by Q2" },
        decision_process: "outlined",
        champion: "potential",
      });
      expect(q1).toMatchObject({ framework: { id: "meddicc" }, recorded: true });
      expect(q1.verdict).not.toBe("qualified");
      expect(q1.gaps).toEqual(expect.arrayContaining(["economic_buyer", "champion", "decision_criteria"]));
      expect(q1.next_questions.length).toBeGreaterThan(0);

      const q2 = await s.callOk("qualify_prospect", {
        deal_id: deal.id,
        economic_buyer: "engaged",
        decision_criteria: "known",
        decision_process: "mapped",
        paper_process: "outlined",
        champion: "tested",
        competition: "contested",
      });
      expect(q2.verdict).toBe("qualified");

      await s.callOk("check_stage_exit", {
        deal_id: deal.id,
        met: ["challenge_understood", "stakeholders_identified", "fit_assessed", "proposal_agreed"],
        evidence: { economic_buyer_named: "CFO Dana Ortiz" },
      });
      const moved = await s.callOk("advance_stage", { deal_id: deal.id });
      expect(moved).toMatchObject({ moved: true, gate: "passed", to_stage: "proposal" });
      expect(moved.deal.stage_name).toBe("Solution & Proposal");
    } finally {
      await s.close();
    }
  });
});
