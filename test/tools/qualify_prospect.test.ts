import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { join } from "node:path";
import { connect, methodology, teamMethodology, tempDir, type Harness } from "../helpers/connect.js";

describe("qualify_prospect", () => {
  let h: Harness;
  beforeAll(async () => (h = await connect()));
  afterAll(() => h.close());

  it("answers a verdict with per-dimension scores, gaps, questions and reasons", async () => {
    const r = await h.callOk("qualify_prospect", {
      budget: { status: "identified", amount: 80000, currency: "EUR" },
      authority: { status: "influencer_only" },
      need: { status: "critical", pain_points: ["late deliveries"] },
      timeline: { status: "tentative" },
    });
    expect(r.verdict).toBe("needs_discovery");
    expect(r.gaps).toEqual(["authority", "timeline"]);
    expect(r.next_questions).toHaveLength(2);
    expect(r.dimensions.need).toMatchObject({ status: "critical", score: 100, qualifying: true });
    expect(r.recorded).toBe(false);
    expect(r.__text).toMatch(/needs_discovery/);
  });

  it("disqualifies a prospect with no need and says what to do", async () => {
    const r = await h.callOk("qualify_prospect", { need: { status: "none" } });
    expect(r).toMatchObject({ verdict: "disqualified", disqualifiers: ["no_need"] });
    expect(r.recommended_action).toMatch(/disqualification triggers|Exit/i);
  });

  it("refuses an unknown status, naming the field and the accepted values", async () => {
    const msg = await h.callError("qualify_prospect", { budget: { status: "maybe" } });
    expect(msg).toMatch(/budget\.status|budget/);
    expect(msg).toMatch(/approved/);
  });

  it("refuses an unknown deal and writes nothing", async () => {
    const before = h.store.counts();
    expect(await h.callError("qualify_prospect", { deal_id: "D-4242", need: { status: "critical" } })).toMatch(
      /No deal D-4242.*list_deals/,
    );
    expect(h.store.counts()).toEqual(before);
  });

  it("records on a deal and keeps earlier dimensions", async () => {
    const { deal } = await h.callOk("create_deal", { name: "Q", account: "Q Co", owner: "Dana" });
    await h.callOk("qualify_prospect", { deal_id: deal.id, need: { status: "critical" } });
    const r = await h.callOk("qualify_prospect", { deal_id: deal.id, budget: { status: "approved" } });
    expect(r.dimensions.need.status).toBe("critical");
    expect(r.recorded).toBe(true);
    expect((await h.callOk("get_deal", { deal_id: deal.id })).deal.bant).toMatchObject({
      budget: "approved",
      need: "critical",
    });
  });
});

describe("qualify_prospect under a team's framework (MEDDICC)", () => {
  const meddicc = teamMethodology({ "qualification.json": (j) => (j.active = "meddicc") });
  let h: Harness;
  beforeAll(async () => (h = await connect({ methodology: meddicc })));
  afterAll(() => h.close());

  it("tools/list shows MEDDICC's dimensions and statuses in the schema, and its name in the title", async () => {
    const { tools } = await h.client.listTools();
    const t = tools.find((x) => x.name === "qualify_prospect")!;
    expect(t.title).toBe("Qualify a prospect (MEDDICC)");
    expect(t.description).toMatch(/^MEDDICC verdict/);
    const props = t.inputSchema.properties as Record<string, any>;
    expect(Object.keys(props)).toEqual([
      "deal_id",
      "stage",
      "metrics",
      "economic_buyer",
      "decision_criteria",
      "decision_process",
      "paper_process",
      "identify_pain",
      "champion",
      "competition",
      "request_id",
    ]);
    expect(props.budget).toBeUndefined();
    // A dimension with no details of its own is shown as its status alone (tools/list stays in budget).
    expect(props.champion).toEqual({ type: "string", enum: ["tested", "potential", "unknown", "none"] });
    // The budget's details go with the dimension that speaks to the budget, the timeline's with the decision process.
    expect(JSON.stringify(props.economic_buyer)).toContain('"amount"');
    expect(JSON.stringify(props.decision_process)).toContain('"months"');
    expect(JSON.stringify(props.metrics)).not.toContain('"amount"');
  });

  it("its description's example is a valid MEDDICC call", async () => {
    const { tools } = await h.client.listTools();
    const example = JSON.parse(tools.find((x) => x.name === "qualify_prospect")!.description!.split("Example: ")[1]!);
    const r = await h.callOk("qualify_prospect", { ...example, deal_id: undefined });
    expect(r.framework).toEqual({ id: "meddicc", name: "MEDDICC" });
  });

  it("a champion untested and no economic buyer met: needs discovery, with a MEDDICC question per gap", async () => {
    const r = await h.callOk("qualify_prospect", {
      metrics: "quantified",
      economic_buyer: "identified",
      decision_criteria: "known",
      decision_process: { status: "mapped", months: 3 },
      paper_process: "outlined",
      identify_pain: "critical",
      champion: { status: "potential", note: "Head of Ops" },
      competition: "contested",
    });
    expect(r.verdict).toBe("needs_discovery");
    expect(r.gaps).toEqual(["economic_buyer", "champion"]);
    expect(r.next_questions).toEqual([
      meddicc.qualificationDimension("economic_buyer").questions[0],
      meddicc.qualificationDimension("champion").questions[0],
    ]);
    expect(Object.keys(r.dimensions)).toHaveLength(8);
    // A dimension advertised as its status alone still takes {status, note}, and keeps the note.
    expect(r.dimensions.champion.finding).toMatch(/Note: Head of Ops$/);
    expect(r.__text).toMatch(/MEDDICC \d+\/100/);
    // No stage activity is named for MEDDICC's dimensions: the action asks the question.
    expect(r.recommended_action).toContain(meddicc.qualificationDimension("economic_buyer").questions[0]);
  });

  it("no pain disqualifies; a latent pain with no decision planned is the Not Ready profile", async () => {
    expect(await h.callOk("qualify_prospect", { identify_pain: "none" })).toMatchObject({
      verdict: "disqualified",
      disqualifiers: ["no_pain"],
    });
    expect(await h.callOk("qualify_prospect", { identify_pain: "latent", decision_process: "none" })).toMatchObject({
      verdict: "nurture",
      nurture_triggers: ["not_ready_profile"],
    });
  });

  it("refuses a BANT dimension and a status MEDDICC does not have", async () => {
    expect(await h.callError("qualify_prospect", { budget: "approved" })).toMatch(/budget/);
    expect(await h.callError("qualify_prospect", { champion: "maybe" })).toMatch(/tested/);
  });

  it("records the qualification with its framework and statuses, and the signals the store's analyses read", async () => {
    const { deal } = await h.callOk("create_deal", { name: "M", account: "M Co", owner: "Dana" });
    await h.callOk("qualify_prospect", {
      deal_id: deal.id,
      economic_buyer: "committed",
      identify_pain: "confirmed",
      decision_process: { status: "outlined", months: 4 },
    });
    const r = await h.callOk("qualify_prospect", { deal_id: deal.id, champion: "tested" });
    // What the first call said is kept (same framework).
    expect(r.dimensions.economic_buyer.status).toBe("committed");
    const got = await h.callOk("get_deal", { deal_id: deal.id });
    expect(got.qualification).toMatchObject({
      framework: "meddicc",
      statuses: { economic_buyer: "committed", identify_pain: "confirmed", champion: "tested" },
      // MEDDICC's signals: the economic buyer speaks to budget and authority, the decision process to timeline.
      budget: "approved",
      authority: "decision_maker",
      need: "confirmed",
      timeline: "tentative",
    });
    expect(got.deal.bant).toMatchObject({ framework: "meddicc", verdict: r.verdict });
    expect(got.deal.timeline_months).toBe(4);
    expect(got.__text).toMatch(/MEDDICC needs_discovery/);
  });

  it("score_lead takes MEDDICC's dimensions and falls back to the MEDDICC score", async () => {
    const { tools } = await h.client.listTools();
    const props = tools.find((x) => x.name === "score_lead")!.inputSchema.properties as Record<string, any>;
    expect(props.identify_pain).toBeDefined();
    expect(props.budget).toBeUndefined();
    const r = await h.callOk("score_lead", { employees: 300, identify_pain: "critical", economic_buyer: "engaged" });
    expect(r.fallback).toBe(true);
    expect(r.reasons[0]).toMatch(/MEDDICC score/);
    expect(r.bant_score).toBeGreaterThan(0);
  });
});

describe("a framework changed under stored qualifications", () => {
  it("a BANT qualification's statuses are not carried over to MEDDICC, and the answer says so", async () => {
    const tmp = tempDir();
    const dbPath = join(tmp.dir, "deals.db");
    const bant = await connect({ dbPath });
    const { deal } = await bant.callOk("create_deal", { name: "Switch", account: "S Co", owner: "Dana" });
    await bant.callOk("qualify_prospect", { deal_id: deal.id, budget: "approved", need: "critical" });
    await bant.close();
    const h = await connect({
      dbPath,
      methodology: teamMethodology({ "qualification.json": (j) => (j.active = "meddicc") }),
    });
    try {
      expect((await h.callOk("get_deal", { deal_id: deal.id })).__text).toMatch(/not yet qualified under MEDDICC/);
      const r = await h.callOk("qualify_prospect", { deal_id: deal.id, identify_pain: "critical" });
      expect(r.reasons.join(" ")).toMatch(
        /last qualification \(.*\) was under BANT; its statuses are not carried over to MEDDICC/,
      );
      expect(r.dimensions.economic_buyer.status).toBe("unknown");
      expect((await h.callOk("get_deal", { deal_id: deal.id })).qualification.framework).toBe("meddicc");
    } finally {
      await h.close();
      tmp.cleanup();
    }
  });
});

describe("qualification actions under a team's stage ids", () => {
  it("stage ids with digits can be named in closing_activity and actions.qualified, and the advice names them", async () => {
    const h = await connect({
      methodology: teamMethodology({
        "stages.json": (j) => {
          j.stages[1].id = "stage_2";
          j.stages[2].id = "stage3";
          j.stage_map = { discovery: "stage_2", solution_presentation: "stage3" };
        },
        "qualification.json": (j) => {
          j.actions.qualified = "stage3.prepare_demo";
          j.frameworks[0].dimensions[0].closing_activity = "stage_2.understand_budget";
        },
      }),
    });
    try {
      const qualified = await h.callOk("qualify_prospect", {
        stage: "stage_2",
        budget: "approved",
        authority: "decision_maker",
        need: "critical",
        timeline: "defined",
      });
      expect(qualified.verdict).toBe("qualified");
      expect(qualified.recommended_action).toMatch(/^Qualified: move toward Solution Presentation\. /);
      const gap = await h.callOk("qualify_prospect", {
        stage: "stage_2",
        budget: "unknown",
        authority: "decision_maker",
        need: "critical",
        timeline: "defined",
      });
      expect(gap.gaps[0]).toBe("budget");
      const budgetActivity = methodology()
        .stage("discovery")
        .activities.find((a) => a.id === "understand_budget")!.text;
      expect(gap.recommended_action).toContain(`close the budget gap first: ${budgetActivity}`);
    } finally {
      await h.close();
    }
  });
});
