// Two self-assessments over what the deal store shows. Pure: the caller reduces the store to
// per-deal evidence (selling approach) or to a summary (Lean maturity); every measure, cut-off
// and question comes from data/assessments.json, and every result names whose rule it applied
// (the reference's or this server's default) and the numbers it saw. Where the evidence is too
// thin the answer is null with the reason, never a guess.
// Reference: "Proactive vs Reactive Sales Comparison" (characteristics, activities, the Key
// Differences table and its typical win rates); "Five Core Principles of Lean Sales"; "Lean Sales
// Management Framework"; "Implementation Approach (Phased)" (key activities, Phase 1's
// "Establish Baseline Metrics").
import { z } from "zod";
import { MethodologyDataError, type Methodology } from "./load.js";
import { collectLabels, PARSE_ONCE, sourceName, withoutLabels, type Provenance, type Source } from "./provenance.js";
import { ActivityType, type DealStatus } from "./schema.js";
import { DAYS_PER_MONTH, round } from "./stats.js";

// ---------------------------------------------------------------- data/assessments.json

const FILE = "assessments.json";
const Id = z.string().regex(/^[a-z][a-z0-9_]*$/, "ids are snake_case");
const Text = z.string().min(1);
const Level = z.number().int().min(1).max(5);
const Cuts = z
  .array(z.number())
  .length(4)
  .refine((c) => c.every((x, i) => i === 0 || x > c[i - 1]!), "the four cuts must rise");
const Unit = z.enum(["share", "count", "days", "months", "percent", "points"]);
const Direction = z.enum(["higher", "lower"]);

export const AnswerValue = z.enum(["always", "often", "sometimes", "rarely", "never"]);
export type Answer = z.infer<typeof AnswerValue>;

export const SellingFactorId = z.enum([
  "sourcing",
  "discovery",
  "positioning",
  "timeline",
  "win_rate",
  "cycle_time",
  "deal_size",
  "customer_value",
]);
export type SellingFactor = z.infer<typeof SellingFactorId>;

/** The store measures this module knows how to compute; data picks, orders and tunes them. */
export const SellingMeasureId = z.enum([
  "proactive_source_share",
  "researched_share",
  "median_stakeholders",
  "median_discovery_activities",
  "qualified_before_proposal_share",
  "feature_first_share",
  "discovery_share_of_cycle",
  "win_rate_vs_reference",
  "win_rate_vs_team",
  "months_shorter_than_team",
  "percent_above_team",
]);
type SellingMeasure = z.infer<typeof SellingMeasureId>;

const SellingMeasureDef = z
  .object({
    id: SellingMeasureId,
    measure: Text,
    unit: Unit,
    direction: Direction,
    cuts: Cuts.optional(),
    // The win-rate cuts come from proactive-reactive.json so the reference's numbers live in one place.
    cuts_from: z.literal("typical_win_rate_percent").optional(),
    reference_cuts: z.object({ quote: Text, values: z.array(z.number()).min(1) }).optional(),
    min_deals: z.number().int().positive(),
    proactive_sources: z.array(Id).optional(),
    reactive_sources: z.array(Id).optional(),
    neutral_sources: z.object({ values: z.array(Id) }).optional(),
    // Activity types (checked against the store's in checkAssessments, so this file needs no value from schema.ts).
    feature_led_types: z.array(Id).optional(),
    conversation_led_types: z.array(Id).optional(),
  })
  .superRefine((d, ctx) => {
    if ((d.cuts === undefined) === (d.cuts_from === undefined))
      ctx.addIssue({ code: "custom", path: ["cuts"], message: "give exactly one of cuts and cuts_from" });
    for (const v of d.reference_cuts?.values ?? []) {
      if (!d.cuts?.includes(v))
        ctx.addIssue({ code: "custom", path: ["reference_cuts", "values"], message: `${v} is not one of the cuts` });
    }
    if (d.id === "proactive_source_share" && (!d.proactive_sources || !d.reactive_sources)) {
      ctx.addIssue({
        code: "custom",
        path: ["proactive_sources"],
        message: "proactive_source_share needs proactive_sources and reactive_sources",
      });
    }
    if (d.id === "feature_first_share" && (!d.feature_led_types || !d.conversation_led_types)) {
      ctx.addIssue({
        code: "custom",
        path: ["feature_led_types"],
        message: "feature_first_share needs feature_led_types and conversation_led_types",
      });
    }
  });

const EvidenceField = z.enum([
  "deals",
  "closed",
  "stage_checks_share",
  "overrides_share",
  "qualified_share_past_discovery",
  "waste_flags_per_open_deal",
  "close_reason_share",
  "baselines",
  "last_baseline_days_ago",
  "activity_logging_per_deal",
  "win_loss_reviewed",
  "segments_known_share",
  "readiness_known_share",
]);
const Sample = z.enum(["deals", "closed", "none"]);
const SignalCommon = { id: Id, measure: Text, sample: Sample, requires: EvidenceField.optional() };
const MaturitySignal = z.discriminatedUnion("kind", [
  z.object({
    ...SignalCommon,
    kind: z.literal("scale"),
    field: EvidenceField.exclude(["win_loss_reviewed"]),
    unit: Unit,
    direction: Direction,
    cuts: Cuts,
    if_null: z.object({ level: Level, meaning: Text }).optional(),
  }),
  z.object({
    ...SignalCommon,
    kind: z.literal("flag"),
    field: z.literal("win_loss_reviewed"),
    levels: z.object({ yes: Level, no: Level }),
  }),
]);

const inOrder = (key: "position" | "level") => (s: Array<Record<string, unknown>>) =>
  s.every((x, i) => x[key] === i + 1);
const SellingScale = z
  .array(z.object({ position: Level, name: Text }))
  .length(5)
  .refine(inOrder("position"), "positions run 1..5 in order");
const MaturityScale = z
  .array(z.object({ level: Level, name: Text, description: Text.optional() }))
  .length(5)
  .refine(inOrder("level"), "levels run 1..5 in order");

export const AssessmentsFile = z
  .object({
    answer_levels: z.object({ always: Level, often: Level, sometimes: Level, rarely: Level, never: Level }),
    selling: z.object({
      scale: SellingScale,
      weak_at_or_below: Level,
      min_positioned_factors: z.number().int().min(1).max(8),
      // Which records count as contact, research and discovery conversations (checked against the
      // activity types and stages in checkAssessments).
      evidence: z.object({
        contact_types: z.array(Id).min(1),
        research_types: z.array(Id).min(1),
        conversation_types: z.array(Id).min(1),
        discovery_stage: Id,
        proposal_stage: Id,
      }),
      factors: z
        .array(
          z.object({
            id: SellingFactorId,
            factor: Text,
            answers_count: z.boolean(),
            moves: z.object({
              characteristics: z.array(z.number().int().nonnegative()),
              activities: z.array(z.number().int().nonnegative()),
            }),
            measures: z.array(SellingMeasureDef),
          }),
        )
        .length(SellingFactorId.options.length),
      questions: z.array(z.object({ id: Id, factor: SellingFactorId, text: Text, from: Text })).min(1),
    }),
    maturity: z.object({
      scale: MaturityScale,
      min_deals: z.number().int().positive(),
      min_closed: z.number().int().positive(),
      baseline: z.object({ phase: Id, activity: Text, max_age_days: z.number().positive() }),
      signals: z.array(MaturitySignal).min(1),
      questions: z.array(z.object({ id: Id, text: Text, from: Text })).min(1),
      rules: z
        .array(z.object({ kind: z.enum(["principle", "area"]), id: Id, signals: z.array(Id), questions: z.array(Id) }))
        .min(1),
      phases: z.object({
        unrated: z.object({ phase: Id, activities: z.array(Text).min(1) }),
        by_level: z.array(z.object({ up_to_level: Level, phase: Id })).min(1),
        steps: z.record(Id, z.record(Id, z.array(Text).min(1))),
      }),
    }),
  })
  .superRefine((d, ctx) => {
    const dupes = (ids: string[], path: (string | number)[]) => {
      const seen = new Set<string>();
      for (const id of ids) {
        if (seen.has(id)) ctx.addIssue({ code: "custom", path, message: `${id} appears twice` });
        seen.add(id);
      }
    };
    dupes(
      d.selling.factors.map((f) => f.id),
      ["selling", "factors"],
    );
    dupes(
      d.selling.questions.map((q) => q.id),
      ["selling", "questions"],
    );
    dupes(
      d.maturity.signals.map((s) => s.id),
      ["maturity", "signals"],
    );
    dupes(
      d.maturity.questions.map((q) => q.id),
      ["maturity", "questions"],
    );
    const signals = new Set(d.maturity.signals.map((s) => s.id));
    const questions = new Set(d.maturity.questions.map((q) => q.id));
    d.maturity.rules.forEach((r, i) => {
      r.signals.forEach(
        (s, j) =>
          signals.has(s) ||
          ctx.addIssue({ code: "custom", path: ["maturity", "rules", i, "signals", j], message: `no signal ${s}` }),
      );
      r.questions.forEach(
        (q, j) =>
          questions.has(q) ||
          ctx.addIssue({ code: "custom", path: ["maturity", "rules", i, "questions", j], message: `no question ${q}` }),
      );
    });
    const bands = d.maturity.phases.by_level;
    if (
      bands.some((b, i) => i > 0 && b.up_to_level <= bands[i - 1]!.up_to_level) ||
      bands[bands.length - 1]!.up_to_level !== 5
    ) {
      ctx.addIssue({
        code: "custom",
        path: ["maturity", "phases", "by_level"],
        message: "up_to_level must rise and end at 5",
      });
    }
  });
export type AssessmentsData = z.infer<typeof AssessmentsFile>;

/** The parsed file and where each part of it comes from. */
export interface AssessmentRules {
  data: AssessmentsData;
  /** Where the value at a path such as "assessments.selling.factors[0]" comes from. */
  provenance(path: string): Provenance;
}

/**
 * Validates a parsed data/assessments.json. Labels come from the file itself unless the caller
 * passes a lookup (the loader's m.provenance, which also knows what a team changed).
 */
export function parseAssessments(raw: unknown, provenance?: (path: string) => Provenance): AssessmentRules {
  const parsed = AssessmentsFile.safeParse(withoutLabels(raw), PARSE_ONCE);
  if (!parsed.success) {
    const issue = parsed.error.issues[0]!;
    throw new MethodologyDataError(
      FILE,
      issue.path
        .map((k) => (typeof k === "number" ? `[${k}]` : `.${String(k)}`))
        .join("")
        .replace(/^\./, ""),
      issue.message,
    );
  }
  if (provenance) return { data: parsed.data, provenance };
  const labels = collectLabels("assessments", raw);
  return {
    data: parsed.data,
    provenance: (path) => {
      for (let p = path; ;) {
        const l = labels.get(p);
        if (l) return { source: l.source, ...(l.rationale ? { rationale: l.rationale } : {}) };
        const cut = Math.max(p.lastIndexOf("."), p.lastIndexOf("["));
        if (cut <= 0) return { source: "team" };
        p = p.slice(0, cut);
      }
    },
  };
}

const rulesOf = new WeakMap<Methodology, AssessmentRules>();
/**
 * The assessment rules of a loaded methodology: data/assessments.json validated, its references
 * to the other files checked, its labels judged as the loader judges every file's. Throws
 * MethodologyDataError naming the file and path; the CLI calls it at start-up.
 */
export function assessmentRules(m: Methodology): AssessmentRules {
  let rules = rulesOf.get(m);
  if (!rules) {
    rules = parseAssessments(m.assessmentsRaw, (path) => m.provenance(path));
    checkAssessments(m, rules);
    rulesOf.set(m, rules);
  }
  return rules;
}

const checked = new WeakMap<AssessmentRules, WeakSet<Methodology>>();
/** Checks that data/assessments.json names what the other files hold (factors, ids, phases, activities). */
export function checkAssessments(m: Methodology, rules: AssessmentRules): void {
  if (checked.get(rules)?.has(m)) return;
  const d = rules.data;
  const fail = (path: string, detail: string): never => {
    throw new MethodologyDataError(FILE, path, detail);
  };
  const rows = m.proactiveReactive.comparison.map((c) => c.factor);
  const activityTypes: readonly string[] = ActivityType.options;
  d.selling.factors.forEach((f, i) => {
    f.measures.forEach((md, j) =>
      [...(md.feature_led_types ?? []), ...(md.conversation_led_types ?? [])].forEach(
        (t) =>
          activityTypes.includes(t) ||
          fail(`selling.factors[${i}].measures[${j}]`, `no activity type ${t} (there are ${activityTypes.join(", ")})`),
      ),
    );
    if (!rows.includes(f.factor))
      fail(
        `selling.factors[${i}].factor`,
        `"${f.factor}" is not a factor of the reference's comparison (${rows.join(", ")})`,
      );
    f.moves.characteristics.forEach(
      (k, j) =>
        m.proactiveReactive.proactive.characteristics[k] ??
        fail(`selling.factors[${i}].moves.characteristics[${j}]`, `no proactive characteristic ${k}`),
    );
    f.moves.activities.forEach(
      (k, j) =>
        m.proactiveReactive.proactive.activities[k] ??
        fail(`selling.factors[${i}].moves.activities[${j}]`, `no proactive activity ${k}`),
    );
  });
  const ev = d.selling.evidence;
  (["contact_types", "research_types", "conversation_types"] as const).forEach((k) =>
    ev[k].forEach(
      (t, j) =>
        activityTypes.includes(t) ||
        fail(`selling.evidence.${k}[${j}]`, `no activity type ${t} (there are ${activityTypes.join(", ")})`),
    ),
  );
  // Stage references follow a team's stage map (a merged or renamed stage).
  (["discovery_stage", "proposal_stage"] as const).forEach((k) => {
    ev[k] =
      m.resolveStage(ev[k]) ??
      fail(
        `selling.evidence.${k}`,
        `no stage ${ev[k]} (there are ${m.stages.map((st) => st.id).join(", ")}); name one of them, or map ${ev[k]} in stages.json's stage_map`,
      );
  });
  const principles = m.principles.map((p) => p.id);
  const areas = m.framework.map((a) => a.id);
  const want = [...principles.map((id) => `principle:${id}`), ...areas.map((id) => `area:${id}`)].sort();
  const have = d.maturity.rules.map((r) => `${r.kind}:${r.id}`).sort();
  if (want.join() !== have.join())
    fail("maturity.rules", `must rate each principle (${principles.join(", ")}) and area (${areas.join(", ")}) once`);
  const activity = (phase: string, name: string, path: string) => {
    const ph = m.implementation.phases.find((p) => p.id === phase) ?? fail(path, `no phase ${phase}`);
    if (!ph.key_activities.some((a) => a.name === name)) fail(path, `phase ${phase} has no key activity "${name}"`);
  };
  const ph = d.maturity.phases;
  ph.by_level.forEach(
    (b, i) =>
      m.implementation.phases.some((p) => p.id === b.phase) ||
      fail(`maturity.phases.by_level[${i}].phase`, `no phase ${b.phase}`),
  );
  ph.unrated.activities.forEach((a, i) => activity(ph.unrated.phase, a, `maturity.phases.unrated.activities[${i}]`));
  activity(d.maturity.baseline.phase, d.maturity.baseline.activity, "maturity.baseline");
  for (const id of [...principles, ...areas]) {
    const steps = ph.steps[id] ?? fail(`maturity.phases.steps`, `no steps for ${id}`);
    for (const b of ph.by_level) {
      const names = steps[b.phase] ?? fail(`maturity.phases.steps.${id}`, `no steps for phase ${b.phase}`);
      names.forEach((n, i) => activity(b.phase, n, `maturity.phases.steps.${id}.${b.phase}[${i}]`));
    }
  }
  let set = checked.get(rules);
  if (!set) checked.set(rules, (set = new WeakSet()));
  set.add(m);
}

// ---------------------------------------------------------------- shared pieces

/** Where a rule comes from, as an answer shows it. */
export interface Label {
  source: Source;
  source_name: string;
  rationale?: string;
}

/** One cut-off: from this value on, the position (or level) is at least `position`. */
export interface Cut {
  at: number;
  position: number;
  source: Source;
  source_name: string;
}

export type Unit = z.infer<typeof Unit>;
type Dir = z.infer<typeof Direction>;

const label = (p: Provenance): Label => ({
  source: p.source,
  source_name: sourceName(p),
  ...(p.rationale ? { rationale: p.rationale } : {}),
});
const EPS = 1e-9;

/** 1 + the cuts passed: at or above each cut (higher is better) or at or below it (lower is better). */
function positionOf(value: number, cuts: readonly number[], dir: Dir): number {
  return 1 + cuts.filter((c) => (dir === "higher" ? value >= c - EPS : value <= c + EPS)).length;
}

/** The position each cut opens: ascending cuts open 2..5 (higher) or 5..2 (lower). */
const cutPosition = (i: number, dir: Dir) => (dir === "higher" ? i + 2 : 5 - i);

/** A mean on the 1..5 scale as a whole step; an exact half rounds toward the middle, claiming the less extreme position. */
export function toStep(mean: number): number {
  const f = Math.floor(mean);
  const step = Math.abs(mean - f - 0.5) < EPS ? (f + 0.5 < 3 ? f + 1 : f) : Math.round(mean);
  return Math.min(5, Math.max(1, step));
}

const mean = (xs: number[]) => xs.reduce((a, x) => a + x, 0) / xs.length;
function median(xs: number[]): number | null {
  if (xs.length === 0) return null;
  const s = [...xs].sort((a, b) => a - b);
  const mid = s.length >> 1;
  return s.length % 2 ? s[mid]! : (s[mid - 1]! + s[mid]!) / 2;
}

function fmt(v: number, unit: Unit): string {
  switch (unit) {
    case "share":
      return `${round(v * 100, 1)}%`;
    case "percent":
      return `${round(v, 1)}%`;
    case "points":
      return `${v > 0 ? "+" : ""}${round(v, 1)} points`;
    case "months":
      return `${round(v, 2)} months`;
    case "days":
      return `${round(v, 1)} days`;
    case "count":
      return `${round(v, 2)}`;
  }
}

/** The cut-offs in words, best position first: "5 at >= 80%, 4 at >= 60%, ..., else 1". */
function thresholdText(cuts: readonly number[], dir: Dir, unit: Unit): string {
  const op = dir === "higher" ? ">=" : "<=";
  const steps = cuts.map((c, i) => ({ c, p: cutPosition(i, dir) })).sort((a, b) => b.p - a.p);
  return `${steps.map(({ c, p }) => `${p} at ${op} ${fmt(c, unit)}`).join(", ")}, else 1`;
}

const days = (from: string | null, to: string | null): number | null => {
  if (!from || !to) return null;
  const a = Date.parse(from);
  const b = Date.parse(to);
  return Number.isFinite(a) && Number.isFinite(b) ? (b - a) / 86_400_000 : null;
};

/** Where each answer sits on the 1..5 scales (always 5 .. never 1, as data says). */
function answerLevels(rules: AssessmentRules): Record<Answer, number> {
  return rules.data.answer_levels;
}

interface AnswerUse {
  answered: Array<{ id: string; question: string; answer: Answer; level: number }>;
  unanswered: Array<{ id: string; question: string }>;
}
function useAnswers(
  questions: Array<{ id: string; text: string }>,
  answers: RepAnswers | undefined,
  levels: Record<Answer, number>,
): AnswerUse {
  const out: AnswerUse = { answered: [], unanswered: [] };
  for (const q of questions) {
    const a = answers?.[q.id];
    if (a !== undefined && Object.hasOwn(levels, a))
      out.answered.push({ id: q.id, question: q.text, answer: a, level: levels[a] });
    else out.unanswered.push({ id: q.id, question: q.text });
  }
  return out;
}

/** Answers whose question this assessment does not ask, or whose value is not an answer level. */
function strayAnswers(known: Set<string>, answers: RepAnswers | undefined, levels: Record<Answer, number>): string[] {
  return Object.entries(answers ?? {})
    .filter(([id, a]) => !known.has(id) || !Object.hasOwn(levels, a))
    .map(([id]) => id);
}

// ---------------------------------------------------------------- assess_selling_approach

/** One deal as the store shows it, reduced by the caller. */
export interface DealEvidence {
  id: string;
  owner: string;
  status: DealStatus;
  /** Lead source, normalised lower-case ("inbound", "outbound", "referral", "event", "partner", "paid_search"). */
  source: string | null;
  amount: number | null;
  currency: string;
  created_at: string;
  closed_at: string | null;
  stakeholders: number;
  decision_makers: number;
  /** The first activity of type proposal. */
  first_proposal_at: string | null;
  /** From the stage history. */
  discovery_entered_at: string | null;
  proposal_stage_entered_at: string | null;
  /** discovery: calls and meetings in discovery; research: notes or emails before the first customer contact. */
  activities_before_first_proposal: { discovery: number; research: number; total: number };
  /** The type of the first customer activity, e.g. "demo". */
  first_activity_type: string | null;
  /** A qualifying BANT was recorded before the first proposal. */
  qualified_before_proposal: boolean;
}

export interface RepAnswers {
  [questionId: string]: Answer;
}

/** What to compare a seller with: the team's medians (for a rep) or a recorded baseline (for the team). */
export interface TeamMedians {
  /** A fraction (0.48), as pipeline_metrics reports it; a value above 1 is read as a percentage. */
  win_rate?: number | null;
  /** Median days from creation to close of won deals. */
  cycle_days?: number | null;
  /** Median won deal amount, in `currency` (default: the most common currency of the seller's won deals). */
  deal_size?: number | null;
  currency?: string;
}

export interface SellingOptions {
  /** An owner name, or "team" for every deal given. */
  scope: string;
  team_medians?: TeamMedians;
  answers?: RepAnswers;
  rules: AssessmentRules;
}

export interface MeasureResult extends Label {
  id: string;
  kind: "store" | "self_assessment";
  measure: string;
  value: number | null;
  unit: Unit | "level";
  /** Deals (or answers) behind the value. */
  n: number;
  position: number | null;
  threshold: string;
  cuts: Cut[];
  /** Whether it counts toward the factor's position (self-assessment counts only where the store cannot see). */
  counted: boolean;
  reason?: string;
  evidence: Record<string, number | string | null>;
  answers?: AnswerUse["answered"];
}

export interface FactorAssessment {
  id: SellingFactor;
  /** As the reference's comparison table names it. */
  factor: string;
  reference: { proactive: string; reactive: string } & Label;
  /** 1 reactive .. 5 proactive; null when the evidence is too thin (see reason). */
  position: number | null;
  position_name: string | null;
  reason?: string;
  basis: "store" | "store_and_self_assessment" | "self_assessment" | null;
  /** Deals behind the store measures (the most any one measure used). */
  evidence_count: number;
  measures: MeasureResult[];
  /** The reference's proactive characteristics and activities to move toward, for a weak factor. */
  moves: { source_name: string; items: Array<{ kind: "characteristic" | "activity"; text: string }> } | null;
}

export interface SellingAssessment {
  scope: string;
  deals_considered: number;
  scale: { positions: Array<{ position: number; name: string }> } & Label;
  /** Furthest from proactive first; among equals, the most evidence first; unpositioned last. */
  factors: FactorAssessment[];
  overall: { position: number | null; position_name: string | null; positioned_factors: number; reason?: string };
  /** Questions whose answer would position a factor the store cannot (or cannot yet). */
  questions_to_answer: Array<{ id: string; factor: SellingFactor; text: string }>;
  answers: { used: number; ignored: string[] };
}

type MeasureDef = AssessmentsData["selling"]["factors"][number]["measures"][number];
interface Computed {
  value: number | null;
  n: number;
  evidence: Record<string, number | string | null>;
  reason?: string;
}
interface SellingCtx {
  m: Methodology;
  deals: DealEvidence[];
  team?: TeamMedians;
  /** "the team median" for a rep, "the baseline" for the team. */
  against: string;
}

const decided = (d: DealEvidence) => d.status === "won" || d.status === "lost";
/** Where discovery ends: the first proposal, or entering the proposal stage if that came first. */
function proposalPoint(d: DealEvidence): string | null {
  const ts = [d.first_proposal_at, d.proposal_stage_entered_at].filter(
    (x): x is string => !!x && Number.isFinite(Date.parse(x)),
  );
  return ts.length ? ts.reduce((a, b) => (Date.parse(a) <= Date.parse(b) ? a : b)) : null;
}
const withProposal = (deals: DealEvidence[]) => deals.filter((d) => proposalPoint(d) !== null);
const tooFew = (n: number, min: number, what: string) =>
  n < min ? `Only ${n} ${what}; at least ${min} are needed.` : undefined;

/** Sourcing: how many deals came from a source the seller went out for. */
function sourceShare(ctx: SellingCtx, def: MeasureDef): Computed {
  const pro = new Set(def.proactive_sources);
  const re = new Set(def.reactive_sources);
  const neutral = new Set(def.neutral_sources?.values ?? []);
  const by = new Map<string, number>();
  let p = 0;
  let r = 0;
  let nNeutral = 0;
  let other = 0;
  for (const d of ctx.deals) {
    const s = d.source?.trim().toLowerCase() || null;
    by.set(s ?? "(none)", (by.get(s ?? "(none)") ?? 0) + 1);
    if (s && pro.has(s)) p++;
    else if (s && re.has(s)) r++;
    else if (s && neutral.has(s)) nNeutral++;
    else other++;
  }
  const n = p + r;
  const reason = tooFew(n, def.min_deals, `deal${n === 1 ? "" : "s"} with a counted lead source`);
  return {
    value: reason ? null : p / n,
    n,
    evidence: {
      proactive_sourced: p,
      reactive_sourced: r,
      not_counted_neutral: nNeutral,
      not_counted_unknown: other,
      by_source: [...by]
        .sort((a, b) => b[1] - a[1])
        .map(([s, k]) => `${s} ${k}`)
        .join(", "),
    },
    ...(reason ? { reason } : {}),
  };
}

/** Sourcing: research logged before the first customer contact. */
function researchedShare(ctx: SellingCtx, def: MeasureDef): Computed {
  const contacted = ctx.deals.filter((d) => d.first_activity_type !== null);
  const researched = contacted.filter((d) => d.activities_before_first_proposal.research > 0).length;
  const reason = tooFew(contacted.length, def.min_deals, "deals with a customer contact logged");
  return {
    value: reason ? null : researched / contacted.length,
    n: contacted.length,
    evidence: { researched, contacted: contacted.length },
    ...(reason ? { reason } : {}),
  };
}

/** Discovery: per deal that reached a proposal, one number; the measure is its median or share. */
function perProposalDeal(pick: (d: DealEvidence) => number, agg: "median" | "share") {
  return (ctx: SellingCtx, def: MeasureDef): Computed => {
    const ds = withProposal(ctx.deals);
    const xs = ds.map(pick);
    const reason = tooFew(ds.length, def.min_deals, "deals that reached a first proposal");
    const value = reason ? null : agg === "median" ? median(xs) : xs.filter((x) => x > 0).length / xs.length;
    const evidence: Computed["evidence"] = { deals_with_proposal: ds.length };
    if (agg === "share") evidence.matching = xs.filter((x) => x > 0).length;
    return { value, n: ds.length, evidence, ...(reason ? { reason } : {}) };
  };
}

function stakeholdersMeasure(ctx: SellingCtx, def: MeasureDef): Computed {
  const c = perProposalDeal((d) => d.stakeholders, "median")(ctx, def);
  const ds = withProposal(ctx.deals);
  c.evidence.median_decision_makers = median(ds.map((d) => d.decision_makers));
  c.evidence.with_a_decision_maker = ds.filter((d) => d.decision_makers > 0).length;
  return c;
}

function discoveryActivities(ctx: SellingCtx, def: MeasureDef): Computed {
  const c = perProposalDeal((d) => d.activities_before_first_proposal.discovery, "median")(ctx, def);
  c.evidence.median_activities_before_proposal = median(
    withProposal(ctx.deals).map((d) => d.activities_before_first_proposal.total),
  );
  return c;
}

/** Positioning: what the first customer activity was. */
function featureFirstShare(ctx: SellingCtx, def: MeasureDef): Computed {
  const feature = new Set<string>(def.feature_led_types);
  const talk = new Set<string>(def.conversation_led_types);
  let f = 0;
  let t = 0;
  let other = 0;
  for (const d of ctx.deals) {
    const a = d.first_activity_type?.toLowerCase();
    if (!a) continue;
    if (feature.has(a)) f++;
    else if (talk.has(a)) t++;
    else other++;
  }
  const n = f + t;
  const reason = tooFew(
    n,
    def.min_deals,
    `deals whose first customer activity was one of ${[...feature, ...talk].join("/")}`,
  );
  return {
    value: reason ? null : f / n,
    n,
    evidence: { feature_first: f, conversation_first: t, other_first_activity: other },
    ...(reason ? { reason } : {}),
  };
}

/** Timeline: discovery's share of discovery plus proposal-to-close, per decided deal. */
function discoveryShare(ctx: SellingCtx, def: MeasureDef): Computed {
  const disc: number[] = [];
  const close: number[] = [];
  const shares: number[] = [];
  for (const d of ctx.deals) {
    if (!decided(d)) continue;
    const split = proposalPoint(d);
    const a = days(d.discovery_entered_at, split);
    const b = days(split, d.closed_at);
    if (a === null || b === null || a < 0 || b < 0 || a + b <= 0) continue;
    disc.push(a);
    close.push(b);
    shares.push(a / (a + b));
  }
  const reason = tooFew(
    shares.length,
    def.min_deals,
    "won or lost deals with a discovery entry, a first proposal and a close date",
  );
  const md = median(disc);
  const mc = median(close);
  return {
    value: reason ? null : median(shares),
    n: shares.length,
    evidence: {
      median_discovery_days: md === null ? null : round(md, 1),
      median_proposal_to_close_days: mc === null ? null : round(mc, 1),
    },
    ...(reason ? { reason } : {}),
  };
}

function winRate(ctx: SellingCtx): { won: number; lost: number; rate: number | null } {
  const won = ctx.deals.filter((d) => d.status === "won").length;
  const lost = ctx.deals.filter((d) => d.status === "lost").length;
  return { won, lost, rate: won + lost ? (won / (won + lost)) * 100 : null };
}

function winRateVsReference(ctx: SellingCtx, def: MeasureDef): Computed {
  const { won, lost, rate } = winRate(ctx);
  const disqualified = ctx.deals.filter((d) => d.status === "disqualified").length;
  const reason = tooFew(won + lost, def.min_deals, "won or lost deals");
  return {
    value: reason ? null : round(rate!, 1),
    n: won + lost,
    evidence: { won, lost, disqualified_not_counted: disqualified },
    ...(reason ? { reason } : {}),
  };
}

const teamPercent = (v: number | null | undefined) => (v === null || v === undefined ? null : v > 1 ? v : v * 100);

function winRateVsTeam(ctx: SellingCtx, def: MeasureDef): Computed {
  const { won, lost, rate } = winRate(ctx);
  const team = teamPercent(ctx.team?.win_rate);
  const reason =
    tooFew(won + lost, def.min_deals, "won or lost deals") ??
    (team === null ? `No win rate for ${ctx.against} was given (team_medians.win_rate).` : undefined);
  return {
    value: reason ? null : round(rate! - team!, 1),
    n: won + lost,
    evidence: {
      win_rate_percent: rate === null ? null : round(rate, 1),
      compared_with_percent: team === null ? null : round(team, 1),
    },
    ...(reason ? { reason } : {}),
  };
}

function wonCycles(ctx: SellingCtx): number[] {
  return ctx.deals
    .filter((d) => d.status === "won")
    .map((d) => days(d.created_at, d.closed_at))
    .filter((x): x is number => x !== null && x >= 0);
}

function monthsShorter(ctx: SellingCtx, def: MeasureDef): Computed {
  const cycles = wonCycles(ctx);
  const mine = median(cycles);
  const team = ctx.team?.cycle_days ?? null;
  const reason =
    tooFew(cycles.length, def.min_deals, "won deals with a close date") ??
    (team === null ? `No cycle time for ${ctx.against} was given (team_medians.cycle_days).` : undefined);
  return {
    value: reason ? null : round((team! - mine!) / DAYS_PER_MONTH, 2),
    n: cycles.length,
    evidence: { median_cycle_days: mine === null ? null : round(mine, 1), compared_with_days: team },
    ...(reason ? { reason } : {}),
  };
}

function percentAbove(ctx: SellingCtx, def: MeasureDef): Computed {
  const won = ctx.deals.filter((d) => d.status === "won" && d.amount !== null && d.amount > 0);
  const counts = new Map<string, number>();
  for (const d of won) counts.set(d.currency, (counts.get(d.currency) ?? 0) + 1);
  const currency = ctx.team?.currency ?? [...counts].sort((a, b) => b[1] - a[1])[0]?.[0] ?? null;
  const amounts = won.filter((d) => d.currency === currency).map((d) => d.amount!);
  const mine = median(amounts);
  const team = ctx.team?.deal_size ?? null;
  const reason =
    tooFew(amounts.length, def.min_deals, `won deals with an amount${currency ? ` in ${currency}` : ""}`) ??
    (team === null || team <= 0 ? `No deal size for ${ctx.against} was given (team_medians.deal_size).` : undefined);
  return {
    value: reason ? null : round((mine! / team! - 1) * 100, 1),
    n: amounts.length,
    evidence: {
      median_won_amount: mine === null ? null : round(mine),
      compared_with: team,
      currency,
      other_currency_deals: won.length - amounts.length,
    },
    ...(reason ? { reason } : {}),
  };
}

const COMPUTE: Record<SellingMeasure, (ctx: SellingCtx, def: MeasureDef) => Computed> = {
  proactive_source_share: sourceShare,
  researched_share: researchedShare,
  median_stakeholders: stakeholdersMeasure,
  median_discovery_activities: discoveryActivities,
  qualified_before_proposal_share: perProposalDeal((d) => (d.qualified_before_proposal ? 1 : 0), "share"),
  feature_first_share: featureFirstShare,
  discovery_share_of_cycle: discoveryShare,
  win_rate_vs_reference: winRateVsReference,
  win_rate_vs_team: winRateVsTeam,
  months_shorter_than_team: monthsShorter,
  percent_above_team: percentAbove,
};

/** A measure's cut-offs with the label of each: the reference's numbers where the data says so. */
function measureCuts(
  m: Methodology,
  rules: AssessmentRules,
  def: MeasureDef,
  path: string,
): { cuts: number[]; labelled: Cut[] } {
  const own = rules.provenance(path);
  const at = (c: number, i: number, p: Provenance): Cut => ({
    at: c,
    position: cutPosition(i, def.direction),
    source: p.source,
    source_name: sourceName(p),
  });
  if (def.cuts_from === "typical_win_rate_percent") {
    // From the top of the reactive range to the bottom of the proactive one, split evenly between.
    const r = m.proactiveReactive.typical_win_rate_percent;
    const lo = r.reactive.max;
    const hi = r.proactive.min;
    const cuts = [lo, lo + (hi - lo) / 3, lo + (2 * (hi - lo)) / 3, hi].map((c) => round(c, 1));
    const ref = m.provenance("proactiveReactive.typical_win_rate_percent");
    return { cuts, labelled: cuts.map((c, i) => at(c, i, i === 0 || i === 3 ? ref : own)) };
  }
  const cuts = def.cuts!;
  const refVals = new Set(def.reference_cuts?.values ?? []);
  const ref = rules.provenance(`${path}.reference_cuts`);
  return { cuts, labelled: cuts.map((c, i) => at(c, i, refVals.has(c) ? ref : own)) };
}

function storeMeasure(ctx: SellingCtx, rules: AssessmentRules, def: MeasureDef, path: string): MeasureResult {
  const c = COMPUTE[def.id](ctx, def);
  const { cuts, labelled } = measureCuts(ctx.m, rules, def, path);
  const quote = def.reference_cuts ? ` (the reference: "${def.reference_cuts.quote}")` : "";
  const fromRef =
    def.cuts_from === "typical_win_rate_percent"
      ? ` (${cuts[0]}% and ${cuts[3]}% are the reference's: the top of its reactive ${ctx.m.proactiveReactive.typical_win_rate_percent.reactive.min}-${ctx.m.proactiveReactive.typical_win_rate_percent.reactive.max}% and the bottom of its proactive ${ctx.m.proactiveReactive.typical_win_rate_percent.proactive.min}-${ctx.m.proactiveReactive.typical_win_rate_percent.proactive.max}%)`
      : "";
  return {
    id: def.id,
    kind: "store",
    measure: def.measure,
    value: c.value === null ? null : round(c.value, 4),
    unit: def.unit,
    n: c.n,
    position: c.value === null ? null : positionOf(c.value, cuts, def.direction),
    threshold: `${thresholdText(cuts, def.direction, def.unit)}${quote}${fromRef}`,
    cuts: labelled,
    counted: true,
    ...(c.reason ? { reason: c.reason } : {}),
    evidence: c.evidence,
    ...label(rules.provenance(path)),
  };
}

function selfAssessment(
  rules: AssessmentRules,
  factor: SellingFactor,
  counted: boolean,
  answers: RepAnswers | undefined,
): MeasureResult | null {
  const qs = rules.data.selling.questions.filter((q) => q.factor === factor);
  if (qs.length === 0) return null;
  const levels = answerLevels(rules);
  const use = useAnswers(qs, answers, levels);
  if (!counted && use.answered.length === 0) return null;
  const avg = use.answered.length ? mean(use.answered.map((a) => a.level)) : null;
  return {
    id: "self_assessment",
    kind: "self_assessment",
    measure: `mean of the answers to: ${qs.map((q) => `"${q.text}"`).join(" ")}`,
    value: avg === null ? null : round(avg, 2),
    unit: "level",
    n: use.answered.length,
    position: avg === null ? null : toStep(avg),
    threshold: `${Object.entries(levels)
      .map(([a, l]) => `${a} ${l}`)
      .join(", ")}; the mean, to the nearest step`,
    cuts: [],
    counted,
    ...(avg === null
      ? { reason: `Not answered: ${use.unanswered.map((q) => q.id).join(", ")}; the store cannot show this.` }
      : {}),
    evidence: { answered: use.answered.length, asked: qs.length },
    answers: use.answered,
    ...label(rules.provenance("assessments.answer_levels")),
  };
}

/** A factor's position: the mean of its store measures and (where it counts) of the self-assessment, each as one part. */
function combine(measures: MeasureResult[]): { position: number | null; basis: FactorAssessment["basis"] } {
  const store = measures.filter((x) => x.kind === "store" && x.position !== null).map((x) => x.position!);
  const self = measures
    .filter((x) => x.kind === "self_assessment" && x.counted && x.position !== null)
    .map((x) => x.position!);
  const parts = [store, self].filter((p) => p.length > 0).map(mean);
  if (parts.length === 0) return { position: null, basis: null };
  return {
    position: toStep(mean(parts)),
    basis: store.length && self.length ? "store_and_self_assessment" : store.length ? "store" : "self_assessment",
  };
}

function assessFactor(ctx: SellingCtx, opts: SellingOptions, i: number): FactorAssessment {
  const { rules } = opts;
  const def = rules.data.selling.factors[i]!;
  const path = `assessments.selling.factors[${i}]`;
  const measures = def.measures.map((md, j) => storeMeasure(ctx, rules, md, `${path}.measures[${j}]`));
  const self = selfAssessment(rules, def.id, def.answers_count, opts.answers);
  if (self) measures.push(self);
  const { position, basis } = combine(measures);
  const rowIndex = ctx.m.proactiveReactive.comparison.findIndex((c) => c.factor === def.factor);
  const row = ctx.m.proactiveReactive.comparison[rowIndex]!;
  const scale = rules.data.selling.scale;
  const weak = position !== null && position <= rules.data.selling.weak_at_or_below;
  const pro = ctx.m.proactiveReactive.proactive;
  const reasons = [
    ...new Set(measures.filter((x) => x.counted && x.position === null && x.reason).map((x) => x.reason!)),
  ];
  return {
    id: def.id,
    factor: def.factor,
    reference: {
      proactive: row.proactive,
      reactive: row.reactive,
      ...label(ctx.m.provenance(`proactiveReactive.comparison[${rowIndex}]`)),
    },
    position,
    position_name: position === null ? null : scale[position - 1]!.name,
    ...(position === null ? { reason: reasons.join(" ") || "No measure could be taken." } : {}),
    basis,
    evidence_count: Math.max(0, ...measures.filter((x) => x.kind === "store").map((x) => x.n)),
    measures,
    moves: weak
      ? {
          source_name: ctx.m.sourceName("proactiveReactive.proactive"),
          items: [
            ...def.moves.characteristics.map((k) => ({
              kind: "characteristic" as const,
              text: pro.characteristics[k]!,
            })),
            ...def.moves.activities.map((k) => ({ kind: "activity" as const, text: pro.activities[k]! })),
          ],
        }
      : null,
  };
}

/** Furthest from proactive first, then the most evidence, then the reference's order; unpositioned last. */
function byImportance(order: SellingFactor[]) {
  return (a: FactorAssessment, b: FactorAssessment) =>
    (a.position === null ? 1 : 0) - (b.position === null ? 1 : 0) ||
    (a.position ?? 0) - (b.position ?? 0) ||
    b.evidence_count - a.evidence_count ||
    order.indexOf(a.id) - order.indexOf(b.id);
}

/**
 * Where a seller (or the team) stands between reactive and proactive on each of the reference's
 * factors, with the measures, their cut-offs and whose they are, and the reference's proactive
 * moves for the weak factors.
 */
export function assessSellingApproach(m: Methodology, deals: DealEvidence[], opts: SellingOptions): SellingAssessment {
  checkAssessments(m, opts.rules);
  const s = opts.rules.data.selling;
  const team = opts.scope.trim().toLowerCase() === "team";
  const who = opts.scope.trim().toLowerCase();
  const mine = team ? deals : deals.filter((d) => d.owner.trim().toLowerCase() === who);
  const ctx: SellingCtx = {
    m,
    deals: mine,
    ...(opts.team_medians ? { team: opts.team_medians } : {}),
    against: team ? "the baseline" : "the team median",
  };
  const factors = s.factors.map((_, i) => assessFactor(ctx, opts, i)).sort(byImportance(s.factors.map((f) => f.id)));

  const positioned = factors.filter((f) => f.position !== null);
  const enough = positioned.length >= s.min_positioned_factors;
  const avg = enough ? mean(positioned.map((f) => f.position!)) : null;
  const known = new Set(s.questions.map((q) => q.id));
  const levels = answerLevels(opts.rules);
  const countsAnswers = new Set(s.factors.filter((f) => f.answers_count).map((f) => f.id));
  const unpositioned = new Set(factors.filter((f) => f.position === null).map((f) => f.id));
  return {
    scope: opts.scope,
    deals_considered: mine.length,
    scale: {
      positions: s.scale.map((x) => ({ position: x.position, name: x.name })),
      ...label(opts.rules.provenance("assessments.selling.scale")),
    },
    factors,
    overall: {
      position: avg === null ? null : round(avg, 1),
      position_name: avg === null ? null : s.scale[toStep(avg) - 1]!.name,
      positioned_factors: positioned.length,
      ...(enough
        ? {}
        : {
            reason: `Only ${positioned.length} of ${factors.length} factors could be positioned; at least ${s.min_positioned_factors} are needed for an overall position.`,
          }),
    },
    questions_to_answer: s.questions
      .filter((q) => !(q.id in (opts.answers ?? {})) && (countsAnswers.has(q.factor) || unpositioned.has(q.factor)))
      .map((q) => ({ id: q.id, factor: q.factor, text: q.text })),
    answers: {
      used: Object.entries(opts.answers ?? {}).filter(([id, a]) => known.has(id) && Object.hasOwn(levels, a)).length,
      ignored: strayAnswers(known, opts.answers, levels),
    },
  };
}

// ---------------------------------------------------------------- assess_lean_maturity

/** The store summarised for the maturity assessment (shares are 0..1). */
export interface MaturityEvidence {
  deals: number;
  closed: number;
  /** Share of stage moves through a recorded gate check. */
  stage_checks_share: number;
  /** Share of stage moves that overrode a failed gate. */
  overrides_share: number;
  qualified_share_past_discovery: number;
  waste_flags_per_open_deal: number;
  /** Share of won and lost deals closed with a reason. */
  close_reason_share: number;
  baselines: number;
  last_baseline_days_ago: number | null;
  activity_logging_per_deal: number;
  win_loss_reviewed: boolean;
  segments_known_share: number;
  readiness_known_share: number;
}

export interface MaturityOptions {
  answers?: RepAnswers;
  rules: AssessmentRules;
}

export interface SignalResult extends Label {
  id: string;
  kind: "store" | "self_assessment";
  measure: string;
  field?: keyof MaturityEvidence;
  value: number | boolean | null;
  level: number | null;
  threshold: string;
  cuts: Cut[];
  reason?: string;
  answers?: AnswerUse["answered"];
}

export interface MaturityRating {
  kind: "principle" | "area";
  id: string;
  name: string;
  /** 1..5 on this server's maturity scale; null when nothing could be measured (see reason). */
  level: number | null;
  level_name: string | null;
  reason?: string;
  basis: "store" | "store_and_self_assessment" | "self_assessment" | null;
  store_level: number | null;
  self_assessment_level: number | null;
  signals: SignalResult[];
  /** The phase this level calls for. */
  phase: string | null;
}

interface PhaseRef {
  id: string;
  number: number;
  name: string;
  weeks: string;
}

export interface NextStep {
  phase: PhaseRef;
  activity: string;
  /** The reference's items for this key activity. */
  items: string[];
  /** The principles and areas it addresses, lowest first. */
  for: Array<{ kind: "principle" | "area"; id: string; name: string; level: number | null }>;
}

export interface MaturityAssessment {
  scale: { levels: Array<{ level: number; name: string; description?: string }> } & Label;
  principles: MaturityRating[];
  areas: MaturityRating[];
  overall: { level: number | null; level_name: string | null; rated: number; of: number; reason?: string };
  /** The phase the lowest-rated principles and areas call for. */
  current_phase: (PhaseRef & { because: string }) | null;
  next_steps: NextStep[];
  /** Phase 3's ongoing activities, once there. */
  ongoing: string[];
  mapping: Label;
  baseline_to_record:
    ({ reason: string; phase: PhaseRef; activity: string; metrics: string[]; max_age_days: number } & Label) | null;
  /** What could not be rated, with the questions that would rate it. */
  unrated: Array<{
    kind: "principle" | "area";
    id: string;
    name: string;
    questions: Array<{ id: string; text: string }>;
  }>;
  answers: { used: number; ignored: string[] };
}

type SignalDef = AssessmentsData["maturity"]["signals"][number];

function phaseRef(m: Methodology, id: string): PhaseRef {
  const p = m.implementation.phases.find((x) => x.id === id)!;
  return {
    id: p.id,
    number: p.number,
    name: p.name,
    weeks: p.weeks.to === null ? `week ${p.weeks.from} on` : `weeks ${p.weeks.from}-${p.weeks.to}`,
  };
}

function phaseForLevel(rules: AssessmentRules, level: number): string {
  return rules.data.maturity.phases.by_level.find((b) => level <= b.up_to_level)!.phase;
}

/** Whether the signal's sample is large enough, and its precondition holds. */
function signalUsable(def: SignalDef, ev: MaturityEvidence, mat: AssessmentsData["maturity"]): string | undefined {
  if (def.sample === "deals" && ev.deals < mat.min_deals)
    return `Only ${ev.deals} deals; at least ${mat.min_deals} are needed.`;
  if (def.sample === "closed" && ev.closed < mat.min_closed)
    return `Only ${ev.closed} closed deals; at least ${mat.min_closed} are needed.`;
  if (def.requires && !(Number(ev[def.requires]) > 0))
    return `Not counted: ${def.requires} is 0, so there is nothing for it to measure.`;
  return undefined;
}

function storeSignal(rules: AssessmentRules, def: SignalDef, ev: MaturityEvidence, path: string): SignalResult {
  const mat = rules.data.maturity;
  const lab = rules.provenance(path);
  const base = { id: def.id, kind: "store" as const, measure: def.measure, field: def.field };
  const skip = signalUsable(def, ev, mat);
  if (def.kind === "flag") {
    const v = ev[def.field];
    return {
      ...base,
      value: v,
      level: skip ? null : v ? def.levels.yes : def.levels.no,
      threshold: `yes ${def.levels.yes}, no ${def.levels.no}`,
      cuts: [],
      ...(skip ? { reason: skip } : {}),
      ...label(lab),
    };
  }
  const v = ev[def.field];
  const cuts = def.cuts.map((c, i) => ({
    at: c,
    position: cutPosition(i, def.direction),
    source: lab.source,
    source_name: sourceName(lab),
  }));
  const threshold = `${thresholdText(def.cuts, def.direction, def.unit)}${def.if_null ? `; ${def.if_null.meaning}: ${def.if_null.level}` : ""}`;
  const [value, level, reason]: [number | null, number | null, string | undefined] = skip
    ? [v, null, skip]
    : v !== null
      ? [v, positionOf(v, def.cuts, def.direction), undefined]
      : def.if_null
        ? [null, def.if_null.level, def.if_null.meaning]
        : [null, null, `${def.field} is not known.`];
  return { ...base, value, level, threshold, cuts, ...(reason ? { reason } : {}), ...label(lab) };
}

function rate(m: Methodology, ev: MaturityEvidence, opts: MaturityOptions, i: number): MaturityRating {
  const mat = opts.rules.data.maturity;
  const rule = mat.rules[i]!;
  const signals = rule.signals.map((id) => {
    const k = mat.signals.findIndex((s) => s.id === id);
    return storeSignal(opts.rules, mat.signals[k]!, ev, `assessments.maturity.signals[${k}]`);
  });
  const qs = rule.questions.map((id) => mat.questions.find((q) => q.id === id)!);
  const use = useAnswers(qs, opts.answers, answerLevels(opts.rules));
  const selfAvg = use.answered.length ? mean(use.answered.map((a) => a.level)) : null;
  if (qs.length) {
    signals.push({
      id: "self_assessment",
      kind: "self_assessment",
      measure: `mean of the answers to: ${qs.map((q) => `"${q.text}"`).join(" ")}`,
      value: selfAvg === null ? null : round(selfAvg, 2),
      level: selfAvg === null ? null : toStep(selfAvg),
      threshold: `${Object.entries(answerLevels(opts.rules))
        .map(([a, l]) => `${a} ${l}`)
        .join(", ")}; the mean, to the nearest step`,
      cuts: [],
      ...(selfAvg === null ? { reason: `Not answered: ${use.unanswered.map((q) => q.id).join(", ")}.` } : {}),
      answers: use.answered,
      ...label(opts.rules.provenance("assessments.answer_levels")),
    });
  }
  const storeLevels = signals.filter((s) => s.kind === "store" && s.level !== null).map((s) => s.level!);
  const storeAvg = storeLevels.length ? mean(storeLevels) : null;
  const parts = [storeAvg, selfAvg].filter((x): x is number => x !== null);
  const level = parts.length ? toStep(mean(parts)) : null;
  const def =
    rule.kind === "principle"
      ? m.principles.find((p) => p.id === rule.id)!
      : m.framework.find((a) => a.id === rule.id)!;
  const why = [...new Set(signals.filter((s) => s.level === null && s.reason).map((s) => s.reason!))];
  return {
    kind: rule.kind,
    id: rule.id,
    name: def.name,
    level,
    level_name: level === null ? null : mat.scale[level - 1]!.name,
    ...(level === null
      ? { reason: why.length ? why.join(" ") : "Nothing in the store measures this; answer the questions." }
      : {}),
    basis:
      storeAvg !== null && selfAvg !== null
        ? "store_and_self_assessment"
        : storeAvg !== null
          ? "store"
          : selfAvg !== null
            ? "self_assessment"
            : null,
    store_level: storeAvg === null ? null : round(storeAvg, 2),
    self_assessment_level: selfAvg === null ? null : round(selfAvg, 2),
    signals,
    phase: level === null ? null : phaseForLevel(opts.rules, level),
  };
}

/** The key activities of one phase for the ratings that call for it, deduplicated, lowest ratings first. */
function stepsFor(m: Methodology, rules: AssessmentRules, phase: string, focus: MaturityRating[]): NextStep[] {
  const ph = m.implementation.phases.find((p) => p.id === phase)!;
  const out = new Map<string, NextStep>();
  for (const r of [...focus].sort((a, b) => (a.level ?? 0) - (b.level ?? 0))) {
    for (const name of rules.data.maturity.phases.steps[r.id]![phase]!) {
      let step = out.get(name);
      if (!step)
        out.set(
          name,
          (step = {
            phase: phaseRef(m, phase),
            activity: name,
            items: ph.key_activities.find((a) => a.name === name)!.items,
            for: [],
          }),
        );
      step.for.push({ kind: r.kind, id: r.id, name: r.name, level: r.level });
    }
  }
  return [...out.values()];
}

function baselineToRecord(
  m: Methodology,
  rules: AssessmentRules,
  ev: MaturityEvidence,
): MaturityAssessment["baseline_to_record"] {
  const b = rules.data.maturity.baseline;
  const reason =
    ev.baselines === 0 || ev.last_baseline_days_ago === null
      ? "No baseline is recorded, so no improvement can be measured."
      : ev.last_baseline_days_ago > b.max_age_days
        ? `The last baseline is ${Math.round(ev.last_baseline_days_ago)} days old (older than ${b.max_age_days} days).`
        : null;
  if (reason === null) return null;
  const ph = m.implementation.phases.find((p) => p.id === b.phase)!;
  const phaseIndex = m.implementation.phases.indexOf(ph);
  const activityIndex = ph.key_activities.findIndex((a) => a.name === b.activity);
  return {
    reason,
    phase: phaseRef(m, b.phase),
    activity: b.activity,
    metrics: ph.key_activities[activityIndex]!.items,
    max_age_days: b.max_age_days,
    ...label(m.provenance(`implementation.phases[${phaseIndex}].key_activities[${activityIndex}]`)),
  };
}

/**
 * How far the five principles and the four management areas have come, on this server's 1..5
 * scale, from the store's summary and optional answers; then the reference's implementation
 * steps the lowest ratings call for, and the baseline to record when there is none or it is old.
 */
export function assessLeanMaturity(
  m: Methodology,
  evidence: MaturityEvidence,
  opts: MaturityOptions,
): MaturityAssessment {
  checkAssessments(m, opts.rules);
  const mat = opts.rules.data.maturity;
  const ratings = mat.rules.map((_, i) => rate(m, evidence, opts, i));
  const order = (kind: "principle" | "area", ids: string[]) =>
    ids.map((id) => ratings.find((r) => r.kind === kind && r.id === id)!);
  const principles = order(
    "principle",
    m.principles.map((p) => p.id),
  );
  const areas = order(
    "area",
    m.framework.map((a) => a.id),
  );
  const rated = ratings.filter((r) => r.level !== null);

  let current: MaturityAssessment["current_phase"] = null;
  let next: NextStep[];
  if (rated.length === 0) {
    // Nothing to rate yet: the reference's first step is to assess the current state.
    const u = mat.phases.unrated;
    const ph = m.implementation.phases.find((p) => p.id === u.phase)!;
    next = u.activities.map((name) => ({
      phase: phaseRef(m, u.phase),
      activity: name,
      items: ph.key_activities.find((a) => a.name === name)!.items,
      for: [],
    }));
  } else {
    const lowest = Math.min(...rated.map((r) => r.level!));
    const phase = phaseForLevel(opts.rules, lowest);
    // Every rating that calls for the same phase as the lowest one keeps the team in it.
    const focus = rated.filter((r) => r.phase === phase);
    current = {
      ...phaseRef(m, phase),
      because: `${focus.map((r) => `${r.name} (${r.level})`).join(", ")} ${focus.length === 1 ? "is" : "are"} at or below level ${mat.phases.by_level.find((b) => b.phase === phase)!.up_to_level}.`,
    };
    next = stepsFor(m, opts.rules, phase, focus);
  }
  const avg = rated.length ? mean(rated.map((r) => r.level!)) : null;
  const known = new Set(mat.questions.map((q) => q.id));
  const cur = current ? m.implementation.phases.find((p) => p.id === current!.id) : undefined;
  return {
    scale: {
      levels: mat.scale.map((s) => ({
        level: s.level,
        name: s.name,
        ...(s.description ? { description: s.description } : {}),
      })),
      ...label(opts.rules.provenance("assessments.maturity.scale")),
    },
    principles,
    areas,
    overall: {
      level: avg === null ? null : round(avg, 1),
      level_name: avg === null ? null : mat.scale[toStep(avg) - 1]!.name,
      rated: rated.length,
      of: ratings.length,
      ...(avg === null ? { reason: "Nothing could be rated: too few deals and no answers." } : {}),
    },
    current_phase: current,
    next_steps: next,
    ongoing: cur && current!.number === m.implementation.phases.length ? (cur.ongoing_activities ?? []) : [],
    mapping: label(opts.rules.provenance("assessments.maturity.phases")),
    baseline_to_record: baselineToRecord(m, opts.rules, evidence),
    unrated: ratings
      .filter((r) => r.level === null)
      .map((r) => ({
        kind: r.kind,
        id: r.id,
        name: r.name,
        questions: mat.rules
          .find((x) => x.kind === r.kind && x.id === r.id)!
          .questions.map((id) => ({ id, text: mat.questions.find((q) => q.id === id)!.text })),
      })),
    answers: {
      used: Object.entries(opts.answers ?? {}).filter(
        ([id, a]) => known.has(id) && Object.hasOwn(answerLevels(opts.rules), a),
      ).length,
      ignored: strayAnswers(known, opts.answers, answerLevels(opts.rules)),
    },
  };
}
