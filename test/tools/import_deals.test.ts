// import_deals through a real MCP client: each CRM preset on a file shaped like its deal export,
// a mapped unfamiliar CSV, re-imports that update in place, bad rows, path safety and progress.
import { mkdirSync, readFileSync, symlinkSync, writeFileSync } from "node:fs";
import { join, resolve } from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import { connect, tempDir, type Harness } from "../helpers/connect.js";
import { loadMethodology } from "../../src/methodology/load.js";
import { dataDir } from "../../src/paths.js";

const FIXTURES = resolve("test/fixtures");
const fixture = (name: string) => join(FIXTURES, name);
const NOW = "2026-11-28T12:00:00.000Z";

let h: Harness;
afterEach(async () => {
  await h?.close();
});

async function byExternalId(externalId: string) {
  const { deals } = await h.callOk("list_deals", { limit: 200, detail: "full" });
  return deals.find((d: any) => d.external_id === externalId);
}

describe("import_deals presets", () => {
  it("reads a HubSpot deals export: labels and internal stage ids, $ and k amounts, quoted commas and newlines", async () => {
    h = await connect({ now: NOW, importRoots: [FIXTURES] });
    const r = await h.callOk("import_deals", { path: fixture("hubspot-deals.csv") });
    expect(r).toMatchObject({
      format: "hubspot",
      source: "hubspot",
      dry_run: false,
      rows: 10,
      created: 10,
      updated: 0,
      unchanged: 0,
      errors: [],
      errors_total: 0,
    });
    expect(r.columns_mapped).toMatchObject({
      external_id: "Record ID",
      name: "Deal Name",
      stage: "Deal Stage",
      owner: "Deal owner",
      close_reason: "Closed Lost Reason | Closed Won Reason",
    });
    expect(r.unmapped_columns).toEqual(["Pipeline", "Deal Type"]);
    expect(r.stage_mapping_used).toMatchObject({
      "Appointment Scheduled": "prospecting",
      presentationscheduled: "solution_presentation",
      "Contract Sent": "closing",
      "Closed Won": "won",
      closedlost: "lost",
    });

    const corvid = await byExternalId("18843203");
    expect(corvid).toMatchObject({
      stage: "solution_presentation",
      status: "open",
      amount: 250000,
      tier: "enterprise",
      segment: "enterprise_unknown",
      readiness: "unknown",
      created_at: "2026-08-03T08:05:00.000Z",
      expected_close_date: "2026-12-19",
    });
    const won = await byExternalId("18843206");
    expect(won).toMatchObject({
      status: "won",
      stage: "closing",
      closed_at: "2026-11-10T00:00:00.000Z",
      close_reason: "Clear ROI case, CFO signed off",
      expected_close_date: null,
    });
    const lost = await byExternalId("18843207");
    expect(lost).toMatchObject({ status: "lost", stage: "discovery", amount: 22000 });
    expect(lost.close_reason).toBe(
      "Went with competitor, cheaper per seat.\nPricing error in our first proposal did not help.",
    );
    // A missing deal name falls back to "account - external id"; a missing owner is "(unassigned)".
    expect(await byExternalId("18843208")).toMatchObject({
      name: "Acme Logistics - 18843208",
      account: "Acme Logistics",
    });
    expect(await byExternalId("18843209")).toMatchObject({ owner: "(unassigned)", status: "lost" });
    expect(r.notes).toContain('1 row: no owner, stored as "(unassigned)"');

    // Stage history: an open deal has one open row, a won deal one row closed at its close date.
    const history = (await h.callOk("get_deal", { deal_id: won.id })).stage_history;
    expect(history).toEqual([
      expect.objectContaining({ stage: "closing", gate: "imported", exited_at: "2026-11-10T00:00:00.000Z" }),
    ]);
    // Stored text reaches the agent only inside the fenced data block.
    expect(r.__text.split("<untrusted-data-")[0]).not.toContain("Northwind");
  });

  it("reads a Salesforce Opportunities report (labels, CRLF, MM/DD/YYYY) and an API-name export", async () => {
    h = await connect({ now: NOW, importRoots: [FIXTURES] });
    const r = await h.callOk("import_deals", { path: fixture("salesforce-opportunities.csv") });
    expect(r).toMatchObject({ format: "salesforce", rows: 8, created: 8, errors_total: 0 });
    expect(r.columns_mapped).toMatchObject({
      owner: "Opportunity Owner",
      account: "Account Name",
      name: "Opportunity Name",
      stage: "Stage",
      external_id: "Opportunity ID",
      source: "Lead Source",
    });
    expect(await byExternalId("0065g00000AbCdGAAC")).toMatchObject({
      stage: "solution_presentation",
      created_at: "2026-08-19T00:00:00.000Z",
      expected_close_date: "2026-12-20",
      amount: 56500,
    });
    expect(await byExternalId("0065g00000AbCdEAAA")).toMatchObject({
      account: "Granite & Pine Holdings, Inc.",
      stage: "prospecting",
      segment: "mid_market_unknown",
    });
    expect(await byExternalId("0065g00000AbCdLAAH")).toMatchObject({
      name: 'Aurora - Content rights "Phase 2"',
      status: "lost",
      closed_at: "2026-10-30T00:00:00.000Z",
    });

    const api = [
      "Id,Name,Account.Name,Owner.Name,StageName,Amount,CurrencyIsoCode,CloseDate,CreatedDate,LeadSource,IsClosed,IsWon",
      "0065g00000ZzYyXAAA,Zephyr - Pilot,Zephyr Robotics,Tom Becker,Qualification,42000,USD,2027-01-31,2026-10-01T09:30:00.000+0000,Web,false,false",
      "0065g00000ZzYyYAAB,Yarrow - Expansion,Yarrow Bank,Aisha Khan,Closed Won,510000,USD,2026-11-20,2026-04-11T15:00:00.000+0200,Partner Referral,true,true",
    ].join("\n");
    const a = await h.callOk("import_deals", { csv: api });
    expect(a).toMatchObject({ format: "salesforce", created: 2, errors_total: 0 });
    expect(a.unmapped_columns).toEqual(["IsClosed", "IsWon"]);
    expect(await byExternalId("0065g00000ZzYyYAAB")).toMatchObject({
      status: "won",
      stage: "closing",
      created_at: "2026-04-11T13:00:00.000Z",
      tier: "enterprise",
    });
  });

  it("reads a Pipedrive deals export: status column, won/lost times, DD.MM.YYYY dates, EUR and GBP", async () => {
    h = await connect({ now: NOW, importRoots: [FIXTURES] });
    const r = await h.callOk("import_deals", { path: fixture("pipedrive-deals.csv") });
    expect(r).toMatchObject({ format: "pipedrive", rows: 7, created: 7, errors_total: 0 });
    expect(r.columns_mapped).toMatchObject({
      status: "Deal - Status",
      closed_at: "Deal - Won time | Deal - Lost time",
      expected_close_date: "Deal - Expected close date",
    });
    expect(await byExternalId("514")).toMatchObject({
      amount: 1009,
      currency: "GBP",
      stage: "solution_presentation",
      expected_close_date: "2026-12-20",
    });
    // Won from "Negotiations Started": a won deal sits at closing at least.
    expect(await byExternalId("516")).toMatchObject({
      status: "won",
      stage: "closing",
      closed_at: "2026-11-12T16:40:00.000Z",
    });
    // Lost keeps the stage it died in.
    expect(await byExternalId("517")).toMatchObject({
      status: "lost",
      stage: "proposal_negotiation",
      closed_at: "2026-10-02T12:15:00.000Z",
      close_reason: "Outdated price list in proposal, lost to local vendor",
    });
    // Non-USD amounts do not place a deal in a tier (the tier cuts are in USD).
    expect(await byExternalId("513")).toMatchObject({ amount: 84000, currency: "EUR", tier: null });
  });
});

describe("import_deals on other CSVs", () => {
  const unfamiliar = [
    "Project,Org,Seller,Deal Size,Phase,Opened On,Notes",
    'Atlas rollout,Atlas Corp,Rita Gomez,1.2M,Pitching,"Jan 5, 2026",big one',
    'Beacon pilot,Beacon Ltd,Sam Ortiz,"$40,000",Discovery Call,"Mar 12, 2026",',
    'Cobalt renewal,Cobalt Inc,Rita Gomez,18000,Signed,"Feb 2, 2026",',
    'Delta audit,Delta LLC,Sam Ortiz,9000,Dead,"Apr 20, 2026",',
  ].join("\n");
  const mapping = { name: "Project", account: "Org", owner: "Seller", stage: "Phase", created_at: "Opened On" };
  const stage_map = { Pitching: "solution_presentation", "Discovery Call": "discovery", Signed: "won", Dead: "lost" };

  it("imports an unfamiliar CSV through mapping and stage_map", async () => {
    h = await connect({ now: NOW });
    const r = await h.callOk("import_deals", { csv: unfamiliar, mapping, stage_map, source_name: "sheet" });
    expect(r).toMatchObject({ format: "generic", source: "sheet", rows: 4, created: 4, errors_total: 0 });
    expect(r.columns_mapped).toMatchObject({ ...mapping, amount: "Deal Size" });
    expect(r.unmapped_columns).toEqual(["Notes"]);
    const atlas = await byExternalId("Atlas rollout @ Atlas Corp");
    expect(atlas).toMatchObject({
      amount: 1_200_000,
      stage: "solution_presentation",
      created_at: "2026-01-05T00:00:00.000Z",
      stage_entered_at: "2026-01-05T00:00:00.000Z",
      tier: "enterprise",
      external_source: "sheet",
    });
    // A closed deal without a close date: closed at the import time, created no later than that.
    expect(await byExternalId("Cobalt renewal @ Cobalt Inc")).toMatchObject({
      status: "won",
      stage: "closing",
      closed_at: NOW,
    });
  });

  it("without stage_map an unknown stage is a row error, never a guess", async () => {
    h = await connect({ now: NOW });
    const r = await h.callOk("import_deals", { csv: unfamiliar, mapping });
    expect(r.created).toBe(0);
    expect(r.errors.map((e: any) => [e.row, e.field])).toEqual([
      [2, "stage"],
      [3, "stage"],
      [4, "stage"],
      [5, "stage"],
    ]);
    expect(r.errors[0].reason).toContain('stage "Pitching"');
    expect(r.errors[0].reason).toContain("stage_map");
  });

  // Unknown stage labels are asked of the user, one question per label with the stages as
  // choices: an input-required result on 2026-07-28, an elicitation request on 2025-11-25.
  for (const revision of ["2025-11-25", "2026-07-28"] as const) {
    it(`${revision}: unknown stage labels are asked of the user, then the rows import with the answers`, async () => {
      const asked: any[] = [];
      h = await connect({
        now: NOW,
        revision,
        elicit: (params) => {
          asked.push(params);
          const props = params.requestedSchema.properties as Record<string, any>;
          const answer: Record<string, string> = {};
          for (const [key, p] of Object.entries(props)) {
            if (p.title.startsWith('"Pitching"')) answer[key] = "solution_presentation";
            if (p.title.startsWith('"Discovery Call"')) answer[key] = "discovery";
            if (p.title.startsWith('"Signed"')) answer[key] = "won";
            if (p.title.startsWith('"Dead"')) answer[key] = "skip";
          }
          return { action: "accept", content: answer };
        },
      });
      const r = await h.callOk("import_deals", { csv: unfamiliar, mapping });
      expect(asked).toHaveLength(1);
      const props = asked[0].requestedSchema.properties as Record<string, any>;
      // One question per label, in file order, each offering every stage, won/lost/disqualified and skip.
      expect(Object.values(props).map((p) => p.title)).toEqual([
        '"Pitching" (1 row)',
        '"Discovery Call" (1 row)',
        '"Signed" (1 row)',
        '"Dead" (1 row)',
      ]);
      for (const p of Object.values(props)) {
        expect(p.enum).toEqual([...h.deps.methodology.stages.map((s) => s.id), "won", "lost", "disqualified", "skip"]);
        expect(p.enum).toContain(p.default);
      }
      expect(asked[0].message).toMatch(/4 stage labels this pipeline does not know/);
      // The answers are applied; the skipped label's row is rejected, as without a mapping.
      expect(r).toMatchObject({ created: 3, rejected: 1 });
      expect(r.stage_mapping_used).toMatchObject({ Pitching: "solution_presentation", Signed: "won" });
      expect(r.errors.map((e: any) => [e.row, e.field])).toEqual([[5, "stage"]]);
      expect((await byExternalId("Atlas rollout @ Atlas Corp"))?.stage).toBe("solution_presentation");
      expect(await byExternalId("Delta audit @ Delta LLC")).toBeUndefined();
    });
  }

  it("a declined question imports the rest and says why; a cancelled one writes nothing", async () => {
    h = await connect({ now: NOW, elicit: () => ({ action: "decline" }) });
    const r = await h.callOk("import_deals", { csv: unfamiliar.replace("Signed", "Discovery"), mapping });
    expect(r).toMatchObject({ created: 1, rejected: 3 });
    expect(r.notes.join(" ")).toMatch(/declined/);
    await h.close();
    h = await connect({ now: NOW, revision: "2026-07-28", elicit: () => ({ action: "cancel" }) });
    expect(await h.callError("import_deals", { csv: unfamiliar, mapping })).toMatch(/cancelled.*nothing was written/);
    expect(h.store.listDeals({}, 10).total).toBe(0);
  });

  it("a client that cannot be asked, and a dry run, get the report of unknown labels instead", async () => {
    h = await connect({ now: NOW, revision: "2026-07-28" });
    expect((await h.callOk("import_deals", { csv: unfamiliar, mapping })).errors_total).toBe(4);
    await h.close();
    let asked = 0;
    h = await connect({ now: NOW, elicit: () => (asked++, { action: "decline" }) });
    expect((await h.callOk("import_deals", { csv: unfamiliar, mapping, dry_run: true })).errors_total).toBe(4);
    expect(asked).toBe(0);
  });

  it("re-importing the same rows updates them by external id, never duplicates", async () => {
    h = await connect({ now: NOW, importRoots: [FIXTURES] });
    await h.callOk("import_deals", { path: fixture("hubspot-deals.csv") });
    const again = await h.callOk("import_deals", { path: fixture("hubspot-deals.csv") });
    expect(again).toMatchObject({ created: 0, updated: 0, unchanged: 10 });
    expect((await h.callOk("list_deals", {})).total).toBe(10);

    // The CRM moved one deal on and changed another's amount; one deal closed.
    const csv = [
      "Record ID,Deal Name,Deal Stage,Amount,Deal owner,Associated Company,Close Date",
      "18843201,Northwind Traders - Fleet telematics rollout,Qualified To Buy,52000,Dana Lee,Northwind Traders,2027-02-26",
      '18843202,"Blue Harbor Foods - Cold chain monitoring, phase 1",Qualified To Buy,"$14,000",Marcus Okafor,Blue Harbor Foods,2027-01-15',
      '18843205,Lumen Dental - Practice scheduling,Closed Won,"$9,800.00",Marcus Okafor,Lumen Dental,2026-11-27',
    ].join("\r\n");
    const r = await h.callOk("import_deals", { csv, format: "hubspot" });
    expect(r).toMatchObject({ created: 0, updated: 3, unchanged: 0 });
    expect((await h.callOk("list_deals", {})).total).toBe(10);
    const northwind = await byExternalId("18843201");
    expect(northwind).toMatchObject({
      amount: 52000,
      stage: "discovery",
      stage_entered_at: NOW,
      source: "Organic Search",
      created_at: "2026-10-02T09:14:00.000Z",
    });
    expect(await byExternalId("18843202")).toMatchObject({ amount: 14000, stage: "discovery" });
    const lumen = await byExternalId("18843205");
    expect(lumen).toMatchObject({ status: "won", stage: "closing", closed_at: "2026-11-27T00:00:00.000Z" });
    const moves = (await h.callOk("get_deal", { deal_id: northwind.id })).stage_history.map((s: any) => [
      s.stage,
      s.exited_at === null,
    ]);
    expect(moves).toEqual([
      ["prospecting", false],
      ["discovery", true],
    ]);

    // The same update once more changes nothing.
    expect(await h.callOk("import_deals", { csv, format: "hubspot" })).toMatchObject({ updated: 0, unchanged: 3 });
  });

  it("reports bad rows with row numbers and reasons while the good rows import; dry_run writes nothing", async () => {
    h = await connect({ now: NOW });
    const csv = [
      "id,name,account,owner,amount,stage,created_at,close_reason",
      "A1,Good one,Acme,Dana Lee,1000,discovery,2026-10-01,",
      "A2,Bad amount,Acme,Dana Lee,lots,discovery,2026-10-01,",
      "A3,Bad date,Acme,Dana Lee,1000,discovery,2026-13-45,",
      "A4,Unknown stage,Acme,Dana Lee,1000,Limbo,2026-10-01,",
      ",,,,,,,",
      "A1,Duplicate id,Acme,Dana Lee,1000,discovery,2026-10-01,",
      'A6,"Multi',
      'line name",Acme,Dana Lee,1000,discovery,2026-10-01,',
      "A7,Future,Acme,Dana Lee,1000,discovery,2027-06-01,",
      ",,,Dana Lee,5,discovery,2026-10-01,",
      'A8,Second good,Acme,Dana Lee,"$2,500",Closed Lost,2026-10-01,"Price too high.',
      'Will retry in Q3"',
    ].join("\n");
    const dry = await h.callOk("import_deals", { csv, dry_run: true });
    expect(dry).toMatchObject({ dry_run: true, rows: 9, created: 2, deal_ids: [], rejected: 7 });
    expect(dry.__text).toContain("Dry run (nothing written)");
    expect(h.store.counts().deals).toBe(0);

    const r = await h.callOk("import_deals", { csv });
    expect(r).toMatchObject({ rows: 9, created: 2, rejected: 7, errors_total: 7 });
    // Row numbers count the header as row 1 and a record with a quoted newline as one row.
    expect(r.errors.map((e: any) => [e.row, e.field])).toEqual([
      [3, "amount"],
      [4, "created_at"],
      [5, "stage"],
      [7, "external_id"],
      [8, "name"],
      [9, "created_at"],
      [10, "name"],
    ]);
    expect(r.errors[0].reason).toMatch(/amount "lots" is not an amount/);
    expect(r.errors[3].reason).toMatch(/repeats external id "A1" of row 2/);
    expect(r.errors[4].reason).toMatch(/name must be a single line/);
    expect(r.errors[5].reason).toMatch(/created_at 2027-06-01 is in the future/);
    expect(await byExternalId("A8")).toMatchObject({
      amount: 2500,
      status: "lost",
      stage: "discovery",
      close_reason: "Price too high.\nWill retry in Q3",
      closed_at: NOW,
    });
  });

  it("refuses a request it cannot act on: both sources, a mapping to a missing column, no name column", async () => {
    h = await connect({ now: NOW });
    expect(await h.callError("import_deals", { csv: "a\n1", path: "/tmp/x.csv" })).toMatch(
      /exactly one of path .* or csv/,
    );
    expect(await h.callError("import_deals", {})).toMatch(/exactly one of path/);
    expect(await h.callError("import_deals", { csv: "name,owner\nX,Y", mapping: { account: "Company" } })).toMatch(
      /mapping.account: the file has no column "Company". Its columns are: "name", "owner"/,
    );
    expect(await h.callError("import_deals", { csv: "name,owner\nX,Y", mapping: { colour: "name" } })).toMatch(
      /"colour" is not one of our fields/,
    );
    expect(await h.callError("import_deals", { csv: "foo,bar\n1,2" })).toMatch(
      /No column gives the deal name or account/,
    );
    expect(await h.callError("import_deals", { csv: 'name\n"unclosed' })).toMatch(/cannot be read/);
    expect(await h.callError("import_deals", { csv: "name,stage\nX,won", stage_map: { won: "finished" } })).toMatch(
      /stage_map/,
    );
    expect(h.store.counts().deals).toBe(0);
  });
});

describe("import_deals path safety", () => {
  it("reads only regular files inside the import roots, resolving symlinks", async () => {
    const roots = tempDir();
    const outside = tempDir();
    try {
      const inside = join(roots.dir, "exports");
      mkdirSync(inside);
      const csv = "name,account,owner\nX,Y,Z\n";
      writeFileSync(join(inside, "ok.csv"), csv);
      writeFileSync(join(outside.dir, "secret.csv"), csv);
      symlinkSync(join(outside.dir, "secret.csv"), join(inside, "link.csv"));
      // A sibling whose name starts with the root's name is not inside it.
      mkdirSync(`${roots.dir}-evil`, { recursive: true });
      writeFileSync(`${roots.dir}-evil/x.csv`, csv);
      h = await connect({ now: NOW, importRoots: [roots.dir] });

      expect(await h.callOk("import_deals", { path: join(inside, "ok.csv") })).toMatchObject({ created: 1 });
      for (const p of [
        join(outside.dir, "secret.csv"),
        join(inside, "link.csv"),
        `${roots.dir}-evil/x.csv`,
        join(inside, "..", "..", outside.dir.split("/").pop()!, "secret.csv"),
      ]) {
        expect(await h.callError("import_deals", { path: p })).toMatch(
          /^path .* is outside the folders import_deals may read/,
        );
      }
      expect(await h.callError("import_deals", { path: inside })).toMatch(/^path .* is not a regular file/);
      expect(await h.callError("import_deals", { path: join(inside, "missing.csv") })).toMatch(/^path: no file at/);
      expect(await h.callError("import_deals", { path: "exports/ok.csv" })).toMatch(/^path must be absolute/);
      expect(h.store.counts().deals).toBe(1);
    } finally {
      roots.cleanup();
      outside.cleanup();
    }
  });
});

describe("import_deals progress", () => {
  it("sends increasing progress notifications on a large inline import when asked", async () => {
    h = await connect({ now: NOW });
    const lines = ["id,name,account,owner,amount,stage"];
    for (let i = 1; i <= 9000; i++)
      lines.push(`${i},Deal ${i},Account ${i % 300},Owner ${i % 9},${1000 + i},discovery`);
    const csv = lines.join("\n");
    expect(csv.length).toBeLessThan(1_000_000);
    const seen: Array<{ progress: number; total?: number }> = [];
    const r = (await h.client.callTool({ name: "import_deals", arguments: { csv } }, undefined, {
      onprogress: (p) => seen.push(p),
    })) as any;
    expect(r.isError).toBeFalsy();
    expect(r.structuredContent).toMatchObject({ rows: 9000, created: 9000 });
    expect(seen.length).toBeGreaterThanOrEqual(4);
    for (let i = 1; i < seen.length; i++) expect(seen[i]!.progress).toBeGreaterThan(seen[i - 1]!.progress);
    expect(seen.at(-1)).toMatchObject({ progress: csv.length, total: csv.length });
  });
});

describe("import_deals on a team's stages", () => {
  const teamDir = (presets?: (p: any) => void) => {
    const { dir } = tempDir("lsm-team-import-");
    writeFileSync(join(dir, "stages.json"), readFileSync(resolve("examples/five-stage-meddicc/stages.json")));
    if (presets) {
      const p = JSON.parse(readFileSync(resolve("data/crm-presets.json"), "utf8"));
      presets(p);
      writeFileSync(join(dir, "crm-presets.json"), JSON.stringify(p));
    }
    return dir;
  };

  it("the shipped presets' labels follow the stage map onto the team's stages", async () => {
    h = await connect({
      now: NOW,
      importRoots: [FIXTURES],
      methodology: loadMethodology(dataDir(), { team: teamDir() }),
    });
    const r = await h.callOk("import_deals", {
      csv: [
        "Record ID,Deal Name,Associated Company,Deal Stage,Amount",
        "1,Presented,Acme,Presentation Scheduled,1000",
        "2,Bought in,Beta,Decision Maker Bought-In,2000",
        "3,Qualified,Gamma,Qualified To Buy,3000",
      ].join("\n"),
    });
    expect(r).toMatchObject({ format: "hubspot", created: 3, rejected: 0 });
    expect(r.stage_mapping_used).toMatchObject({
      "Presentation Scheduled": "proposal",
      "Decision Maker Bought-In": "proposal",
      "Qualified To Buy": "discovery",
    });
    const { deals } = await h.callOk("list_deals", { filters: { stage: "proposal" } });
    expect(deals).toHaveLength(2);
  });

  it("a team's own crm-presets.json maps labels to its stages, and a target that is not one of them is refused with the path", async () => {
    const dir = teamDir((p) => (p.presets.find((x: any) => x.id === "hubspot").stages["Demo Done"] = "proposal"));
    h = await connect({ now: NOW, importRoots: [FIXTURES], methodology: loadMethodology(dataDir(), { team: dir }) });
    const r = await h.callOk("import_deals", {
      csv: "Record ID,Deal Name,Associated Company,Deal Stage\n1,Demoed,Acme,Demo Done\n",
      format: "hubspot",
    });
    expect(r.stage_mapping_used).toEqual({ "Demo Done": "proposal" });
    await h.close();

    const bad = teamDir((p) => (p.presets.find((x: any) => x.id === "hubspot").stages["Demo Done"] = "demo_stage"));
    h = await connect({ now: NOW, importRoots: [FIXTURES], methodology: loadMethodology(dataDir(), { team: bad }) });
    expect(await h.callError("import_deals", { csv: "Deal Name\nx\n" })).toMatch(
      /crm-presets\.json at presets\[hubspot\]\.stages: no stage demo_stage \(targets: prospecting, discovery, proposal, closing, success, won, lost, disqualified\)/,
    );
  });
});
