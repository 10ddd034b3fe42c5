// The calls both benches time: the five methodology tools with the arguments of the README's
// examples (find_waste on described work), and the yardstick's one tool.
/** The five methodology tools with the arguments of the README's examples. */
export const CALLS_README = {
  qualify_prospect: {
    authority: { status: "access_to_decision_maker", note: "VP Ops" },
    need: { status: "confirmed" },
    timeline: { status: "defined", months: 5 },
  },
  classify_segment: { employees: 450, actively_evaluating: true, budget_status: "identified", timeline_months: 2 },
  check_stage_exit: {
    stage: "discovery",
    met: ["challenge_understood", "stakeholders_identified"],
    evidence: { fit_assessed: "Use case matches our dispatch module" },
  },
  find_waste: {
    activities: [
      { description: "Weekly pipeline status report for management", hours_per_week: 3 },
      { description: "Re-keying call notes into the CRM", hours_per_week: 2 },
      { description: "Discovery call with the customer", hours_per_week: 4 },
    ],
  },
  core_questions: { focus: "qualification", stage: "discovery" },
};

export const ECHO = { name: "echo", arguments: { text: "hi" } };
