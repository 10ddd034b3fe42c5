import { z } from "zod";
import { StageId, Verdict } from "../../methodology/schema.js";
import { qualifyProspect, signalsOf, type QualifyInput } from "../../methodology/qualify.js";
import type { Methodology } from "../../methodology/load.js";
import { defineTool, reply, type NextStep } from "../define.js";
import { DealId, qualificationShape, Reasons, Recorded, stageRef } from "../../app/schemas.js";

const Dimension = z.object({ status: z.string(), score: z.number(), qualifying: z.boolean(), finding: z.string() });
const dimensionIds = (m: Methodology) => m.qualification.dimensions.map((d) => d.id) as [string, ...string[]];

/** A valid call under the active framework: its first dimension unknown, the need dimension's second status. */
function example(m: Methodology): string {
  const dims = m.qualification.dimensions;
  const need = dims.find((d) => d.id === m.qualification.signals.need.dimension) ?? dims[1]!;
  const first = dims[0] === need ? dims[1]! : dims[0]!;
  return JSON.stringify({
    deal_id: "D-0042",
    [first.id]: "unknown",
    [need.id]: { status: need.statuses[1]!.id, note: "go-live by Q2" },
  });
}

export default defineTool({
  name: "qualify_prospect",
  title: (m) => `Qualify a prospect (${m.qualification.name})`,
  kind: "append",
  description: (m) =>
    [
      `${m.qualification.name} verdict (qualified, needs_discovery, nurture, disqualified), 0-100 score, gaps, one question per gap, and an action that fits the deal's stage.`,
      "Each dimension is {status, note?} or just the status. With deal_id send only what the call said: the rest keeps the deal's last status; the result is recorded.",
      `Example: ${example(m)}`,
    ].join(" "),
  input: (m) => ({
    deal_id: DealId.optional(),
    stage: stageRef(m).optional().describe("the deal's stage, without deal_id"),
    ...qualificationShape(m),
  }),
  output: (m) => ({
    framework: z.object({ id: z.string(), name: z.string() }),
    verdict: Verdict,
    score: z.number().min(0).max(100),
    band: z.string(),
    dimensions: z.object(Object.fromEntries(dimensionIds(m).map((id) => [id, Dimension]))),
    gaps: z.array(z.enum(dimensionIds(m))),
    disqualifiers: z.array(z.string()),
    nurture_triggers: z.array(z.string()),
    next_questions: z.array(z.string()),
    recommended_action: z.string(),
    reasons: Reasons,
    deal_id: DealId.optional(),
    recorded: Recorded,
  }),
  handle(input, ctx) {
    const m = ctx.methodology;
    const { deal_id, stage, ...given } = input;
    if (!deal_id) {
      const q = qualifyProspect(m, given as QualifyInput, { stage });
      return reply({ ...q, recorded: false }, summary(q), undefined, next(q));
    }
    const judge = () => {
      const store = ctx.store();
      const deal = store.requireDeal(deal_id);
      // Dimensions this call says nothing about keep what the deal's last qualification said.
      // (Only one made under the same framework: qualifyProspect says so otherwise.)
      const prior = store.latestQualification(deal_id);
      return qualifyProspect(m, given as QualifyInput, {
        stage: (stage ?? deal.stage) as z.infer<typeof StageId>,
        prior: prior && { framework: prior.framework, statuses: prior.statuses, recorded_at: prior.recorded_at },
        tier: deal.tier as never,
      });
    };
    if (ctx.readOnly) {
      const q = judge();
      return reply(
        { ...q, deal_id, recorded: false },
        [...summary(q), `Not recorded: this server is read-only.`],
        undefined,
        [],
      );
    }
    return ctx.write(() => {
      const store = ctx.store();
      const q = judge();
      const now = ctx.now().toISOString();
      const statuses = Object.fromEntries(Object.entries(q.dimensions).map(([id, d]) => [id, d.status]));
      // The signal columns keep serving readiness, the waste rules and lead scoring under any
      // framework; a signal the framework cannot tell is stored as unknown.
      const signals = signalsOf(m, statuses);
      store.recordQualification(
        deal_id,
        {
          budget: signals.budget ?? "unknown",
          authority: signals.authority ?? "unknown",
          need: signals.need ?? "unknown",
          timeline: signals.timeline ?? "unknown",
          score: q.score,
          verdict: q.verdict,
          framework: q.framework.id,
          statuses,
          detail: { input: given },
        },
        now,
      );
      const timelineDim = m.qualification.signals.timeline.dimension;
      const months = timelineDim ? (given as QualifyInput)[timelineDim]?.months : undefined;
      if (months !== undefined) store.updateDeal(deal_id, { timeline_months: months }, now);
      return reply(
        { ...q, deal_id, recorded: true },
        [...summary(q), `Recorded on ${deal_id}.`],
        undefined,
        next(q, deal_id),
      );
    });
  },
});

function summary(q: ReturnType<typeof qualifyProspect>): string[] {
  return [
    `**${q.verdict}** · ${q.framework.name} ${q.score}/100 (${q.band})`,
    q.gaps.length ? `Gaps: ${q.gaps.join(", ")}` : "No gaps.",
    ...(q.disqualifiers.length ? [`Disqualifiers: ${q.disqualifiers.join(", ")}`] : []),
    ...(q.nurture_triggers.length ? [`Nurture: ${q.nurture_triggers.join(", ")}`] : []),
    `Action: ${q.recommended_action}`,
    ...q.next_questions.map((x, i) => `${i + 1}. ${x}`),
  ];
}

/** What to call next, by verdict; with a deal, on that deal. */
function next(q: ReturnType<typeof qualifyProspect>, deal_id?: string): NextStep[] {
  if (!deal_id)
    return q.verdict === "disqualified"
      ? []
      : [
          {
            tool: "create_deal",
            arguments: { name: "<deal name>", account: "<account>" },
            why: "store the prospect, then qualify it with its deal_id so the result is kept",
          },
        ];
  if (q.verdict === "disqualified")
    return [
      {
        tool: "close_deal",
        arguments: { deal_id, outcome: "disqualified", reason: q.disqualifiers.join(", ") },
        why: "exit the prospect (once the user agrees)",
      },
    ];
  if (q.verdict === "nurture")
    return [
      {
        tool: "update_deal",
        arguments: { deal_id, status: "nurture" },
        why: "park it until its revisit date (once the user agrees)",
      },
    ];
  if (q.verdict === "qualified")
    return [{ tool: "check_stage_exit", arguments: { deal_id }, why: "check whether it may leave its stage" }];
  return [
    { tool: "core_questions", arguments: { deal_id, focus: "qualification" }, why: "questions that close the gaps" },
  ];
}
