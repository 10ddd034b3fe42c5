import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { connect, type Harness } from "../helpers/connect.js";
import { build } from "../helpers/build.js";

describe("win_loss_analysis", () => {
  let h: Harness;
  let r: any;
  beforeAll(async () => {
    h = await connect({ now: "2026-11-28T12:00:00Z" });
    const s = (moves: number) => ["2026-02-01", "2026-02-15", "2026-03-01", "2026-03-15"].slice(0, moves);
    build(h, {
      owner: "Dana",
      amount: 1,
      created: "2026-01-01",
      moves: s(4),
      close: { status: "won", at: "2026-04-01", reason: "ROI case convinced the CFO" },
    });
    build(h, {
      owner: "Dana",
      amount: 1,
      created: "2026-01-01",
      moves: s(4),
      close: { status: "won", at: "2026-04-11", reason: "ROI case convinced the CFO" },
    });
    build(h, {
      owner: "Dana",
      amount: 1,
      created: "2026-01-01",
      moves: s(3),
      close: { status: "lost", at: "2026-06-01", reason: "Pricing error in the proposal" },
    });
    build(h, {
      owner: "Dana",
      amount: 1,
      created: "2026-01-01",
      moves: s(2),
      close: { status: "lost", at: "2026-07-01", reason: "No budget this year" },
    });
    build(h, {
      owner: "Dana",
      amount: 1,
      created: "2026-01-01",
      moves: s(1),
      close: { status: "lost", at: "2026-05-01", reason: "" },
    });
    build(h, {
      owner: "Dana",
      amount: 1,
      created: "2026-01-01",
      moves: [],
      close: { status: "disqualified", at: "2026-01-20", reason: "Outside ICP" },
    });
    r = await h.callOk("win_loss_analysis", {});
  });
  afterAll(() => h.close());

  it("win rate over won and lost; disqualified deals are not losses", () => {
    expect(r).toMatchObject({ won: 2, lost: 3, win_rate: 0.4 });
  });

  it("top reasons, where lost deals stopped, and cycle of wins against losses", () => {
    expect(r.top_win_reasons).toEqual([{ reason: "roi case convinced the cfo", count: 2 }]);
    expect(r.top_loss_reasons).toEqual(
      expect.arrayContaining([
        { reason: "pricing error in the proposal", count: 1, waste: "defects" },
        { reason: "no budget this year", count: 1, waste: "qualification_defects" },
      ]),
    );
    expect(r.closed_without_reason).toEqual({ won: 0, lost: 1 });
    expect(r.lost_at_stage.map((s: any) => [s.stage, s.count])).toEqual([
      ["discovery", 1],
      ["solution_presentation", 1],
      ["proposal_negotiation", 1],
    ]);
    expect(r.cycle_time.won.median_days).toBe(95);
    expect(r.cycle_time.lost.median_days).toBe(151);
  });

  it("what to change, mapped to the seven wastes with the reference's remedies", () => {
    const wastes = r.recommendations.map((x: any) => x.waste);
    expect(wastes).toEqual(
      expect.arrayContaining(["defects", "qualification_defects", "waiting", "unutilized_talent"]),
    );
    for (const x of r.recommendations) expect(x.remedy.length).toBeGreaterThan(0);
  });

  it("the period bounds the close date", async () => {
    const q = await h.callOk("win_loss_analysis", { filters: { from: "2026-05-15", to: "2026-12-31" } });
    expect(q).toMatchObject({ won: 0, lost: 2 });
  });
});
