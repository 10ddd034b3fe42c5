import { cpSync, readdirSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { loadMethodology, MethodologyDataError } from "../../src/methodology/load.js";
import { collectLabels, unlabelledLeaves } from "../../src/methodology/provenance.js";
import { WasteId } from "../../src/methodology/schema.js";
import { dataDir } from "../../src/paths.js";
import { methodology, teamMethodology, tempDir } from "../helpers/connect.js";

function brokenCopy(file: string, mutate: (json: any) => void): string {
  const { dir } = tempDir("lsm-data-");
  cpSync(dataDir(), dir, { recursive: true });
  const p = join(dir, file);
  const json = JSON.parse(readFileSync(p, "utf8"));
  mutate(json);
  writeFileSync(p, JSON.stringify(json));
  return dir;
}

describe("where every piece of data/ comes from", () => {
  const files = readdirSync(dataDir()).filter((f) => f.endsWith(".json"));
  it.each(files)("%s labels every value it holds: the reference's or this server's default", (file) => {
    const raw = JSON.parse(readFileSync(join(dataDir(), file), "utf8"));
    expect(unlabelledLeaves(file, raw)).toEqual([]);
  });

  it("every default carries a one-line rationale", () => {
    for (const file of files) {
      for (const l of collectLabels(file, JSON.parse(readFileSync(join(dataDir(), file), "utf8"))).values()) {
        if (l.source === "default") expect(l.rationale?.length ?? 0, `${l.path}`).toBeGreaterThan(20);
      }
    }
  });

  it("a value a team changes reads as the team's, even if its block still says reference", () => {
    const dir = brokenCopy("segmentation.json", (j) => (j.matrix[0].cycle_time_months.max = 7));
    const m = loadMethodology(dir, { shipped: dataDir() });
    expect(m.provenance("segmentation.matrix[0]")).toEqual({ source: "team" });
    expect(m.provenance("segmentation.matrix[1]")).toEqual({ source: "reference" });
    expect(m.provenance("segmentation.tier_thresholds").source).toBe("default");
    expect(m.provenances.changes()).toEqual(["segmentation.matrix[0].cycle_time_months.max"]);
  });
});

describe("the methodology as data", () => {
  it("loads every part of the reference", () => {
    const m = methodology();
    expect(m.principles.map((p) => p.name)).toHaveLength(5);
    expect(m.framework).toHaveLength(4);
    expect(m.stages.map((s) => s.id)).toEqual([
      "prospecting",
      "discovery",
      "solution_presentation",
      "proposal_negotiation",
      "closing",
      "onboarding_success",
    ]);
    expect(m.wastes.map((w) => w.id).sort()).toEqual([...WasteId.options].sort());
    expect(m.segmentation.matrix).toHaveLength(6);
    expect(m.implementation.phases).toHaveLength(3);
    expect(m.questions).toHaveLength(8);
    expect(m.qualification.dimensions.map((d) => d.id)).toEqual(["budget", "authority", "need", "timeline"]);
  });

  it("keeps the reference's exit criteria and marks only the expansion plan optional", () => {
    const m = methodology();
    expect(m.stage("prospecting").exit_criteria.map((c) => c.text)).toEqual([
      "Prospect agrees to exploratory meeting",
      "Sufficient information to assess basic fit",
      "Contact information verified and relationship initiated",
    ]);
    const optional = m.stages.flatMap((s) => s.exit_criteria.filter((c) => c.optional).map((c) => c.id));
    expect(optional).toEqual(["expansion_plan"]);
  });

  it("keeps the matrix's cycle times", () => {
    const m = methodology();
    expect(m.segment("enterprise", "exploring").cycle_time_months).toEqual({ min: 6, max: 9 });
    expect(m.segment("smb", "ready")).toMatchObject({
      label: "SMB-Ready",
      in_matrix: true,
      cycle_time_months: { min: 1, max: 2 },
    });
    expect(m.segment("smb", "exploring").in_matrix).toBe(false);
  });

  it.each([
    [
      "stages.json",
      (j: any) => (j.stages[1].exit_criteria[0].text = 42),
      /data\/stages\.json at stages\[1\]\.exit_criteria\[0\]\.text/,
    ],
    [
      "qualification.json",
      (j: any) => (j.frameworks[0].dimensions[0].statuses[1].score = 100),
      /data\/qualification\.json at frameworks\[0\]\.dimensions\[0\]\.statuses\[1\]\.score: scores must fall/,
    ],
    ["wastes.json", (j: any) => j.wastes.pop(), /data\/wastes\.json at wastes/],
    [
      "segmentation.json",
      (j: any) => (j.tier_thresholds.employees.mid_market = 5000),
      /data\/segmentation\.json at tier_thresholds\.employees/,
    ],
    [
      "qualification.json",
      (j: any) => (j.frameworks[0].dimensions[1].closing_activity = "discovery.nope"),
      /closing_activity: no activity nope in stage discovery; its activities are conduct_interviews/,
    ],
    [
      "qualification.json",
      (j: any) => (j.active = "meddic"),
      /data\/qualification\.json at active: unknown framework "meddic"; the frameworks in this file are bant, meddicc, spiced, champ/,
    ],
    [
      "qualification.json",
      (j: any) => (j.frameworks[1].dimensions[3].id = "metrics"),
      /qualification\.json at frameworks\[1\]\.dimensions\[3\]\.id: dimension id metrics is used twice in MEDDICC/,
    ],
    [
      "qualification.json",
      (j: any) => j.frameworks[2].nurture_triggers[0].when.pain.push("desperate"),
      /qualification\.json at frameworks\[2\]\.nurture_triggers\[0\]\.when\.pain\[2\]: unknown pain status desperate/,
    ],
    [
      "qualification.json",
      (j: any) => (j.frameworks[3].disqualifiers[0].when = { budget: ["none"] }),
      /frameworks\[3\]\.disqualifiers\[0\]\.when\.budget: CHAMP has no dimension budget/,
    ],
    [
      "qualification.json",
      (j: any) => (j.frameworks[3].dimensions[0].id = "stage"),
      /frameworks\[3\]\.dimensions\[0\]\.id: stage is an argument of the tools/,
    ],
    [
      "qualification.json",
      (j: any) => (j.frameworks[1].signals.timeline.statuses.outlined = "soon"),
      /frameworks\[1\]\.signals\.timeline\.statuses\.outlined: soon is not a timeline value/,
    ],
    [
      "qualification.json",
      (j: any) =>
        (j.frameworks[2].dimensions[1].statuses = j.frameworks[2].dimensions[1].statuses.filter(
          (s: any) => s.id !== "unknown",
        )),
      /frameworks\[2\]\.dimensions\[1\]\.statuses: must have an unknown status/,
    ],
    [
      "stages.json",
      (j: any) => (j.stages[0].exit_criteria[0].id = `meeting_${"x".repeat(60)}`),
      /data\/stages\.json at stages\[0\]\.exit_criteria\[0\]\.id: criterion ids are at most 60 characters/,
    ],
    [
      "stages.json",
      (j: any) => (j.stages[1].entrance_criteria[0].follows_from[0] = "Meeting-Agreed"),
      /data\/stages\.json at stages\[1\]\.entrance_criteria\[0\]\.follows_from\[0\]: criterion ids are snake_case/,
    ],
    [
      "scoring.json",
      (j: any) => (j.features[2].label = "BANT budget"),
      /data\/scoring\.json at features\[2\]\.label: bant_budget takes its name from the active framework's budget dimension/,
    ],
    [
      "scoring.json",
      (j: any) => delete j.features[0].label,
      /data\/scoring\.json at features\[0\]\.label: segment needs a label/,
    ],
  ])("refuses a broken %s with the file and the path inside it", (file, mutate, message) => {
    const dir = brokenCopy(file, mutate);
    expect(() => loadMethodology(dir)).toThrow(MethodologyDataError);
    expect(() => loadMethodology(dir)).toThrow(message);
  });

  it("refuses a file that is not JSON", () => {
    const { dir } = tempDir("lsm-data-");
    cpSync(dataDir(), dir, { recursive: true });
    writeFileSync(join(dir, "questions.json"), '{\n  "a": 1\n  "b": 2\n}');
    // Where an editor shows it: the line and column, not a character offset.
    expect(() => loadMethodology(dir)).toThrow(
      /questions\.json: is not valid JSON: Expected ',' or '}' after property value at line 3, column 3/,
    );
  });
});

describe("a remedy that names the qualification framework", () => {
  it("reads as the active framework: the reference's \"Apply strict BANT qualification criteria\" under BANT, MEDDICC's name under MEDDICC", () => {
    expect(methodology().waste("qualification_defects").elimination[0]).toBe(
      "Apply strict BANT qualification criteria",
    );
    const meddicc = teamMethodology({ "qualification.json": (j) => (j.active = "meddicc") });
    expect(meddicc.waste("qualification_defects").elimination[0]).toBe("Apply strict MEDDICC qualification criteria");
    expect(JSON.stringify(meddicc.wastes)).not.toContain("{framework}");
  });
});
