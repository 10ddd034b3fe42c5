// Everything kept about one deal, shaped once for get_deal, the deal resource and the prompts.
import { z } from "zod";
import { DealOut, dealLine, dealText, presentDeal } from "./deal-view.js";
import { type DealStore } from "../store/types.js";
import { type Methodology } from "../methodology/load.js";
import { checkOfCurrentStay, gateOf, gateStates } from "../methodology/stages.js";

export const DealRecord = {
  deal: DealOut,
  stakeholders: z.array(z.object({ name: z.string(), role: z.string().nullable(), decision_maker: z.boolean() })),
  stage_history: z.array(
    z.object({
      stage: z.string(),
      stage_name: z.string(),
      from_stage: z.string().nullable(),
      entered_at: z.string(),
      exited_at: z.string().nullable(),
      days: z.number().nullable(),
      gate: z.string(),
      override_reason: z.string().nullable(),
    }),
  ),
  stage_moves: z
    .array(z.object({ at: z.string(), from_stage: z.string(), to_stage: z.string() }))
    .optional()
    .describe("stages renamed or merged by a change of the team's stages"),
  activities: z.array(
    z.object({
      id: z.number(),
      type: z.string(),
      occurred_at: z.string(),
      summary: z.string(),
      duration_minutes: z.number().nullable(),
      stage: z.string(),
    }),
  ),
  activities_total: z.number(),
  activities_truncated: z.boolean(),
  qualification: z
    .object({
      recorded_at: z.string(),
      framework: z.string(),
      statuses: z.record(z.string(), z.string()),
      budget: z.string(),
      authority: z.string(),
      need: z.string(),
      timeline: z.string(),
      score: z.number(),
      verdict: z.string(),
    })
    .nullable(),
  stage_check: z
    .object({
      stage: z.string(),
      recorded_at: z.string(),
      criteria: z.record(z.string(), z.boolean().nullable()),
      evidence: z.record(z.string(), z.string()),
      can_advance: z.boolean(),
    })
    .nullable(),
};

/** Everything kept about one deal, shaped for the tool and the deal resource alike. */
export function dealRecord(m: Methodology, store: DealStore, id: string, activityLimit: number) {
  const deal = store.requireDeal(id);
  const acts = store.activities(id, activityLimit);
  const q = store.latestQualification(id);
  const check = checkOfCurrentStay(store.latestStageCheck(id, deal.stage), deal);
  return {
    deal: presentDeal(m, deal),
    stakeholders: store.stakeholders(id),
    stage_history: store.stageHistory(id).map((h) => ({ ...h, stage_name: m.stage(h.stage as never).name })),
    ...stageMoves(store, id),
    activities: acts.activities.map(({ deal_id: _d, ...a }) => a),
    activities_total: acts.total,
    activities_truncated: acts.total > acts.activities.length,
    qualification: q
      ? {
          recorded_at: q.recorded_at,
          framework: q.framework,
          statuses: q.statuses,
          budget: q.budget,
          authority: q.authority,
          need: q.need,
          timeline: q.timeline,
          score: q.score,
          verdict: q.verdict,
        }
      : null,
    stage_check: check
      ? {
          stage: check.stage,
          recorded_at: check.recorded_at,
          // As the gate reads it: what was said, and entrance criteria derived from exit criteria.
          criteria: { ...check.criteria, ...gateStates(gateOf(m, deal.stage as never), check.criteria) },
          evidence: check.evidence,
          can_advance: check.can_advance,
        }
      : null,
  };
}

function stageMoves(store: DealStore, id: string) {
  const moves = store.stageRemaps(id);
  return moves.length ? { stage_moves: moves } : {};
}

export function dealRecordText(m: Methodology, r: ReturnType<typeof dealRecord>): { summary: string[]; data: string } {
  const d = r.deal;
  const summary = [
    dealLine(m, d as never),
    `In ${d.stage_name} since ${d.stage_entered_at.slice(0, 10)} · ${r.stage_history.length} stage entries · ${r.activities_total} activities${r.activities_truncated ? ` (latest ${r.activities.length} shown)` : ""} · ${r.stakeholders.length} stakeholder${r.stakeholders.length === 1 ? "" : "s"} (${r.stakeholders.filter((s) => s.decision_maker).length} decision maker${r.stakeholders.filter((s) => s.decision_maker).length === 1 ? "" : "s"})`,
    r.qualification
      ? `${frameworkName(m, r.qualification.framework)} ${r.qualification.verdict} ${r.qualification.score}/100 (${r.qualification.recorded_at.slice(0, 10)})${r.qualification.framework === m.qualification.id ? "" : `: not yet qualified under ${m.qualification.name}`}`
      : `No ${m.qualification.name} qualification yet: call qualify_prospect.`,
    r.stage_check
      ? `${d.stage_name} gate: ${r.stage_check.can_advance ? "can advance" : `${Object.values(r.stage_check.criteria).filter((v) => v !== true).length} criteria open`}`
      : `No ${d.stage_name} gate check yet: call check_stage_exit.`,
  ];
  const q = r.qualification;
  const data = [
    dealText([d as never]),
    ...r.stakeholders.map(
      (s) =>
        `stakeholder: ${JSON.stringify(s.name)}${s.role ? ` (${JSON.stringify(s.role)})` : ""}${s.decision_maker ? " decision maker" : ""}`,
    ),
    `stages: ${r.stage_history.map((h) => `${h.stage_name} ${h.entered_at.slice(0, 10)} (${h.gate})`).join(" -> ")}`,
    ...(r.stage_moves ?? []).map(
      (x) =>
        `stage ${x.from_stage} became ${x.to_stage} on ${x.at.slice(0, 10)} (a change of the methodology's stages)`,
    ),
    ...(q
      ? [
          `${frameworkName(m, q.framework)} ${q.recorded_at.slice(0, 10)}: ${Object.entries(q.statuses)
            .map(([dim, status]) => `${dim} ${status}`)
            .join(", ")}`,
        ]
      : []),
    ...r.activities.slice(0, 10).map((a) => `${a.occurred_at.slice(0, 10)} ${a.type}: ${a.summary}`),
    ...r.stage_history.filter((h) => h.override_reason).map((h) => `override into ${h.stage}: ${h.override_reason}`),
  ].join("\n");
  return { summary, data };
}

const frameworkName = (m: Methodology, id: string) => m.frameworks.find((f) => f.id === id)?.name ?? id;
