// The placeholders a prompt body may use, each rendered from data/ or the store (see template.ts).
import type { Methodology, StageDef } from "../../methodology/load.js";
import { FocusId } from "../../methodology/schema.js";
import { inTerms } from "../../methodology/questions.js";
import { fence } from "../../app/fence.js";
import { dealRecordText } from "../../app/deal-record.js";
import { type Placeholder, type Render } from "./types.js";
import { lastFullQuarter } from "../../app/dates.js";

const bullets = (items: readonly string[]) => items.map((i) => `- ${i}`).join("\n");
const months = (c: { min: number; max: number }) => (c.min === c.max ? `${c.min} months` : `${c.min}-${c.max} months`);
const snake = (s: string) =>
  s
    .toLowerCase()
    .replace(/[^a-z0-9]+/g, "_")
    .replace(/^_|_$/g, "");

export function fenced(r: Render, source: string, text: string): string {
  r.blocks.push(fence(text, source, r.nonce));
  return `\u0000${r.blocks.length - 1}\u0000`;
}

/**
 * A stage a prompt names: a stage id (or one the team's stage map sends elsewhere), or
 * `qualification_stage`, the stage a deal should leave qualified (the reference's Discovery),
 * so that a prompt about that stage still reads right on a team's own stages.
 */
const QUALIFICATION_STAGE = "qualification_stage";
function stageKey(m: Methodology, key: string): string | undefined {
  return m.resolveStage(key) ?? (key === QUALIFICATION_STAGE ? m.qualification.qualification_stage.stage : undefined);
}

function stageField(
  field:
    | "id"
    | "name"
    | "objective"
    | "activities"
    | "entrance_criteria"
    | "exit_criteria"
    | "success_metric"
    | "next_stage",
): Placeholder {
  const pick = (r: Render, key?: string) => (key ? r.m.stage(stageKey(r.m, key)!) : r.stage!);
  const show: Record<typeof field, (s: StageDef, r: Render) => string> = {
    id: (s) => s.id,
    name: (s) => `${s.name} (\`${s.id}\`)`,
    objective: (s) => s.objective,
    activities: (s) => bullets(s.activities.map((a) => a.text)),
    entrance_criteria: (s) =>
      s.entrance_criteria.length
        ? bullets(
            s.entrance_criteria.map(
              (c) => `\`${c.id}\`${c.optional ? " (optional)" : ""}: ${c.text}. Ask: ${c.question}`,
            ),
          )
        : "none",
    exit_criteria: (s) =>
      bullets(
        s.exit_criteria.map((c) => `\`${c.id}\`${c.optional ? " (optional)" : ""}: ${c.text}. Ask: ${c.question}`),
      ),
    success_metric: (s) => s.success_metric,
    next_stage: (s, r) => {
      const next = r.m.stages[r.m.stageIndex(s.id) + 1];
      return next ? `${next.name} (\`${next.id}\`)` : "none (the last stage)";
    },
  };
  return {
    key: "optional",
    keys: (m) => [...m.stages.map((s) => s.id), ...Object.keys(m.stageMap), QUALIFICATION_STAGE],
    unkeyedNeeds: "stage",
    render: (r, key) => show[field](pick(r, key), r),
  };
}

const implementationActivities = (m: Methodology) =>
  m.implementation.phases.flatMap((p) =>
    p.key_activities.map((a) => ({ key: `${p.id}.${snake(a.name)}`, phase: p, activity: a })),
  );

export const PLACEHOLDERS: Record<string, Placeholder> = {
  deal: {
    key: "none",
    needsArg: ["deal_id"],
    render: (r) => {
      if (!r.deal) return "";
      if (!r.deal.record)
        return `Deal ${r.deal.id} was not found in the deal store. Call \`list_deals\` (filters.q finds names and accounts) to find the right id, and confirm it with the user before going on.`;
      const t = dealRecordText(r.m, r.deal.record);
      return `${t.summary.join("\n")}\n\n${fenced(r, `the deal store (the record of ${r.deal.id})`, t.data)}`;
    },
  },
  filters: {
    key: "none",
    needsArg: ["owner", "segment", "stage"],
    render: (r) =>
      JSON.stringify(
        Object.fromEntries(
          (["owner", "segment", "stage"] as const).filter((k) => r.args[k]).map((k) => [k, r.args[k]]),
        ),
      ),
  },
  tool: { key: "required", keys: (_m, tools) => [...tools], render: (_r, key) => `\`${key}\`` },
  today: { key: "none", render: (r) => r.today },
  // The last full calendar quarter before today: from, to (ISO dates) and its name (2026-Q3).
  quarter: {
    key: "required",
    keys: () => ["from", "to", "name"],
    render: (r, key) => {
      const q = lastFullQuarter(r.today);
      return key === "from" ? q.from : key === "to" ? q.to : q.name;
    },
  },
  "stage.id": stageField("id"),
  "stage.name": stageField("name"),
  "stage.objective": stageField("objective"),
  "stage.activities": stageField("activities"),
  "stage.exit_criteria": stageField("exit_criteria"),
  "stage.entrance_criteria": stageField("entrance_criteria"),
  "stage.success_metric": stageField("success_metric"),
  "stage.next_stage": stageField("next_stage"),
  stages: {
    key: "none",
    render: (r) => r.m.stages.map((s) => `${s.number}. ${s.name} (\`${s.id}\`): ${s.objective}`).join("\n"),
  },
  wastes: {
    key: "none",
    render: (r) => bullets(r.m.wastes.map((w) => `**${w.name}** (\`${w.id}\`, ${w.short_name}): ${w.definition}`)),
  },
  waste: {
    key: "required",
    keys: (m) => m.wastes.map((w) => w.id),
    render: (r, key) => {
      const w = r.m.waste(key as never);
      return `**${w.name}** (\`${w.id}\`): ${w.definition}\nExamples:\n${bullets(w.examples)}\nElimination approach:\n${bullets(w.elimination)}`;
    },
  },
  segments: {
    key: "none",
    render: (r) =>
      bullets(
        [
          ...r.m.segmentation.matrix.map((s) => ({ ...s, derived: false })),
          ...r.m.segmentation.derived.rows.map((s) => ({ ...s, derived: true })),
        ].map(
          (s) =>
            `**${s.label}** (\`${s.tier}_${s.readiness}\`): ${s.sales_approach}; ${s.engagement_level}; ${months(s.cycle_time_months)}${s.derived ? " (derived: not in the reference's matrix)" : ""}`,
        ),
      ),
  },
  questions: {
    key: "none",
    render: (r) => bullets(r.m.questions.map((q) => `**${q.topic}** (\`${q.id}\`): ${q.question}`)),
  },
  question: {
    key: "optional",
    keys: () => FocusId.options,
    unkeyedNeeds: "arg.focus",
    render: (r, key) => {
      const q = r.m.questions.find((x) => x.id === (key ?? r.args.focus))!;
      return `**${q.topic}**: ${q.question}\n${bullets(q.follow_ups.map((f) => inTerms(r.m, f)))}`;
    },
  },
  principle: {
    key: "required",
    keys: (m) => m.principles.map((p) => p.id),
    render: (r, key) => {
      const p = r.m.principles.find((x) => x.id === key)!;
      return `**${p.name}**: ${p.definition}\n${bullets(p.application)}`;
    },
  },
  "qualification.framework": {
    key: "none",
    render: (r) => r.m.qualification.name,
  },
  "qualification.dimensions": {
    key: "none",
    render: (r) =>
      bullets(
        r.m.qualification.dimensions.map(
          (d) =>
            `**${d.name}** (\`${d.id}\`, weight ${d.weight}): ${d.description} Statuses, best first: ${d.statuses.map((s) => `\`${s.id}\`${s.qualifying ? " (qualifies)" : ""}`).join(", ")}.`,
        ),
      ),
  },
  "qualification.questions": {
    key: "none",
    render: (r) => r.m.qualification.dimensions.map((d) => `**${d.name}**\n${bullets(d.questions)}`).join("\n"),
  },
  "qualification.disqualifiers": {
    key: "none",
    render: (r) =>
      bullets(
        r.m.qualification.disqualifiers.map(
          (dq) =>
            `\`${dq.id}\` (${Object.entries(dq.when)
              .map(([dim, st]) => `${dim} ${st.join(" or ")}`)
              .join(" and ")}): ${dq.reason}`,
        ),
      ),
  },
  "qualification.nurture": {
    key: "none",
    render: (r) =>
      bullets(
        r.m.qualification.nurture_triggers.map(
          (t) =>
            `\`${t.id}\` (${Object.entries(t.when)
              .map(([dim, st]) => `${dim} ${st.join(" or ")}`)
              .join(" and ")}): ${t.reason}`,
        ),
      ),
  },
  "proactive.characteristics": { key: "none", render: (r) => bullets(r.m.proactiveReactive.proactive.characteristics) },
  "proactive.activities": { key: "none", render: (r) => bullets(r.m.proactiveReactive.proactive.activities) },
  success_indicators: { key: "none", render: (r) => bullets(r.m.implementation.success_indicators.map((s) => s.text)) },
  "implementation.deliverables": {
    key: "required",
    keys: (m) => m.implementation.phases.filter((p) => p.deliverables).map((p) => p.id),
    render: (r, key) => bullets(r.m.implementation.phases.find((p) => p.id === key)!.deliverables!),
  },
  "implementation.objectives": {
    key: "required",
    keys: (m) => m.implementation.phases.map((p) => p.id),
    render: (r, key) => bullets(r.m.implementation.phases.find((p) => p.id === key)!.objectives),
  },
  "implementation.activity": {
    key: "required",
    keys: (m) => implementationActivities(m).map((a) => a.key),
    render: (r, key) => {
      const { phase, activity } = implementationActivities(r.m).find((a) => a.key === key)!;
      return `**${activity.name}** (Phase ${phase.number}: ${phase.name})\n${bullets(activity.items)}`;
    },
  },
};
