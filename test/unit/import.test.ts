// The pieces of import_deals that need no store: reading money and dates as CRMs write them,
// header and stage matching, and the presets file's validation.
import { cpSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { loadCrmPresets, normalizeKey } from "../../src/app/import/presets.js";
import { detectFormat, resolveColumns, stageResolver } from "../../src/app/import/run.js";
import { parseCount, parseDate, parseMoney, slashOrder } from "../../src/app/import/values.js";
import { dataDir } from "../../src/paths.js";
import { methodology, tempDir } from "../helpers/connect.js";

describe("money as CRMs export it", () => {
  it.each([
    ["48000", 48000, undefined],
    ["$1,234.50", 1234.5, "USD"],
    ["250k", 250000, undefined],
    ["£1,009", 1009, "GBP"],
    ["1.2M", 1200000, undefined],
    ["EUR 12.500,00", 12500, "EUR"],
    ["12 500,5 €", 12500.5, "EUR"],
    ["1000 CHF", 1000, "CHF"],
    ["USD 125,000.00", 125000, "USD"],
    [" 0 ", 0, undefined],
  ])("%s", (raw, amount, currency) => {
    expect(parseMoney(raw)).toEqual({ ok: true, value: { amount, ...(currency ? { currency } : {}) } });
  });
  it.each(["-500", "($500)", "lots", "1,2,3", "12.34.56"])("refuses %s", (raw) => {
    expect(parseMoney(raw).ok).toBe(false);
  });
  it("reads counts and leaves blanks out", () => {
    expect(parseCount("1,200")).toEqual({ ok: true, value: 1200 });
    expect(parseCount("51-200").ok).toBe(false);
    expect(parseMoney("  ")).toEqual({ ok: true, value: null });
  });
});

describe("dates as CRMs export them", () => {
  it.each([
    ["2026-01-05", "2026-01-05T00:00:00.000Z"],
    ["2026-01-05 14:32", "2026-01-05T14:32:00.000Z"],
    ["2026-01-05T10:00:00.000+0200", "2026-01-05T08:00:00.000Z"],
    ["2026-01-05T10:00:00Z", "2026-01-05T10:00:00.000Z"],
    ["1/5/2026", "2026-01-05T00:00:00.000Z"],
    ["01/05/2026 3:45 PM", "2026-01-05T15:45:00.000Z"],
    ["05.01.2026", "2026-01-05T00:00:00.000Z"],
    ["Jan 5, 2026", "2026-01-05T00:00:00.000Z"],
    ["January 5th, 2026", "2026-01-05T00:00:00.000Z"],
    ["5 Jan 2026", "2026-01-05T00:00:00.000Z"],
    ["2026/01/05", "2026-01-05T00:00:00.000Z"],
  ])("%s", (raw, iso) => {
    expect(parseDate(raw)).toEqual({ ok: true, value: iso });
  });
  it.each(["2026-02-30", "13/45/2026", "yesterday", "2026-13-01", "31.02.2026"])("refuses %s", (raw) => {
    expect(parseDate(raw).ok).toBe(false);
  });
  it("reads a slash-dated column day first only when a value shows it", () => {
    expect(slashOrder(["1/5/2026", "2/6/2026"])).toBe("mdy");
    expect(slashOrder(["1/5/2026", "25/6/2026"])).toBe("dmy");
    expect(parseDate("1/5/2026", "dmy")).toEqual({ ok: true, value: "2026-05-01T00:00:00.000Z" });
    expect(parseDate("1/25/2026", "dmy").ok).toBe(false);
  });
});

describe("headers and stages", () => {
  const presets = loadCrmPresets();
  it("matches headers without case, spaces or punctuation and detects the CRM", () => {
    expect(normalizeKey("Deal - Stage")).toBe(normalizeKey("dealstage"));
    expect(detectFormat(presets, ["record id", "DEAL NAME", "Deal stage"])).toBe("hubspot");
    expect(detectFormat(presets, ["Id", "Name", "StageName", "Account.Name"])).toBe("salesforce");
    expect(detectFormat(presets, ["Deal - Title", "Deal - Value"])).toBe("pipedrive");
    expect(detectFormat(presets, ["name", "stage"])).toBe("generic");
    const cols = resolveColumns(
      ["Deal Name", "Amount", "Industry", "Pipeline"],
      presets.presets.get("hubspot")!,
      presets.presets.get("generic")!,
      { source: "" },
    );
    expect(cols.mapped).toEqual({ name: "Deal Name", amount: "Amount", industry: "Industry" });
    expect(cols.unmapped).toEqual(["Pipeline"]);
  });
  it("maps stages through stage_map, then the preset, then our own ids and names", () => {
    const resolve = stageResolver(methodology(), presets.presets.get("salesforce")!, {
      "Closed Won": "onboarding_success",
      Parked: "lost",
    });
    expect(resolve("Closed Won")).toBe("onboarding_success");
    expect(resolve("parked")).toBe("lost");
    expect(resolve("Negotiation/Review")).toBe("proposal_negotiation");
    expect(resolve("Proposal & Negotiation")).toBe("proposal_negotiation");
    expect(resolve("solution_presentation")).toBe("solution_presentation");
    expect(resolve("Limbo")).toBeUndefined();
  });
  it("a broken presets file names the file and the path inside it", () => {
    const { dir, cleanup } = tempDir("lsm-presets-");
    try {
      cpSync(join(dataDir(), "crm-presets.json"), join(dir, "crm-presets.json"));
      const json = JSON.parse(readFileSync(join(dir, "crm-presets.json"), "utf8"));
      json.presets[0].stages["Appointment Scheduled"] = "somewhere";
      writeFileSync(join(dir, "crm-presets.json"), JSON.stringify(json));
      expect(() => loadCrmPresets(dir)).toThrow(
        /data\/crm-presets\.json at presets\[0\]\.stages\.Appointment Scheduled: /,
      );
      json.presets[0].stages["Appointment Scheduled"] = "discovery";
      writeFileSync(join(dir, "crm-presets.json"), JSON.stringify(json));
      expect(() => loadCrmPresets(dir)).toThrow(
        /presets\[0\]\.stages\.(Appointment Scheduled|appointmentscheduled): maps to/,
      );
    } finally {
      cleanup();
    }
  });
});
