// The reference as markdown, rendered from data/ for the lean-sales://methodology resources.
// Presentation only: every word of methodology comes from the loaded data. The reference's
// content is presented as the reference's (in our words unless quoted); this server's defaults
// and a team's own values are labelled where they appear.
import type { Methodology } from "./load.js";
import { SignalId } from "./schema.js";
import { inTerms } from "./questions.js";

/** What a stage's role means to the analyses. */
const ROLE_TEXT = {
  before_sale: "before the sale (counts toward conversion and the forecast's pipeline)",
  closing: "closing (leaving it won is the sale; commit candidates in the forecast)",
  after_sale: "after the sale (not in conversion, velocity or the forecast)",
} as const;

export const SECTIONS = [
  { id: "principles", title: "Five Core Principles of Lean Sales" },
  { id: "framework", title: "Lean Sales Management Framework" },
  { id: "segmentation", title: "Customer Segmentation Model" },
  { id: "qualification", title: "Qualification framework (BANT by default, as this server applies it)" },
  { id: "stages", title: "Sales Process Stages (End-to-End Funnel)" },
  { id: "wastes", title: "Seven Forms of Waste in Sales" },
  { id: "proactive-vs-reactive", title: "Proactive vs Reactive Sales" },
  { id: "implementation", title: "Implementation Approach (Phased)" },
  { id: "questions", title: "Quick Reference: Core Lean Sales Questions" },
] as const;

export type SectionId = (typeof SECTIONS)[number]["id"];

/** A label line for a block that is not the reference's, or "" for the reference's own. */
function label(m: Methodology, path: string): string {
  const p = m.provenance(path);
  if (p.source === "reference") return "";
  const who = p.source === "default" ? "This server's default" : "Your team's methodology";
  return `> *${who}*${p.rationale ? `: ${p.rationale}` : "."}`;
}
const labelled = (m: Methodology, path: string, body: string) => [label(m, path), body].filter(Boolean).join("\n\n");

const bullets = (items: readonly string[]) => items.map((i) => `- ${i}`).join("\n");
const months = (r: { min: number; max: number }) => (r.min === r.max ? `${r.min} months` : `${r.min}-${r.max} months`);

const conditions = (when: Record<string, string[] | undefined>) =>
  Object.entries(when)
    .map(([k, v]) => `${k} ${v!.join("/")}`)
    .join(" and ");

function table(head: string[], rows: string[][]): string {
  const esc = (s: string) => s.replace(/\|/g, "\\|");
  return [
    `| ${head.map(esc).join(" | ")} |`,
    `|${head.map(() => "---").join("|")}|`,
    ...rows.map((r) => `| ${r.map(esc).join(" | ")} |`),
  ].join("\n");
}

const renderers: Record<SectionId, (m: Methodology) => string> = {
  principles: (m) =>
    m.principles
      .map(
        (p) =>
          `### ${p.number}. ${p.name}\n**Definition**: ${p.definition}\n\n**Key aspects:**\n${bullets(p.key_aspects)}\n\n**Application:**\n${bullets(p.application)}`,
      )
      .join("\n\n"),

  framework: (m) =>
    m.framework
      .map(
        (a) =>
          `### Area ${a.number}: ${a.name}\n**Purpose**: ${a.purpose}\n\n**Key components:**\n${a.components
            .map((c) => `- **${c.name}**: ${c.description}`)
            .join("\n")}\n\n**Activities:**\n${bullets(a.activities)}`,
      )
      .join("\n\n"),

  segmentation: (m) => {
    const s = m.segmentation;
    const t = s.tier_thresholds;
    const r = s.readiness_rules;
    const money = (v: number) => `${t.currency} ${v.toLocaleString("en-US")}`;
    const perTier = (x: Record<string, number>) => s.tiers.map((tier) => `${tier.name} ${x[tier.id]}`).join(", ");
    const guidance = (rows: typeof s.derived.rows) =>
      rows
        .map(
          (row) =>
            `- **${row.label}**: ${row.sales_approach}; ${row.engagement_level}; ${months(row.cycle_time_months)}. ${row.derivation}`,
        )
        .join("\n");
    return [
      "### Dimension 1: Customer Readiness",
      s.readiness_levels
        .filter((x) => x.id !== "unknown")
        .map((x) => `- **${x.name}** (\`${x.id}\`): ${x.description}`)
        .join("\n"),
      "### Dimension 2: Customer Tier / Strategic Value",
      s.tiers.map((x) => `- **${x.name}** (\`${x.id}\`): ${x.description}`).join("\n"),
      "### Segmentation Criteria Matrix (the reference's table)",
      table(
        ["Segment", "Readiness", "Sales Approach", "Engagement Level", "Cycle Time"],
        s.matrix.map((row) => [
          row.label,
          s.readiness_levels.find((x) => x.id === row.readiness)!.name,
          row.sales_approach,
          row.engagement_level,
          `${months(row.cycle_time_months)}${row.cycle_note ? ` ${row.cycle_note}` : ""}`,
        ]),
      ),
      "### Combinations the matrix does not list (derived guidance)",
      labelled(m, "segmentation.derived", guidance(s.derived.rows)),
      "### Readiness unknown",
      labelled(
        m,
        "segmentation.unknown_readiness",
        `${s.readiness_levels.find((x) => x.id === "unknown")!.description}\n\n${guidance(s.unknown_readiness.rows)}`,
      ),
      "### How this server places a prospect",
      labelled(
        m,
        "segmentation.tier_thresholds",
        [
          `- Tier by company size: employees (mid-market from ${t.employees.mid_market.toLocaleString("en-US")}, enterprise from ${t.employees.enterprise.toLocaleString("en-US")}) or annual revenue (mid-market from ${money(t.annual_revenue.mid_market)}, enterprise from ${money(t.annual_revenue.enterprise)}); when they disagree the larger tier wins.`,
          `- Only when no company size is known: expected deal size (mid-market from ${money(t.expected_deal_size.mid_market)}, enterprise from ${money(t.expected_deal_size.enterprise)}), and the answer says it was a fallback.`,
        ].join("\n"),
      ),
      labelled(
        m,
        "segmentation.readiness_rules",
        [
          `- Ready: actively evaluating, budget ${r.ready.budget_statuses.join(" or ")}, a timeline within the tier's Ready band (months: ${perTier(r.ready.max_timeline_months)}).`,
          `- Exploring: aware of the need (awareness ${r.exploring.need_awareness.join(" or ")}${r.exploring.actively_evaluating_counts_as_aware ? ", or evaluating" : ""}) with a timeline within the tier's Exploring band (months: ${perTier(r.exploring.max_timeline_months)}) or not yet known.`,
          `- Not Ready: need awareness ${r.not_ready.need_awareness.join(" or ")}, no active timeline (timeline signal ${r.not_ready.timeline_statuses.join(" or ")}), or a timeline beyond the Exploring band.`,
          "- Otherwise readiness is unknown (segment `<tier>_unknown`), never Not Ready.",
        ].join("\n"),
      ),
      "### Application in Sales Operations",
      bullets(s.application),
    ].join("\n\n");
  },

  qualification: (m) =>
    [
      `**${m.qualification.name}** (\`${m.qualification.id}\`, the active framework): ${m.qualification.description}`,
      m.provenance(m.qualification.path).source === "reference"
        ? `The reference names ${m.qualification.name} and no more; everything below (statuses, weights, scores, verdicts, bands) is how this server applies it.`
        : "",
      label(m, `${m.qualification.path}.dimensions`),
      ...m.qualification.dimensions.map(
        (d) =>
          `### ${d.name} (weight ${d.weight})\n${d.description}\n\n${table(
            ["Status", "Score", "Qualifies", "Meaning"],
            d.statuses.map((st) => [`\`${st.id}\``, String(st.score), st.qualifying ? "yes" : "no", st.finding]),
          )}\n\n**Discovery questions:**\n${bullets(d.questions)}`,
      ),
      "### Verdicts",
      [
        `- **disqualified**: ${m.qualification.disqualifiers.map((dq) => `${conditions(dq.when)} (${dq.reason})`).join("; ") || "no rule disqualifies outright"}`,
        `- **nurture**: ${m.qualification.nurture_triggers.map((t) => `${conditions(t.when)} (${t.reason})`).join("; ") || "no rule parks a deal in nurture"}`,
        "- **qualified**: every dimension at a qualifying status.",
        "- **needs_discovery**: otherwise; the gaps are the dimensions not yet qualifying.",
        ...m.qualification.requalify.map((x) => `- When ${conditions(x.when)}: ${x.reason} ${x.how}`),
        `- A deal should leave ${m.stage(m.qualification.qualification_stage.stage).name} qualified (the reference's ${m.stage(m.qualification.qualification_stage.stage).name} success metric: "${m.stage(m.qualification.qualification_stage.stage).success_metric}"); a gap found later is a Defect in Qualification to fix where the deal is.`,
      ].join("\n"),
      "### Score bands",
      m.qualification.score_bands
        .map((b) => `- ${b.label}: ${b.min} and above, for verdicts ${b.verdicts.join(", ")}`)
        .join("\n"),
      "### Buying signals",
      "What readiness, the waste rules and lead scoring read from a qualification, in BANT's terms:",
      bullets(
        SignalId.options.map((sig) => {
          const s = m.qualification.signals[sig];
          if (s.dimension === null) return `${sig}: unknown under ${m.qualification.name}. ${s.why ?? ""}`.trim();
          const d = m.qualificationDimension(s.dimension);
          const map = d.statuses.map((st) => `${st.id} = ${s.statuses?.[st.id] ?? st.id}`).join(", ");
          return `${sig}: from ${d.name}${d.id === sig && !s.statuses ? "" : ` (${map})`}`;
        }),
      ),
      "### Other frameworks",
      `A team picks one in its methodology folder (qualification.json \`active\`) or defines its own: ${m.frameworks
        .map((f) => `**${f.name}** (\`${f.id}\`${f.id === m.qualification.id ? ", active" : ""}): ${f.description}`)
        .join(" ")}`,
    ]
      .filter(Boolean)
      .join("\n\n"),

  stages: (m) =>
    [
      ...(Object.keys(m.stageMap).length
        ? [
            `Stages a store may still hold are mapped: ${Object.entries(m.stageMap)
              .map(([from, to]) => `\`${from}\` -> \`${to}\``)
              .join(", ")}.`,
          ]
        : []),
      ...m.stages.map(
        (s, i) =>
          `### Stage ${s.number}: ${s.name} (\`${s.id}\`)\n${label(m, `stages.stages[${i}]`).replace(/(.)$/, "$1\n\n")}**Objective**: ${s.objective}\n\n**Activities:**\n${bullets(
            s.activities.map((a) => a.text),
          )}\n\n${
            s.entrance_criteria.length
              ? `**Entrance criteria** (checked with ${m.stages[i - 1]?.name ?? "the previous stage"}'s exit):\n${s.entrance_criteria
                  .map(
                    (c) =>
                      `- ${c.text} (\`${c.id}\`${c.optional ? ", optional" : ""}${c.follows_from.length ? `; met once ${c.follows_from.map((x) => `\`${x}\``).join(", ")} are` : ""}). Ask: ${c.question}`,
                  )
                  .join("\n")}\n\n`
              : ""
          }**Exit criteria:**\n${s.exit_criteria
            .map((c) => `- ${c.text} (\`${c.id}\`${c.optional ? ", optional" : ""}). Ask: ${c.question}`)
            .join("\n")}\n\n**Role**: ${ROLE_TEXT[s.role]}. **Success metric**: ${s.success_metric}`,
      ),
    ].join("\n\n"),

  wastes: (m) =>
    [
      ...m.wastes.map(
        (w) =>
          `### ${w.number}. ${w.name} (${w.short_name}) (\`${w.id}\`)\n**Definition**: ${w.definition}\n\n**Examples:**\n${bullets(w.examples)}\n\n**Elimination approach:**\n${bullets(w.elimination)}`,
      ),
      "### How this server recognises waste",
      labelled(
        m,
        "wastes.classifier",
        `Described work: word stems learned from ${m.wasteExamples.length} labelled activities, plus signal phrases per waste (for example ${m.wastes.map((w) => `${w.name}: "${w.signals[0]!.phrases.slice(0, 2).join('", "')}"`).join("; ")}); each answer names the words that decided it and the elimination approach that fits. Customer-value work is not waste.`,
      ),
      labelled(
        m,
        "wastes.pipeline",
        `The stored pipeline: stalled beyond ${m.wasteRules.pipeline.stall_warn_multiplier}x (warn) and ${m.wasteRules.pipeline.stall_flag_multiplier}x (flag) the median time in stage; silence beyond ${Object.entries(
          m.wasteRules.pipeline.silence_days,
        )
          .map(([t, d]) => `${d} days (${t})`)
          .join(
            ", ",
          )}; unqualified past ${m.stage(m.qualification.qualification_stage.stage).name}; and the other rules find_waste lists with their thresholds.`,
      ),
    ].join("\n\n"),

  "proactive-vs-reactive": (m) => {
    const pr = m.proactiveReactive;
    const mode = (x: typeof pr.proactive) =>
      `### ${x.name}\n**Characteristics:**\n${bullets(x.characteristics)}\n\n**Activities:**\n${bullets(x.activities)}\n\n**Outcomes:**\n${bullets(
        x.outcomes,
      )}\n\n**Timeline impact**: ${x.timeline_impact}`;
    return [
      mode(pr.proactive),
      mode(pr.reactive),
      "### Key Differences Summary",
      table(
        ["Factor", "Proactive", "Reactive"],
        pr.comparison.map((r) => [r.factor, r.proactive, r.reactive]),
      ),
    ].join("\n\n");
  },

  implementation: (m) =>
    [
      ...m.implementation.phases.map((p) =>
        [
          `### Phase ${p.number}: ${p.name} (Weeks ${p.weeks.from}${p.weeks.to ? `-${p.weeks.to}` : "+, ongoing"})`,
          `**Objectives:**\n${bullets(p.objectives)}`,
          `**Key activities:**\n${p.key_activities.map((a, i) => `${i + 1}. **${a.name}**\n${a.items.map((x) => `   - ${x}`).join("\n")}`).join("\n")}`,
          p.deliverables ? `**Deliverables:**\n${bullets(p.deliverables)}` : "",
          p.ongoing_activities ? `**Ongoing activities:**\n${bullets(p.ongoing_activities)}` : "",
        ]
          .filter(Boolean)
          .join("\n\n"),
      ),
      `### Success Indicators\n${bullets(m.implementation.success_indicators.map((s) => s.text))}`,
    ].join("\n\n"),

  questions: (m) =>
    m.questions
      .map(
        (q) =>
          `- **${q.topic}** (\`${q.id}\`): ${q.question}\n${q.follow_ups.map((f) => `  - ${inTerms(m, f)}`).join("\n")}`,
      )
      .join("\n"),
};

export function renderSection(m: Methodology, id: SectionId): string {
  const title = SECTIONS.find((s) => s.id === id)!.title;
  return `## ${title}\n\n${renderers[id](m)}\n`;
}

export function renderMethodology(m: Methodology): string {
  return [
    "# Lean Sales Methodology Reference",
    "The Lean Sales reference as served by lean-sales-mcp, in our words (its tables and core questions quoted): principles, management areas, segmentation, qualification, stage gates, wastes, proactive selling, the phased implementation and the core questions. Rules and numbers of this server's own are marked *This server's default* with their rationale. Each section is also available on its own as lean-sales://methodology/{section}.",
    ...SECTIONS.map((s) => renderSection(m, s.id)),
  ].join("\n\n");
}
