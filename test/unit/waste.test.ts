import { describe, expect, it } from "vitest";
import { InputError } from "../../src/methodology/errors.js";
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

  it.each([
    "Discovery call with the customer's VP Operations",
    "Follow-up email to the prospect after yesterday's demo",
    "Tailored demo for the plant managers",
    "Sent the follow-up the customer asked for with pricing by region",
  ])("customer value work is not waste: %s", (description) => {
    const a = classifyActivity(m, { description }, 0);
    expect(a.waste).toBeNull();
    expect(a.basis).toBe("value");
  });

  it.each([
    ["Too many handoffs between SDR, AE and CSM", "motion"],
    ["Every deal needs a handoff call with a 30-minute context transfer", "motion"],
    ["Prospects wait two weeks for a demo slot", "waiting"],
    ["We waited nine days on legal", "waiting"],
  ])("word forms meet: %s -> %s", (description, waste) => {
    expect(classifyActivity(m, { description }, 0).waste).toBe(waste);
  });

  it("names the signal that decided it and the remedy that fits the activity", () => {
    const a = classifyActivity(m, { description: "Three approval layers before a standard discount" }, 0);
    expect(a.matched).toContain("layers");
    expect(a.remedy).toBe(m.waste("over_processing").elimination[1]);
    const b = classifyActivity(m, { description: "Weekly status report for management" }, 0);
    expect(b.remedy).toBe(m.waste("over_processing").elimination[2]);
  });

  it("a given kind decides, as a waste id or an activity kind", () => {
    expect(classifyActivity(m, { description: "anything", kind: "motion" }, 0)).toMatchObject({
      waste: "motion",
      basis: "kind",
    });
    expect(classifyActivity(m, { description: "anything", kind: "approval" }, 0)).toMatchObject({
      waste: "over_processing",
      basis: "kind",
    });
    expect(classifyActivity(m, { description: "anything", kind: "demo" }, 0)).toMatchObject({
      waste: null,
      basis: "kind",
    });
    expect(() => classifyActivity(m, { description: "x", kind: "nap" }, 3)).toThrow(InputError);
    expect(() => classifyActivity(m, { description: "x", kind: "nap" }, 3)).toThrow(
      /activities\[3\]\.kind must be one of/,
    );
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
    // Every elimination approach of the reference, the ones that fit these activities first.
    expect([...f.remedy].sort()).toEqual([...m.waste("over_processing").elimination].sort());
    expect(f.remedy.slice(0, 2).sort()).toEqual(
      [m.waste("over_processing").elimination[2], m.waste("over_processing").elimination[0]].sort(),
    );
    expect(f.severity).toBe("high");
    expect(r.waste_hours_per_week).toBe(7);
    expect(r.total_hours_per_week).toBe(12);
  });
});
