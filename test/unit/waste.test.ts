import { describe, expect, it } from "vitest";
import { RuleInputError } from "../../src/methodology/errors.js";
import { classifyActivity, classifyDescribedWork, matchSignals } from "../../src/methodology/waste.js";
import { methodology } from "../helpers/connect.js";

const m = methodology();

describe("described work against the seven wastes", () => {
  it.each([
    ["Weekly status report for management that nobody reads", "over_processing"],
    ["Three approval layers before a standard discount", "over_processing"],
    ["Waiting two weeks for the demo environment to be scheduled", "waiting"],
    ["Re-sending the proposal because the pricing had an error", "defects"],
    ["Chasing leads with no budget and no decision maker", "qualification_defects"],
    ["Handoff from SDR to AE with a long internal meeting to re-explain context", "motion"],
    ["Keeping 200 stalled deals in the pipeline to hit the deal count", "overproduction"],
    ["New reps learn by trial and error because there is no playbook", "unutilized_talent"],
  ])("%s -> %s", (description, waste) => {
    expect(classifyActivity(m, { description }, 0).waste).toBe(waste);
  });

  it("customer value work is not waste", () => {
    const a = classifyActivity(m, { description: "Discovery call with the customer's VP Operations" }, 0);
    expect(a.waste).toBeNull();
  });

  it("a given kind decides, as a waste id or an activity kind", () => {
    expect(classifyActivity(m, { description: "anything", kind: "motion" }, 0)).toMatchObject({ waste: "motion", basis: "kind" });
    expect(classifyActivity(m, { description: "anything", kind: "approval" }, 0)).toMatchObject({ waste: "over_processing", basis: "kind" });
    expect(classifyActivity(m, { description: "anything", kind: "demo" }, 0)).toMatchObject({ waste: null, basis: "kind" });
    expect(() => classifyActivity(m, { description: "x", kind: "nap" }, 3)).toThrow(RuleInputError);
    expect(() => classifyActivity(m, { description: "x", kind: "nap" }, 3)).toThrow(/activities\[3\]\.kind must be one of/);
  });

  it("signals match whole words only", () => {
    expect(matchSignals("the CRM export", ["crm"])).toEqual(["crm"]);
    expect(matchSignals("scrmble", ["crm"])).toEqual([]);
  });

  it("each finding carries the reference's elimination approach and a severity from hours", () => {
    const r = classifyDescribedWork(m, [
      { description: "Weekly pipeline status report", hours_per_week: 3 },
      { description: "Manual CRM data entry after every call", hours_per_week: 4 },
      { description: "Customer workshop on their ROI", hours_per_week: 5 },
    ]);
    const f = r.findings.find((x) => x.waste === "over_processing")!;
    expect(f.remedy).toEqual(m.waste("over_processing").elimination);
    expect(f.severity).toBe("high");
    expect(r.waste_hours_per_week).toBe(7);
    expect(r.total_hours_per_week).toBe(12);
  });
});
