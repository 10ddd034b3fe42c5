// The waste heat map's counts: flags per stage and waste from findPipelineWaste.
import { describe, expect, it } from "vitest";
import type { Stage } from "../../src/methodology/schema.js";
import {
  findPipelineWaste,
  type ClosedFacts,
  type DealFacts,
  type PipelineInput,
} from "../../src/methodology/pipeline-waste.js";
import { methodology } from "../helpers/connect.js";

const m = methodology();
const AS_OF = new Date("2026-11-28T12:00:00.000Z");
const daysAgo = (n: number) => AS_OF.getTime() - n * 86_400_000;
const NO_CLOSED: ClosedFacts = { total: 0, without_reason: { by_stage: [], ids: [] }, lost_reasons: [] };
const input = (open: DealFacts[], closed: ClosedFacts = NO_CLOSED): PipelineInput => ({
  open,
  closed,
  lostDeals: () => [],
});

let next = 1;
function deal(over: Partial<DealFacts> & { stage?: Stage } = {}): DealFacts {
  const { stage = "prospecting", ...rest } = over;
  return {
    id: `D-${String(next++).padStart(4, "0")}`,
    tier: "mid_market",
    readiness: "ready",
    stage_index: m.stageIndex(stage),
    stage_entered_ms: daysAgo(1),
    last_activity_ms: daysAgo(1),
    expected_close_ms: null,
    owner_changes: 0,
    bant_budget: "approved",
    bant_timeline: "defined",
    bant_verdict: "qualified",
    stakeholders: 3,
    decision_makers: 1,
    internal_activities: 0,
    customer_activities: 0,
    meetings_in_stage: 0,
    proposals_in_stage: 0,
    proposal_notes: "",
    ...rest,
  } as DealFacts;
}

describe("findPipelineWaste by_stage", () => {
  it("counts each flag in the stage the deal is in, per waste", () => {
    const r = findPipelineWaste(
      m,
      input(
        [
          // Waiting twice in discovery: silent (30 d > 14) and past its close date.
          deal({
            stage: "discovery",
            last_activity_ms: daysAgo(30),
            expected_close_ms: Date.parse("2026-10-01T00:00:00Z"),
          }),
          // Qualification defects twice in proposal: unqualified and single-threaded.
          deal({ stage: "proposal_negotiation", bant_verdict: "needs_discovery", stakeholders: 1, decision_makers: 0 }),
          // Nothing to flag.
          deal({ stage: "prospecting" }),
        ],
        // Closed without a reason: counted in the stage it closed from.
        { total: 1, without_reason: { by_stage: [{ stage: "closing", n: 1 }], ids: ["D-0999"] }, lost_reasons: [] },
      ),
      { as_of: AS_OF, norms: new Map() },
    );
    expect(r.by_stage).toEqual({
      discovery: { waiting: 2 },
      proposal_negotiation: { qualification_defects: 2 },
      closing: { unutilized_talent: 1 },
    });
  });

  it("each waste's row sums to the deal_count of its findings (find_waste's by_waste)", () => {
    const deals = [
      ...Array.from({ length: 12 }, (_, i) => deal({ stage: i % 2 ? "discovery" : "prospecting", bant_verdict: null })),
      deal({ stage: "closing", stage_entered_ms: daysAgo(200), owner_changes: 4 }),
      deal({ stage: "solution_presentation", meetings_in_stage: 6, internal_activities: 5, customer_activities: 1 }),
    ];
    const r = findPipelineWaste(m, input(deals), { as_of: AS_OF, norms: new Map() });
    const byWaste: Record<string, number> = {};
    for (const f of r.findings) byWaste[f.waste] = (byWaste[f.waste] ?? 0) + f.deal_count;
    const fromStages: Record<string, number> = {};
    for (const row of Object.values(r.by_stage))
      for (const [w, n] of Object.entries(row!)) fromStages[w] = (fromStages[w] ?? 0) + n!;
    expect(fromStages).toEqual(byWaste);
    // Pipeline inflation: all 12 early deals are unqualified, split over the two early stages.
    expect(r.findings.find((f) => f.rule === "pipeline_inflation")?.deal_count).toBe(12);
    expect(r.by_stage.prospecting?.overproduction).toBe(6);
    expect(r.by_stage.discovery?.overproduction).toBe(6);
    expect(r.by_stage.closing).toMatchObject({ overproduction: 1, motion: 1 });
  });

  it("is empty when nothing is flagged", () => {
    expect(findPipelineWaste(m, input([deal({})]), { as_of: AS_OF, norms: new Map() }).by_stage).toEqual({});
  });

  it("judges each distinct lost reason once and lists the deals behind the defect ones", () => {
    const asked: string[][] = [];
    const r = findPipelineWaste(
      m,
      {
        open: [],
        closed: {
          total: 3,
          without_reason: { by_stage: [], ids: [] },
          lost_reasons: [
            { reason: "pricing error in the proposal", stage: "proposal_negotiation", n: 2 },
            { reason: "chose a competitor", stage: "discovery", n: 1 },
          ],
        },
        lostDeals: (reasons) => (asked.push(reasons), [{ id: "D-0007", reason: "pricing error in the proposal" }]),
      },
      { as_of: AS_OF, norms: new Map() },
    );
    expect(asked).toEqual([["pricing error in the proposal"]]);
    const f = r.findings.find((x) => x.rule === "loss_from_errors")!;
    expect(f).toMatchObject({ waste: "defects", deal_count: 2, deal_ids: ["D-0007"] });
    expect(r.by_stage.proposal_negotiation).toEqual({ defects: 2 });
    expect(r.deals_analyzed).toBe(3);
  });
});
