// assess_lean_maturity through a real MCP client: the store's evidence rates the principles and
// areas it can see, answers rate the rest, and the next steps and the baseline follow from the
// lowest ratings. (The rating rules themselves are unit-tested in test/unit/assessment.test.ts.)
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { connect, type Harness } from "../helpers/connect.js";
import { seedStore } from "../helpers/seed.js";

describe("assess_lean_maturity", () => {
  let h: Harness;
  beforeAll(async () => {
    h = await connect();
    seedStore(h, { deals: 200 });
  });
  afterAll(() => h.close());

  it("rates from the store what it can, asks for the rest, and names the phase and steps that come next", async () => {
    const r = await h.callOk("assess_lean_maturity", {});
    expect(r.ratings).toHaveLength(9); // five principles, four management areas
    expect(r.overall.of).toBe(9);
    expect(r.overall.rated).toBeGreaterThan(0);
    expect(r.overall.rated).toBeLessThan(9); // people and customer value need answers
    const unrated = r.ratings.filter((x: any) => x.level === null);
    expect(unrated.every((x: any) => x.reason?.startsWith("Not answered"))).toBe(true);
    expect(r.questions_to_answer.length).toBeGreaterThan(0);
    // What the store showed, stated: 200 deals, closes with reasons, no baseline yet.
    expect(r.evidence.deals).toBe(200);
    expect(r.evidence.baselines).toBe(0);
    expect(r.baseline_to_record.reason).toMatch(/No baseline/);
    expect(r.current_phase.name).toMatch(/Foundation|Pilot|Scale/);
    expect(r.roadmap.length).toBeGreaterThan(0);
    expect(r.__text).toMatch(/^\*\*Lean maturity\*\*/);
    expect(r.__text).toMatch(/Next: record_baseline/);
  });

  it("answers rate what the store cannot see, and a recorded baseline is no longer asked for", async () => {
    const always = Object.fromEntries(
      (await h.callOk("assess_lean_maturity", {})).questions_to_answer.map((q: any) => [q.id, "always"]),
    );
    await h.callOk("record_baseline", { label: "win-loss-2026-Q3" });
    const r = await h.callOk("assess_lean_maturity", { answers: always });
    expect(r.overall.rated).toBe(9);
    expect(r.questions_to_answer).toEqual([]);
    expect(r.baseline_to_record).toBeNull();
    expect(r.evidence.win_loss_reviewed).toBe(true);
  });

  it("refuses an answer outside always, often, sometimes, rarely, never", async () => {
    expect(await h.callError("assess_lean_maturity", { answers: { regular_coaching: "weekly" } })).toMatch(/answers/);
  });
});
