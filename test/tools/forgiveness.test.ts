// What people type is understood where the meaning is clear, and otherwise refused with the fix;
// --read-only and --toolsets serve what they say and prompts never name a tool not served.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { join } from "node:path";
import { connect, tempDir, type Harness } from "../helpers/connect.js";
import { dbHash } from "../helpers/dbhash.js";

describe("consistency and forgiveness", () => {
  let h: Harness;
  beforeAll(async () => (h = await connect()));
  afterAll(() => h.close());

  it("accepts enum values as people type them when the meaning is clear", async () => {
    const d = await h.callOk("create_deal", { name: "Typed", account: "T", stage: "Discovery", tier: "Mid-Market" });
    expect(d.deal).toMatchObject({ stage: "discovery", tier: "mid_market" });
    expect((await h.callOk("list_deals", { filters: { status: "Open", stage: "Discovery" } })).total).toBeGreaterThan(
      0,
    );
    expect((await h.callOk("check_stage_exit", { stage: "Proposal & Negotiation" })).stage).toBe(
      "proposal_negotiation",
    );
    const csv =
      "Record ID,Deal Name,Deal Stage,Deal owner,Amount,Create Date\n1,Acme,Appointment Scheduled,Dana,100,2026-11-01\n";
    expect((await h.callOk("import_deals", { csv, format: "HubSpot", dry_run: true })).format).toBe("hubspot");
    const closed = await h.callOk("close_deal", { deal_id: d.deal.id.toLowerCase(), outcome: "Won", reason: "Signed" });
    expect(closed.deal.status).toBe("won");
  });

  it("otherwise names the closest valid value", async () => {
    expect(await h.callError("list_deals", { filters: { stage: "negotiation" } })).toMatch(
      /"negotiation" is not a stage; stages are prospecting/,
    );
    expect(await h.callError("qualify_prospect", { budget: "aproved" })).toMatch(
      /"aproved" is not one of approved, identified, unknown, none; did you mean approved\?/,
    );
    expect(await h.callError("list_deals", { filters: { segment: "midmarket ready" } })).toMatch(
      /did you mean mid_market_ready\?/,
    );
  });

  it("says how to fix each problem, one line per problem", async () => {
    expect(await h.callError("get_deal", { deal_id: "Acme" })).toMatch(
      /is not a deal id \(they look like D-0042\); find it with list_deals filters\.q/,
    );
    const today = new Date().toISOString().slice(0, 10);
    expect(await h.callError("pipeline_metrics", { as_of: "yesterday" })).toContain(
      `"yesterday" is relative; today is ${today}, so send the ISO date, e.g. ${today}`,
    );
    const two = await h.callError("list_deals", { limit: 500, filters: { from: "next week" }, bogus: 1 });
    expect(two.split("\n").length).toBeGreaterThanOrEqual(3);
    expect(two).toMatch(/limit/);
    expect(two).toMatch(/"next week" is relative/);
    expect(two).toMatch(/bogus/);
  });

  it("owner defaults to the configured user, and says how to configure one when there is none", async () => {
    const none = await connect({ user: null });
    try {
      expect(await none.callError("create_deal", { name: "N", account: "N" })).toMatch(
        /no default user is configured \(start the server with --user or LEAN_SALES_USER\)/,
      );
      expect((await none.callOk("create_deal", { name: "N", account: "N", owner: "Sam" })).deal.owner).toBe("Sam");
    } finally {
      await none.close();
    }
  });
});

describe("--read-only and --toolsets", () => {
  it("read-only serves only what reads; the methodology tools answer from a deal without recording on it", async () => {
    const t = tempDir();
    const dbPath = join(t.dir, "deals.db");
    const rw = await connect({ dbPath });
    const { deal } = await rw.callOk("create_deal", { name: "RO", account: "RO", stage: "discovery" });
    await rw.close();
    const ro = await connect({ dbPath, readOnly: true });
    try {
      const tools = (await ro.client.listTools()).tools;
      for (const t of tools) expect(t.annotations?.readOnlyHint, t.name).toBe(true);
      const names = tools.map((t) => t.name);
      expect(names).toEqual(
        expect.arrayContaining([
          "qualify_prospect",
          "classify_segment",
          "check_stage_exit",
          "find_waste",
          "core_questions",
          "get_deal",
          "list_deals",
        ]),
      );
      for (const w of [
        "create_deal",
        "update_deal",
        "advance_stage",
        "close_deal",
        "delete_deal",
        "import_deals",
        "log_activity",
        "record_baseline",
      ])
        expect(names).not.toContain(w);
      const before = dbHash(ro.store);
      const q = await ro.callOk("qualify_prospect", { deal_id: deal.id, need: "critical" });
      expect(q).toMatchObject({ recorded: false, deal_id: deal.id });
      expect(q.__text).toMatch(/Not recorded: this server is read-only/);
      await ro.callOk("check_stage_exit", { deal_id: deal.id, met: ["challenge_understood"] });
      expect(dbHash(ro.store)).toBe(before);
      // Prompts that name a tool this server does not serve are not served either.
      const prompts = (await ro.client.listPrompts()).prompts.map((p) => p.name);
      expect(prompts).not.toContain("qualification_call");
    } finally {
      await ro.close();
      t.cleanup();
    }
  });

  it("--toolsets serves the named groups only, and prompts follow", async () => {
    const m = await connect({ toolsets: ["methodology"] });
    try {
      expect((await m.client.listTools()).tools.map((t) => t.name).sort()).toEqual([
        "check_stage_exit",
        "classify_segment",
        "core_questions",
        "find_waste",
        "qualify_prospect",
      ]);
      for (const p of (await m.client.listPrompts()).prompts) {
        const text = (
          await m.client.getPrompt({ name: p.name, arguments: {} }).catch(() => ({ messages: [] }))
        ).messages
          .map((x: any) => x.content.text)
          .join("");
        for (const t of ["create_deal", "pipeline_metrics", "pipeline_report"])
          expect(text.includes(`\`${t}\``), `${p.name} names ${t}`).toBe(false);
      }
    } finally {
      await m.close();
    }
  });
});
