import { z } from "zod";
import { StageId } from "../../methodology/schema.js";
import { qualificationNote } from "../../methodology/qualify.js";
import { defineTool, reply } from "../define.js";
import { dealLine, DealOut, presentDeal } from "../../app/deal-view.js";
import { toTimestamp } from "../../app/dates.js";
import { warningsAfterMove } from "../../app/pipeline-analysis.js";
import { cleanText, DealId, IsoDate, Reasons, stageRef } from "../../app/schemas.js";
import { InputError } from "../../methodology/errors.js";
import { checkOfCurrentStay, unmetAtGate } from "../../methodology/stages.js";
import { assertPast } from "../../app/dates.js";

export default defineTool({
  name: "advance_stage",
  title: "Advance a deal (gated)",
  kind: "mutate",
  description: [
    "Moves an open deal to its next stage when its recorded check_stage_exit passes (exit criteria of the stage left, entrance criteria of the one entered), else refuses and changes nothing; warnings name the waste rules the move triggers. override_reason passes an unmet gate (kept in the history).",
    'Example: {"deal_id":"D-0042"}',
  ].join(" "),
  input: (m) => ({
    deal_id: DealId,
    to_stage: stageRef(m).optional().describe("default the next stage"),
    override_reason: cleanText(1000, { multiline: true }).optional(),
    at: IsoDate.optional().describe("default now"),
  }),

  output: {
    moved: z.boolean(),
    gate: z.enum(["passed", "override", "refused"]),
    from_stage: StageId,
    to_stage: StageId.nullable(),
    unmet: z.array(z.string()),
    warnings: z
      .array(
        z.object({
          rule: z.string(),
          waste: z.string(),
          severity: z.enum(["high", "medium", "low"]),
          evidence: z.string(),
        }),
      )
      .describe("Pipeline rules the deal breaks in its new stage (find_waste will flag them)"),
    deal: DealOut,
    reasons: Reasons,
  },
  handle(input, ctx) {
    const m = ctx.methodology;
    const store = ctx.store();
    const deal = store.requireDeal(input.deal_id);
    if (deal.status !== "open")
      throw new InputError(`${deal.id} is ${deal.status}; only open deals move through stages.`, "deal_id");
    const from = deal.stage as z.infer<typeof StageId>;
    const fromDef = m.stage(from);
    const next = m.stages[m.stageIndex(from) + 1];
    const to = input.to_stage ?? next?.id;
    if (!to)
      throw new InputError(
        `${deal.id} is in ${fromDef.name}, the last stage; there is nowhere to advance. Close it with close_deal when done.`,
        "to_stage",
      );
    if (to === from) throw new InputError(`${deal.id} is already in ${fromDef.name}.`, "to_stage");
    // Leaving the closing stages is the sale: an open deal gets past them by being won.
    const toDef = m.stage(to as never);
    if (toDef.role === "after_sale")
      throw new InputError(
        `${toDef.name} comes after the sale: ${deal.id} gets there by being won. Call close_deal with outcome "won" (the win counts as reaching ${m.stages[m.wonStageIndex]!.name}). Nothing was changed.`,
        "to_stage",
      );
    const now = ctx.now();
    const at = input.at ? toTimestamp(input.at) : now.toISOString();
    if (at < deal.stage_entered_at)
      throw new InputError(
        `at is before ${deal.id} entered ${fromDef.name} (${deal.stage_entered_at.slice(0, 10)}).`,
        "at",
      );
    assertPast(at, now, "at");

    const latest = store.latestStageCheck(deal.id, from);
    const check = checkOfCurrentStay(latest, deal);
    // The exit criteria of the stage left and the entrance criteria of the stage entered.
    const open = unmetAtGate(m, from, to, check?.criteria);
    const unmet = open.map((c) => c.id);
    const gatePassed = check !== undefined && unmet.length === 0;
    const isNext = to === next?.id;
    const reasons: string[] = [];
    if (!check)
      reasons.push(
        latest
          ? `The last ${fromDef.name} exit check of ${deal.id} (${latest.recorded_at.slice(0, 10)}) was made before it entered ${fromDef.name} again (${deal.stage_entered_at.slice(0, 10)}): call check_stage_exit with deal_id for this stay.`
          : `No ${fromDef.name} exit check is recorded for ${deal.id}: call check_stage_exit with deal_id first.`,
      );
    for (const c of open)
      reasons.push(
        c.entrance
          ? `${m.stage(to).name} entrance criterion "${c.text}" is not met.`
          : `${fromDef.name} exit criterion "${c.text}" is not met.`,
      );
    if (!isNext)
      reasons.push(
        `${m.stage(to).name} is not the next stage after ${fromDef.name} (${next?.name ?? "none"}); moving there needs override_reason.`,
      );

    // What the move would set off in the waste rules: the same rules, judged on the deal as it would stand.
    const warnings = warningsAfterMove(m, store, deal.id, { index: m.stageIndex(to), at }, now).map(
      ({ rule, waste, severity, evidence }) => ({ rule, waste, severity, evidence }),
    );
    const qualStage = m.qualification.qualification_stage.stage;
    if (
      m.stageIndex(from) <= m.stageIndex(qualStage) &&
      m.stageIndex(to) > m.stageIndex(qualStage) &&
      deal.bant?.verdict !== "qualified"
    ) {
      const q = deal.bant ? store.latestQualification(deal.id) : undefined;
      reasons.push(
        `Leaving ${m.stage(qualStage).name} without a qualified verdict (${q ? qualificationNote(m, q) : `no ${m.qualification.name} recorded`}): the reference's ${m.stage(qualStage).name} success metric is "${m.stage(qualStage).success_metric}". Qualify it with qualify_prospect.`,
      );
    }
    if ((!gatePassed || !isNext) && !input.override_reason) {
      return reply(
        {
          moved: false,
          gate: "refused" as const,
          from_stage: from,
          to_stage: to,
          unmet,
          warnings,
          deal: presentDeal(m, deal),
          reasons,
        },
        [
          `**Refused**: ${deal.id} stays in ${fromDef.name}. Nothing was changed.`,
          ...reasons.map((r) => `- ${r}`),
          "Record evidence with check_stage_exit, or pass override_reason to move anyway (it is kept in the history).",
        ],
      );
    }
    const gate = gatePassed && isNext ? ("passed" as const) : ("override" as const);
    if (gate === "passed")
      reasons.push(
        `Every required ${fromDef.name} exit criterion${m.stage(to).entrance_criteria.length ? ` and ${m.stage(to).name} entrance criterion` : ""} is met (check of ${check!.recorded_at.slice(0, 10)}).`,
      );
    else reasons.push(`Gate overridden: ${input.override_reason}`);
    return ctx.write(() => {
      const moved = store.moveStage(
        deal.id,
        {
          stage: to,
          stage_index: m.stageIndex(to),
          at,
          gate,
          override_reason: gate === "override" ? input.override_reason! : null,
          check_id: check?.id ?? null,
        },
        now.toISOString(),
      );
      return reply(
        {
          moved: true,
          gate,
          from_stage: from,
          to_stage: to,
          unmet: gate === "override" ? unmet : [],
          warnings,
          deal: presentDeal(m, moved),
          reasons,
        },
        [
          `Moved ${deal.id} from ${fromDef.name} to ${m.stage(to).name} (${gate === "passed" ? "gate passed" : "override recorded"}).`,
          dealLine(m, moved),
          ...warnings.map((w) => `- Warning (${m.waste(w.waste as never).name}, ${w.severity}): ${w.evidence}`),
          `Next: ${m
            .stage(to)
            .activities.slice(0, 2)
            .map((a) => a.text)
            .join("; ")}.`,
        ],
        gate === "override" ? `override_reason: ${input.override_reason}` : undefined,
      );
    });
  },
});
