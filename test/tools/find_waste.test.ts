// find_waste on a constructed pipeline: one deal flagged per waste, and a healthy deal flagged by none.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { connect, type Harness } from "../helpers/connect.js";

const AS_OF = "2026-11-28T12:00:00.000Z";

async function deal(h: Harness, name: string, extra: Record<string, unknown> = {}): Promise<string> {
  const r = await h.callOk("create_deal", {
    name,
    account: `${name} Inc`,
    owner: "Dana Lee",
    employees: 300,
    actively_evaluating: true,
    timeline_months: 2,
    ...extra,
  });
  return r.deal.id;
}

describe("find_waste over the stored pipeline", () => {
  let h: Harness;
  const ids: Record<string, string> = {};
  let result: any;

  beforeAll(async () => {
    h = await connect({ now: AS_OF });
    // Healthy: mid-market, qualified, two stakeholders with a decision maker, recent activity, fresh in its stage.
    ids.healthy = await deal(h, "Healthy", {
      stage: "solution_presentation",
      created_at: "2026-10-20",
      stage_entered_at: "2026-11-20",
      expected_close_date: "2027-01-15",
      stakeholders: [
        { name: "A", role: "COO", decision_maker: true },
        { name: "B", role: "IT lead" },
      ],
    });
    await h.callOk("qualify_prospect", {
      deal_id: ids.healthy,
      budget: { status: "approved" },
      authority: { status: "decision_maker" },
      need: { status: "critical" },
      timeline: { status: "defined" },
    });
    await h.callOk("log_activity", { deal_id: ids.healthy, type: "demo", summary: "Demo", occurred_at: "2026-11-25" });

    // Overproduction: in discovery for 120 days (mid-market-exploring allows 4 months x 0.2 per stage).
    ids.stalled = await deal(h, "Stalled", {
      stage: "discovery",
      created_at: "2026-07-01",
      stage_entered_at: "2026-07-31",
      stakeholders: [{ name: "C", decision_maker: true }, { name: "D" }],
    });
    await h.callOk("log_activity", {
      deal_id: ids.stalled,
      type: "call",
      summary: "Check-in",
      occurred_at: "2026-11-26",
    });

    // Qualification defects: in proposal without a qualifying BANT.
    ids.unqualified = await deal(h, "Unqualified", {
      stage: "proposal_negotiation",
      created_at: "2026-11-01",
      stage_entered_at: "2026-11-20",
      stakeholders: [{ name: "E", decision_maker: true }, { name: "F" }],
    });
    await h.callOk("qualify_prospect", {
      deal_id: ids.unqualified,
      budget: { status: "unknown" },
      authority: { status: "decision_maker" },
      need: { status: "confirmed" },
      timeline: { status: "defined" },
    });
    await h.callOk("log_activity", {
      deal_id: ids.unqualified,
      type: "email",
      summary: "Sent terms",
      occurred_at: "2026-11-27",
    });

    // Waiting: silent for 40 days.
    ids.silent = await deal(h, "Silent", { created_at: "2026-10-01", stage_entered_at: "2026-11-15" });
    await h.callOk("log_activity", { deal_id: ids.silent, type: "email", summary: "Intro", occurred_at: "2026-10-02" });

    // Motion: six meetings in prospecting without a stage move.
    ids.meetings = await deal(h, "Meetings", { created_at: "2026-11-10" });
    for (let i = 1; i <= 6; i++)
      await h.callOk("log_activity", {
        deal_id: ids.meetings,
        type: "meeting",
        summary: `Sync ${i}`,
        occurred_at: `2026-11-${10 + i * 2}`,
      });

    // Over-processing: internal and approval work outweighs customer-facing work.
    ids.internal = await deal(h, "Internal", { created_at: "2026-11-15" });
    for (const [type, day] of [
      ["internal", 16],
      ["approval", 18],
      ["approval", 20],
      ["internal", 22],
      ["email", 24],
    ] as const) {
      await h.callOk("log_activity", {
        deal_id: ids.internal,
        type,
        summary: `${type} step`,
        occurred_at: `2026-11-${day}`,
      });
    }

    // Defects: a corrected proposal re-sent.
    ids.rework = await deal(h, "Rework", { created_at: "2026-11-15" });
    await h.callOk("log_activity", {
      deal_id: ids.rework,
      type: "proposal",
      summary: "Proposal sent",
      occurred_at: "2026-11-20",
    });
    await h.callOk("log_activity", {
      deal_id: ids.rework,
      type: "proposal",
      summary: "Proposal resent with corrected pricing",
      occurred_at: "2026-11-25",
    });

    // Unutilized talent: lost without a reason.
    ids.noreason = await deal(h, "No reason", { created_at: "2026-09-01" });
    await h.callOk("close_deal", { deal_id: ids.noreason, outcome: "lost", closed_at: "2026-11-01" });

    result = await h.callOk("find_waste", { as_of: "2026-11-28", detail: "full" });
  });
  afterAll(() => h.close());

  const flagged = (waste: string) =>
    result.findings.filter((f: any) => f.waste === waste).flatMap((f: any) => f.deal_ids);

  it.each([
    ["overproduction", "stalled"],
    ["qualification_defects", "unqualified"],
    ["waiting", "silent"],
    ["motion", "meetings"],
    ["over_processing", "internal"],
    ["defects", "rework"],
    ["unutilized_talent", "noreason"],
  ])("flags the %s deal", (waste, key) => {
    expect(flagged(waste)).toContain(ids[key]);
  });

  it("a healthy deal is flagged by nothing", () => {
    const all = result.findings.flatMap((f: any) => f.deal_ids);
    expect(all).not.toContain(ids.healthy);
  });

  it("by default each finding lists its deals with their owners, the fitting remedy, and no per-deal evidence", async () => {
    const brief = await h.callOk("find_waste", { as_of: "2026-11-28" });
    for (const f of brief.findings) {
      expect(f.remedy).toHaveLength(1);
      for (const flag of f.flags) expect(Object.keys(flag).sort()).toEqual(["deal_id", "owner"]);
    }
    expect(brief.actions.length).toBeGreaterThan(0);
    expect(brief.__text).toMatch(/\*\*Do first:\*\*/);
  });

  it("every finding names its threshold and carries numbers and the reference's remedy", () => {
    for (const f of result.findings) {
      expect(f.threshold).toBeTruthy();
      expect(f.evidence).toMatch(/\d/);
      expect(f.remedy.length).toBeGreaterThan(0);
      for (const flag of f.flags) expect(flag.evidence).toMatch(/D-\d{4}/);
    }
    const stalled = result.findings.find((f: any) => f.rule === "stalled_in_stage");
    // The matrix's cycle time is the reference's; the share of it per stage is this server's default, and both say so.
    expect(stalled.flags[0].evidence).toMatch(
      /in Discovery 121 days; Mid-Market-Exploring's 4-month cycle time \(the reference\) x 0\.2 for this stage \(this server's default\)/,
    );
    expect(stalled.threshold).toMatch(/\(this server's default\)$/);
  });

  it("reports how many deals it analysed and counts by waste", () => {
    expect(result.deals_analyzed).toBe(8);
    expect(result.by_waste.unutilized_talent).toBe(1);
    expect(result.as_of).toBe("2026-11-28T23:59:59.999Z");
  });

  it("filters narrow the analysis and are echoed", async () => {
    const r = await h.callOk("find_waste", { filters: { stage: "discovery" } });
    expect(r.deals_analyzed).toBe(1);
    expect(r.filters).toMatchObject({ stage: "discovery" });
  });

  it("describes work and the pipeline together when both are asked for", async () => {
    const r = await h.callOk("find_waste", {
      activities: [{ description: "Weekly status report for management", hours_per_week: 2 }],
      filters: {},
    });
    expect(r.activities[0].waste).toBe("over_processing");
    expect(r.deals_analyzed).toBe(8);
  });

  it("with only activities it does not touch the store", async () => {
    const r = await h.callOk("find_waste", {
      activities: [{ description: "Customer workshop", kind: "customer_meeting" }],
    });
    expect(r.deals_analyzed).toBe(0);
    expect(r.findings).toEqual([]);
  });
});
