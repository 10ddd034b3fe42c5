// The reference as markdown, rendered from data/ for the lean-sales://methodology resources.
// Presentation only: every word of methodology comes from the loaded data.
import type { Methodology } from "./load.js";

export const SECTIONS = [
  { id: "principles", title: "Five Core Principles of Lean Sales" },
  { id: "framework", title: "Lean Sales Management Framework" },
  { id: "segmentation", title: "Customer Segmentation Model" },
  { id: "qualification", title: "Qualification (BANT)" },
  { id: "stages", title: "Sales Process Stages (End-to-End Funnel)" },
  { id: "wastes", title: "Seven Forms of Waste in Sales" },
  { id: "proactive-vs-reactive", title: "Proactive vs Reactive Sales" },
  { id: "implementation", title: "Implementation Approach (Phased)" },
  { id: "questions", title: "Quick Reference: Core Lean Sales Questions" },
] as const;

export type SectionId = (typeof SECTIONS)[number]["id"];

const bullets = (items: readonly string[]) => items.map((i) => `- ${i}`).join("\n");
const months = (r: { min: number; max: number }) => (r.min === r.max ? `${r.min} months` : `${r.min}-${r.max} months`);

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
    const rows = [...s.matrix.map((r) => ({ ...r, derived: false })), ...s.derived.map((r) => ({ ...r, derived: true }))];
    return [
      "### Dimension 1: Customer Readiness",
      s.readiness_levels.map((r) => `- **${r.name}** (\`${r.id}\`): ${r.description}`).join("\n"),
      "### Dimension 2: Customer Tier / Strategic Value",
      s.tiers.map((r) => `- **${r.name}** (\`${r.id}\`): ${r.description}`).join("\n"),
      "### Segmentation Criteria Matrix",
      table(
        ["Segment", "Readiness", "Sales Approach", "Engagement Level", "Cycle Time"],
        s.matrix.map((r) => [
          r.label,
          s.readiness_levels.find((x) => x.id === r.readiness)!.name,
          r.sales_approach,
          r.engagement_level,
          `${months(r.cycle_time_months)}${r.cycle_note ? ` ${r.cycle_note}` : ""}`,
        ]),
      ),
      "### Combinations the matrix does not list (derived guidance)",
      rows
        .filter((r) => r.derived)
        .map((r) => `- **${r.label}**: ${r.sales_approach}; ${r.engagement_level}; ${months(r.cycle_time_months)}. ${"derivation" in r ? r.derivation : ""}`)
        .join("\n"),
      "### How this server places a prospect",
      [
        `- Tier by employees (mid-market from ${t.employees.mid_market.toLocaleString("en-US")}, enterprise from ${t.employees.enterprise.toLocaleString("en-US")}), annual revenue (mid-market from ${t.currency} ${t.annual_revenue.mid_market.toLocaleString("en-US")}, enterprise from ${t.currency} ${t.annual_revenue.enterprise.toLocaleString("en-US")}) or expected deal size (mid-market from ${t.currency} ${t.expected_deal_size.mid_market.toLocaleString("en-US")}, enterprise from ${t.currency} ${t.expected_deal_size.enterprise.toLocaleString("en-US")}); when signals disagree the larger tier wins. ${t.deal_size_note}`,
        `- Ready: actively evaluating, budget ${s.readiness_rules.ready.budget_statuses.join(" or ")}, timeline of at most ${s.readiness_rules.ready.max_timeline_months} months.`,
        `- Exploring: aware of the need (awareness ${s.readiness_rules.exploring.need_awareness.join(" or ")}${s.readiness_rules.exploring.actively_evaluating_counts_as_aware ? ", or evaluating" : ""}) with a timeline of at most ${s.readiness_rules.exploring.max_timeline_months} months.`,
        "- Otherwise Not Ready.",
      ].join("\n"),
      "### Application in Sales Operations",
      bullets(s.application),
    ].join("\n\n");
  },

  qualification: (m) =>
    [
      "BANT (Budget, Authority, Need, Timeline) is the qualification framework of Area 2. Each dimension has statuses, best first; a dimension not at a qualifying status is a gap, and `unknown` is always a gap.",
      ...m.bant.dimensions.map(
        (d) =>
          `### ${d.name} (weight ${d.weight})\n${d.description}\n\n${table(
            ["Status", "Score", "Qualifies", "Meaning"],
            d.statuses.map((s) => [`\`${s.id}\``, String(s.score), s.qualifying ? "yes" : "no", s.finding]),
          )}\n\n**Discovery questions:**\n${bullets(d.questions)}`,
      ),
      "### Disqualifiers",
      m.bant.disqualifiers
        .map((dq) => `- **${dq.id}** (${Object.entries(dq.when).map(([k, v]) => `${k} ${v.join("/")}`).join(" and ")}): ${dq.reason}`)
        .join("\n"),
      "### Score bands",
      m.bant.score_bands.map((b) => `- ${b.label}: ${b.min} and above`).join("\n"),
    ].join("\n\n"),

  stages: (m) =>
    m.stages
      .map(
        (s) =>
          `### Stage ${s.number}: ${s.name} (\`${s.id}\`)\n**Objective**: ${s.objective}\n\n**Activities:**\n${bullets(
            s.activities.map((a) => a.text),
          )}\n\n**Exit criteria:**\n${s.exit_criteria
            .map((c) => `- ${c.text} (\`${c.id}\`${c.optional ? ", optional" : ""}). Ask: ${c.question}`)
            .join("\n")}\n\n**Success metric**: ${s.success_metric}`,
      )
      .join("\n\n"),

  wastes: (m) =>
    m.wastes
      .map(
        (w) =>
          `### ${w.number}. ${w.name} (${w.short_name}) (\`${w.id}\`)\n**Definition**: ${w.definition}\n\n**Examples:**\n${bullets(
            w.examples,
          )}\n\n**Elimination approach:**\n${bullets(w.elimination)}\n\n**Signals**: ${w.signals.join(", ")}`,
      )
      .join("\n\n"),

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
      table(["Factor", "Proactive", "Reactive"], pr.comparison.map((r) => [r.factor, r.proactive, r.reactive])),
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
    m.questions.map((q) => `- **${q.topic}** (\`${q.id}\`): ${q.question}\n${q.follow_ups.map((f) => `  - ${f}`).join("\n")}`).join("\n"),
};

export function renderSection(m: Methodology, id: SectionId): string {
  const title = SECTIONS.find((s) => s.id === id)!.title;
  return `## ${title}\n\n${renderers[id](m)}\n`;
}

export function renderMethodology(m: Methodology): string {
  return [
    "# Lean Sales Methodology Reference",
    "The Lean Sales framework as served by lean-sales-mcp: principles, management areas, segmentation, qualification, stage gates, wastes, proactive selling, the phased implementation and the core questions. Each section is also available on its own as lean-sales://methodology/{section}.",
    ...SECTIONS.map((s) => renderSection(m, s.id)),
  ].join("\n\n");
}
