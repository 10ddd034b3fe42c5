import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { connect, methodology, type Harness } from "../helpers/connect.js";

describe("core_questions", () => {
  let h: Harness;
  beforeAll(async () => (h = await connect()));
  afterAll(() => h.close());

  it("gives the eight core questions with their topics", async () => {
    const r = await h.callOk("core_questions", {});
    expect(r.questions.map((q: any) => q.id)).toEqual([
      "value",
      "waste",
      "quality",
      "qualification",
      "efficiency",
      "process",
      "metrics",
      "improvement",
    ]);
    expect(r.questions[0]).toMatchObject({
      topic: "Value",
      question: "Does this activity create value for the customer?",
    });
    expect(r.stage_questions).toEqual([]);
  });

  it("filters by focus and adds one question per exit criterion of the stage", async () => {
    const r = await h.callOk("core_questions", { focus: "qualification", stage: "discovery" });
    expect(r.questions.map((q: any) => q.id)).toEqual(["qualification"]);
    expect(r.stage_questions.map((q: any) => q.criterion_id)).toEqual(
      methodology()
        .stage("discovery")
        .exit_criteria.map((c) => c.id),
    );
  });

  it("for a deal asks only about the criteria still open", async () => {
    const { deal } = await h.callOk("create_deal", { name: "CQ", account: "CQ Co", owner: "Dana" });
    await h.callOk("check_stage_exit", { deal_id: deal.id, met: ["meeting_agreed", "contact_verified"] });
    const r = await h.callOk("core_questions", { deal_id: deal.id });
    expect(r.stage).toBe("prospecting");
    expect(r.stage_questions.map((q: any) => q.criterion_id)).toEqual(["basic_fit_assessed"]);
  });

  it("refuses an unknown focus naming the accepted values", async () => {
    expect(await h.callError("core_questions", { focus: "vibes" })).toMatch(
      /focus: "vibes" is not one of value, waste, quality, qualification/,
    );
  });

  it("never writes", async () => {
    const before = h.store.counts();
    await h.callOk("core_questions", { stage: "closing" });
    expect(h.store.counts()).toEqual(before);
  });
});
