import { describe, expect, it } from "vitest";
import { InputError } from "../../src/methodology/errors.js";
import { checkStageExit } from "../../src/methodology/stages.js";
import { methodology } from "../helpers/connect.js";

const m = methodology();

describe("stage exit criteria", () => {
  it("called with only a stage, it lists the criteria with met null, so an agent can learn the ids", () => {
    const c = checkStageExit(m, { stage: "discovery" });
    expect(c.criteria.map((x) => x.id)).toEqual([
      "challenge_understood",
      "stakeholders_identified",
      "fit_assessed",
      "proposal_agreed",
    ]);
    expect(c.criteria.every((x) => x.met === null)).toBe(true);
    expect(c.can_advance).toBe(false);
    expect(c.next_stage).toBe("solution_presentation");
    // What follows comes only once the gate can be passed; until then each criterion carries its question.
    expect(c.next_activities).toEqual([]);
    expect(c.criteria.map((x) => x.question)).toEqual(m.stage("discovery").exit_criteria.map((x) => x.question));
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
    expect(c.unmet).toEqual(["stakeholders_identified"]);
    expect(c.reasons.join(" ")).toContain(
      'Discovery exit criterion "Identified stakeholders and their priorities" is not met',
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
    expect(c.criteria.map((x) => x.met)).toEqual([true, false, true]);
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
});
