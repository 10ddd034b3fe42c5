// Advice a sales manager who knows the reference would sign, through a real MCP client: house
// rules labelled as this server's, segmentation by company size with unknown readiness kept
// unknown, stage-aware qualification with nurture, one judgement across the gate and the waste
// rules, and prompts that follow the reference.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { connect, type Harness } from "../helpers/connect.js";

const PERFECT = {
  budget: { status: "approved" },
  authority: { status: "decision_maker" },
  need: { status: "critical" },
  timeline: { status: "defined" },
};

describe("faithful advice", () => {
  let h: Harness;
  beforeAll(async () => (h = await connect()));
  afterAll(() => h.close());

  const deal = async (extra: Record<string, unknown> = {}) =>
    (
      await h.callOk("create_deal", {
        name: "Acme rollout",
        account: "Acme",
        owner: "Dana",
        created_at: "2026-10-01",
        ...extra,
      })
    ).deal;

  describe("labels", () => {
    it("a verdict decided by a default says so in its reasons", async () => {
      const q = await h.callOk("qualify_prospect", { need: { status: "none" } });
      expect(q.reasons.join(" ")).toMatch(/Disqualifier "no_need" \(this server's default\)/);
      expect(q.reasons.join(" ")).toMatch(/band weak \(this server's default bands/);
    });

    it("the qualification resource presents BANT as the reference's and its numbers as this server's defaults", async () => {
      const r = await h.client.readResource({ uri: "lean-sales://methodology/qualification" });
      const text = (r.contents[0] as { text: string }).text;
      expect(text).toMatch(/The reference names BANT and no more/);
      expect(text).toMatch(/\*This server's default\*: The reference names BANT/);
      expect(text).not.toMatch(/qualification framework of Area 2/);
    });

    it("the whole methodology resource says it is in our words with our defaults marked, never the reference verbatim", async () => {
      const text = ((await h.client.readResource({ uri: "lean-sales://methodology" })).contents[0] as { text: string })
        .text;
      expect(text).toMatch(/in our words \(its tables and core questions quoted\)/);
      expect(text).toMatch(/\*This server's default\*: The reference names the tiers/);
    });
  });

  describe("segmentation", () => {
    it("a 20-person company with a 200k deal is SMB, not Enterprise-Ready", async () => {
      const s = await h.callOk("classify_segment", {
        employees: 20,
        expected_deal_size: 200000,
        actively_evaluating: true,
        budget_status: "approved",
        timeline_months: 1,
      });
      expect(s).toMatchObject({ tier: "smb", readiness: "ready", segment: "smb_ready" });
    });

    it("an enterprise evaluating with approved budget and a defined 5-month timeline is Enterprise-Ready", async () => {
      const s = await h.callOk("classify_segment", {
        employees: 8000,
        actively_evaluating: true,
        budget_status: "approved",
        timeline_months: 5,
      });
      expect(s).toMatchObject({
        segment: "enterprise_ready",
        label: "Enterprise-Ready",
        cycle_time_months: { min: 4, max: 6 },
      });
    });

    it("unknown readiness stays unknown through create, update and list filters", async () => {
      const d = await deal({ employees: 450 });
      expect(d).toMatchObject({
        readiness: "unknown",
        segment: "mid_market_unknown",
        segment_label: "Mid-Market, readiness unknown",
      });
      const found = await h.callOk("list_deals", { filters: { segment: "mid_market_unknown" } });
      expect(found.deals.map((x: any) => x.id)).toContain(d.id);
      const u = await h.callOk("update_deal", {
        deal_id: d.id,
        actively_evaluating: true,
        need_awareness: "high",
        timeline_months: 5,
      });
      expect(u.deal).toMatchObject({ readiness: "exploring", segment: "mid_market_exploring" });
    });
  });

  describe("qualification", () => {
    it("a deal in Proposal & Negotiation with a perfect BANT keeps working its stage", async () => {
      const d = await deal({ stage: "proposal_negotiation" });
      const q = await h.callOk("qualify_prospect", { deal_id: d.id, ...PERFECT });
      expect(q.recommended_action).toMatch(/keep working Proposal & Negotiation/);
      expect(q.recommended_action).not.toMatch(/Solution Presentation/);
    });

    it("a deal in Closing with an unknown budget gets a Defects-in-Qualification warning with what to do now", async () => {
      const d = await deal({ stage: "closing" });
      const q = await h.callOk("qualify_prospect", { deal_id: d.id, ...PERFECT, budget: { status: "unknown" } });
      expect(q.recommended_action).toMatch(/^Defects in Qualification warning/);
      expect(q.recommended_action).not.toMatch(/Keep it in/);
    });

    it("the merged qualification: a later call that says nothing (or unknown) about budget keeps it", async () => {
      const d = await deal({ stage: "discovery" });
      await h.callOk("qualify_prospect", { deal_id: d.id, ...PERFECT });
      const q = await h.callOk("qualify_prospect", {
        deal_id: d.id,
        need: { status: "confirmed" },
        budget: { status: "unknown" },
      });
      expect(q.dimensions.budget.status).toBe("approved");
      expect(q.dimensions.need.status).toBe("confirmed");
      expect(q.verdict).toBe("qualified");
      expect((await h.callOk("get_deal", { deal_id: d.id })).deal.bant).toMatchObject({
        budget: "approved",
        need: "confirmed",
      });
    });

    it("the Not Ready profile is a nurture verdict with a nurture action", async () => {
      const q = await h.callOk("qualify_prospect", { need: { status: "latent" }, timeline: { status: "none" } });
      expect(q).toMatchObject({ verdict: "nurture", nurture_triggers: ["not_ready_profile"], band: "weak" });
      expect(q.recommended_action).toMatch(/Park it in nurture/);
    });
  });

  describe("nurture", () => {
    it("a parked deal leaves pipeline value and the waste rules, and comes back up in find_waste and list_deals when due", async () => {
      const h2 = await connect({ now: "2026-11-28T12:00:00.000Z" });
      try {
        const mk = async (name: string) =>
          (
            await h2.callOk("create_deal", {
              name,
              account: `${name} Co`,
              owner: "Dana",
              amount: 10000,
              stage: "prospecting",
              created_at: "2026-11-01",
              employees: 40,
            })
          ).deal.id as string;
        const ids = await Promise.all(Array.from({ length: 12 }, (_, i) => mk(`Lead ${i}`)));
        const before = await h2.callOk("pipeline_metrics", {});
        expect(before.open_pipeline).toMatchObject({ deals: 12, value: 120000 });
        // Twelve unqualified early deals inflate the pipeline (Overproduction).
        expect(
          (await h2.callOk("find_waste", {})).findings.find((f: any) => f.rule === "pipeline_inflation")?.deal_count,
        ).toBe(12);

        const parked = await h2.callOk("update_deal", { deal_id: ids[0], status: "nurture" });
        expect(parked.deal).toMatchObject({ status: "nurture", revisit_on: "2027-02-28" });
        expect(parked.reasons.join(" ")).toMatch(/SMB-Not Ready's nurture window is 3-6 months \(the reference\)/);
        for (const id of ids.slice(1, 4))
          await h2.callOk("update_deal", { deal_id: id, status: "nurture", revisit_on: "2026-12-15" });

        const after = await h2.callOk("pipeline_metrics", {});
        expect(after.open_pipeline).toMatchObject({ deals: 8, value: 80000 });
        const w = await h2.callOk("find_waste", {});
        expect(w.findings.find((f: any) => f.rule === "pipeline_inflation")?.deal_count).toBe(
          w.findings.some((f: any) => f.rule === "pipeline_inflation") ? 8 : undefined,
        );
        expect(w.findings.some((f: any) => f.rule === "nurture_due")).toBe(false);

        // On 2026-12-20 the three parked until the 15th are due again.
        const later = await h2.callOk("find_waste", { as_of: "2026-12-20" });
        const due = later.findings.find((f: any) => f.rule === "nurture_due");
        expect(due).toMatchObject({ waste: "waiting", deal_count: 3 });
        expect(due.deal_ids.sort()).toEqual(ids.slice(1, 4).sort());
        expect((await h2.callOk("list_deals", { filters: { status: "nurture" } })).total).toBe(4);

        const back = await h2.callOk("update_deal", { deal_id: ids[1], status: "open" });
        expect(back.deal).toMatchObject({ status: "open", revisit_on: null });
      } finally {
        await h2.close();
      }
    });

    it("parking refuses a closed deal and a revisit date in the past", async () => {
      const d = await deal();
      expect(await h.callError("update_deal", { deal_id: d.id, status: "nurture", revisit_on: "2026-01-01" })).toMatch(
        /revisit_on must be after today/,
      );
      await h.callOk("close_deal", { deal_id: d.id, outcome: "lost", reason: "Chose a competitor" });
      expect(await h.callError("update_deal", { deal_id: d.id, status: "nurture" })).toMatch(
        /only open deals can be parked/,
      );
    });
  });

  describe("one judgement across the gate and the waste rules", () => {
    it("a deal walked through Discovery unqualified and single-threaded: advance_stage warns of exactly what find_waste then flags", async () => {
      const h2 = await connect();
      try {
        const d = (
          await h2.callOk("create_deal", {
            name: "Walk",
            account: "Walk Co",
            owner: "Dana",
            stage: "discovery",
            employees: 300,
            created_at: "2026-11-20",
          })
        ).deal;
        await h2.callOk("qualify_prospect", {
          deal_id: d.id,
          need: { status: "confirmed" },
          authority: { status: "influencer_only" },
        });
        const check = await h2.callOk("check_stage_exit", {
          deal_id: d.id,
          met: ["challenge_understood", "stakeholders_identified", "fit_assessed"],
        });
        expect(check.can_advance).toBe(false);
        expect(check.next_activities).toEqual([]);
        expect(check.criteria.find((c: any) => c.id === "proposal_agreed").question).toMatch(
          /tailored demo or proposal/,
        );
        await h2.callOk("check_stage_exit", { deal_id: d.id, met: ["proposal_agreed"] });

        const moved = await h2.callOk("advance_stage", { deal_id: d.id });
        expect(moved).toMatchObject({ moved: true, gate: "passed" });
        expect(moved.reasons.join(" ")).toMatch(
          /Leaving Discovery without a qualified verdict \(BANT needs_discovery; gaps: budget unknown, authority influencer_only, timeline unknown\)/,
        );
        const warned = moved.warnings.map((w: any) => w.rule).sort();
        expect(warned).toEqual(["advanced_unqualified", "single_threaded"]);

        const waste = await h2.callOk("find_waste", {});
        const flagged = waste.findings
          .filter((f: any) => f.deal_ids.includes(d.id))
          .map((f: any) => f.rule)
          .sort();
        expect(flagged).toEqual(warned);
      } finally {
        await h2.close();
      }
    });
  });

  describe("prompts", () => {
    const text = async (name: string, args: Record<string, string> = {}) =>
      (await h.client.getPrompt({ name, arguments: args })).messages
        .map((x) => (x.content as { text: string }).text)
        .join("\n");

    it("qualification_call never lets silence replace a known status", async () => {
      const t = await text("qualification_call", { notes: "VP Ops wants to go live by Q2.", deal_id: "D-0001" });
      expect(t).toMatch(/never sent as `unknown` and never guessed/);
      expect(t).toMatch(/keeps the status the deal last\s+recorded/);
      expect(t).not.toMatch(/use `unknown`/);
    });

    it("discovery_call_prep reads only, researches the account and brings an insight", async () => {
      const t = await text("discovery_call_prep", { deal_id: "D-0001" });
      expect(t).toMatch(/Preparing reads and writes nothing/);
      expect(t).toMatch(/Research the account before anything else/);
      expect(t).toMatch(/one insight to lead with/);
      expect(t).toMatch(/Research and understand the prospect before making contact/);
      expect(t).toMatch(/classify_segment` without `deal_id`/);
      expect(t).toMatch(/qualify_prospect` without `deal_id`/);
    });

    it("the assessment covers Phase 1 whole: assessment, framework, baseline, alignment and deliverables", async () => {
      const t = await text("lean_sales_assessment");
      for (const part of [
        "Current State Assessment",
        "Define Core Framework",
        "Establish Baseline Metrics",
        "Build Team Alignment",
        "the phase's deliverables",
      ])
        expect(t).toContain(part);
      expect(t).toMatch(/Documentation of the sales process/);
    });
  });
});
