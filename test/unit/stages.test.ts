import { describe, expect, it } from "vitest";
import { InputError } from "../../src/methodology/errors.js";
import { checkStageExit, stageReachedByWin, unmetAtGate } from "../../src/methodology/stages.js";
import { methodology } from "../helpers/connect.js";

const m = methodology();

describe("stage exit criteria", () => {
  it("called with only a stage, it lists the criteria with met null, so an agent can learn the ids", () => {
    const c = checkStageExit(m, { stage: "discovery" });
    // Discovery's exit criteria, then Solution Presentation's entrance criteria.
    expect(c.criteria.map((x) => [x.id, x.entrance ?? false])).toEqual([
      ["challenge_understood", false],
      ["stakeholders_identified", false],
      ["fit_assessed", false],
      ["proposal_agreed", false],
      ["problem_and_people_known", true],
      ["presentation_wanted", true],
    ]);
    expect(c.criteria.every((x) => x.met === null)).toBe(true);
    expect(c.can_advance).toBe(false);
    expect(c.next_stage).toBe("solution_presentation");
    // What follows comes only once the gate can be passed; until then each criterion carries its question.
    expect(c.next_activities).toEqual([]);
    expect(c.criteria.map((x) => x.question)).toEqual([
      ...m.stage("discovery").exit_criteria.map((x) => x.question),
      ...m.stage("solution_presentation").entrance_criteria.map((x) => x.question),
    ]);
  });

  it("a blocked check gives the question that settles each unmet criterion, and none for a met one", () => {
    const c = checkStageExit(m, {
      stage: "discovery",
      met: ["challenge_understood", "fit_assessed", "proposal_agreed"],
    });
    expect(c.can_advance).toBe(false);
    expect(c.criteria.find((x) => x.id === "stakeholders_identified")!.question).toBe(
      "Who else takes part in this decision, and what matters most to each of them?",
    );
    expect(c.criteria.find((x) => x.id === "fit_assessed")!.question).toBeUndefined();
  });

  it("a passable gate lists the next stage's activities", () => {
    const c = checkStageExit(m, {
      stage: "discovery",
      met: ["challenge_understood", "stakeholders_identified", "fit_assessed", "proposal_agreed"],
    });
    expect(c.next_activities).toEqual(m.stage("solution_presentation").activities.map((a) => a.text));
  });

  it("a discovery without stakeholders identified cannot leave discovery", () => {
    const c = checkStageExit(m, {
      stage: "discovery",
      met: ["challenge_understood", "fit_assessed", "proposal_agreed"],
      unmet: ["stakeholders_identified"],
    });
    expect(c.can_advance).toBe(false);
    // The entrance criterion built on it waits on it: unmet names the exit criterion only.
    expect(c.unmet).toEqual(["stakeholders_identified"]);
    expect(c.criteria.find((x) => x.id === "problem_and_people_known")!.met).toBeNull();
    expect(c.reasons.join(" ")).toContain(
      'Discovery exit criterion "Identified stakeholders and their priorities" is not met',
    );
    expect(c.reasons.join(" ")).toMatch(
      /Solution Presentation entrance criterion "[^"]+" follows from challenge_understood, stakeholders_identified, not all met yet/,
    );
  });

  it("an entrance criterion is met when the exit criteria it follows from are, and can be refused explicitly", () => {
    const all = ["challenge_understood", "stakeholders_identified", "fit_assessed", "proposal_agreed"];
    const passed = checkStageExit(m, { stage: "discovery", met: all });
    expect(passed.criteria.filter((x) => x.entrance).map((x) => x.met)).toEqual([true, true]);
    expect(passed.can_advance).toBe(true);
    const refused = checkStageExit(m, { stage: "discovery", met: all, unmet: ["presentation_wanted"] });
    expect(refused.can_advance).toBe(false);
    expect(refused.unmet).toEqual(["presentation_wanted"]);
    expect(refused.criteria.find((x) => x.id === "presentation_wanted")!.question).toBe(
      m.stage("solution_presentation").entrance_criteria[1]!.question,
    );
  });

  it("evidence marks a criterion met", () => {
    const c = checkStageExit(m, {
      stage: "prospecting",
      met: ["meeting_agreed", "basic_fit_assessed"],
      evidence: { contact_verified: "Called the direct line" },
    });
    expect(c.can_advance).toBe(true);
    expect(c.criteria.find((x) => x.id === "contact_verified")).toMatchObject({
      met: true,
      evidence: "Called the direct line",
    });
  });

  it("the expansion plan is optional: onboarding can complete without it", () => {
    const c = checkStageExit(m, {
      stage: "onboarding_success",
      met: ["success_metrics_achieved", "review_cadence_established", "adoption_on_target"],
    });
    expect(c.can_advance).toBe(true);
    expect(c.next_stage).toBeNull();
    expect(c.criteria.find((x) => x.id === "expansion_plan")).toMatchObject({ optional: true, met: null });
  });

  it("earlier answers carry over and new ones win", () => {
    const c = checkStageExit(m, {
      stage: "prospecting",
      met: ["contact_verified"],
      unmet: ["basic_fit_assessed"],
      previous: { met: { meeting_agreed: true, basic_fit_assessed: true, contact_verified: null }, evidence: {} },
    });
    // Prospecting's exit, then Discovery's entrance (the meeting with a verified contact follows;
    // fit does not, since basic fit is now unmet).
    expect(c.criteria.map((x) => x.met)).toEqual([true, false, true, true, null]);
  });

  it("an unknown criterion id is refused with the valid ids", () => {
    expect(() => checkStageExit(m, { stage: "closing", met: ["stakeholders_identified"] })).toThrow(InputError);
    expect(() => checkStageExit(m, { stage: "closing", met: ["nope"] })).toThrow(/Valid ids: contract_executed/);
  });

  it("a criterion cannot be both met and unmet", () => {
    expect(() =>
      checkStageExit(m, { stage: "closing", met: ["contract_executed"], unmet: ["contract_executed"] }),
    ).toThrow(/both met and unmet/);
  });

  it("a check recorded before a stage had entrance criteria still gates by the exit criteria they follow from", () => {
    const old = {
      challenge_understood: true,
      stakeholders_identified: true,
      fit_assessed: true,
      proposal_agreed: true,
    };
    expect(unmetAtGate(m, "discovery", "solution_presentation", old)).toEqual([]);
    // An open exit criterion is named; the entrance criterion waiting on it is not named twice.
    expect(unmetAtGate(m, "discovery", "solution_presentation", { ...old, fit_assessed: null })).toEqual([
      { id: "fit_assessed", text: m.stage("discovery").exit_criteria[2]!.text, entrance: false },
    ]);
    // Refused explicitly, an entrance criterion is named even with its exit criteria met.
    expect(
      unmetAtGate(m, "discovery", "solution_presentation", { ...old, presentation_wanted: false }).map((c) => c.id),
    ).toEqual(["presentation_wanted"]);
    // Skipping a stage: the entrance criteria of the stage entered have no check behind them.
    expect(unmetAtGate(m, "discovery", "proposal_negotiation", old).map((c) => c.id)).toEqual([
      "solution_endorsed",
      "decision_path_known",
    ]);
  });

  it("an entrance criterion refused in one check stays refused in the next, even with its exit criteria met", () => {
    const all = ["meeting_agreed", "basic_fit_assessed", "contact_verified"];
    const first = checkStageExit(m, { stage: "prospecting", met: all, unmet: ["discovery_meeting_set"] });
    expect(first.can_advance).toBe(false);
    const previous = {
      met: Object.fromEntries(first.criteria.map((x) => [x.id, x.met])),
      evidence: {},
    };
    const second = checkStageExit(m, { stage: "prospecting", previous });
    expect(second.criteria.find((x) => x.id === "discovery_meeting_set")!.met).toBe(false);
    expect(second.can_advance).toBe(false);
  });
});

describe("the stage a won deal has reached", () => {
  const roles = (...r: string[]) => r.map((role) => ({ role }) as { role: "before_sale" | "closing" | "after_sale" });
  it.each([
    [
      "the shipped six stages: Onboarding & Success",
      roles("before_sale", "before_sale", "before_sale", "before_sale", "closing", "after_sale"),
      5,
    ],
    ["two stages after the sale: the first of them", roles("before_sale", "closing", "after_sale", "after_sale"), 2],
    ["none after the sale: the last closing stage", roles("before_sale", "closing", "closing"), 2],
    ["two closing stages then one after: the one after", roles("before_sale", "closing", "closing", "after_sale"), 3],
  ])("%s", (_, stages, index) => {
    expect(stageReachedByWin(stages)).toBe(index);
  });

  it("is the methodology's wonStageIndex", () => {
    expect(m.wonStageIndex).toBe(m.stageIndex("onboarding_success"));
  });
});
