// The seven wastes applied to work a rep describes. Reference: "Seven Forms of Waste in Sales"
// (definitions, examples, elimination approaches); the words that identify each waste and the
// severity cuts live in data/wastes.json.
import { RuleInputError } from "./errors.js";
import type { Methodology, WasteDef } from "./load.js";
import type { Waste } from "./schema.js";

export type Severity = "high" | "medium" | "low";

export interface WasteFinding {
  waste: Waste;
  name: string;
  severity: Severity;
  evidence: string;
  deal_ids: string[];
  remedy: string[];
}

export interface DescribedActivity {
  description: string;
  hours_per_week?: number;
  kind?: string;
}

export interface ClassifiedActivity {
  index: number;
  description: string;
  hours_per_week: number | null;
  waste: Waste | null;
  basis: "kind" | "signals" | "no_signal";
  matched: string[];
}

export interface ActivityWasteReport {
  findings: WasteFinding[];
  activities: ClassifiedActivity[];
  waste_hours_per_week: number;
  total_hours_per_week: number;
}

/** Kinds an agent may name: a waste id itself, or one of the activity kinds in data. */
export function activityKindIds(m: Methodology): string[] {
  return [...m.wastes.map((w) => w.id), ...m.wasteRules.activity_kinds.map((k) => k.id)];
}

function escape(re: string): string {
  return re.replace(/[.*+?^${}()|[\]\\]/g, "\\$&");
}

// Compiled once per signal list (the lists come from data/ and never change): one pattern for
// the whole list, to rule a text out in a single test, and one per signal to say which matched.
const compiled = new WeakMap<readonly string[], { any: RegExp; each: Array<[string, RegExp]> }>();
const wordRe = (body: string) => new RegExp(`(^|[^a-z0-9])(?:${body})($|[^a-z0-9])`);

/** Signals found in a text as whole words or phrases. */
export function matchSignals(text: string, signals: readonly string[]): string[] {
  let p = compiled.get(signals);
  if (!p) compiled.set(signals, (p = { any: wordRe(signals.map(escape).join("|")), each: signals.map((s) => [s, wordRe(escape(s))]) }));
  const lower = text.toLowerCase();
  if (!p.any.test(lower)) return [];
  const out: string[] = [];
  for (const [s, re] of p.each) if (re.test(lower)) out.push(s);
  return out;
}

const weight = (matched: string[]) => matched.reduce((n, s) => n + s.split(/[ -]/).length, 0);

export function classifyActivity(m: Methodology, a: DescribedActivity, index: number): ClassifiedActivity {
  const base = { index, description: a.description, hours_per_week: a.hours_per_week ?? null };
  if (a.kind !== undefined) {
    const asWaste = m.wastes.find((w) => w.id === a.kind);
    const asKind = m.wasteRules.activity_kinds.find((k) => k.id === a.kind);
    if (!asWaste && !asKind) {
      throw new RuleInputError(`activities[${index}].kind`, `activities[${index}].kind must be one of ${activityKindIds(m).join(", ")}.`);
    }
    return { ...base, waste: asWaste ? asWaste.id : asKind!.waste, basis: "kind", matched: [a.kind] };
  }
  let best: { waste: WasteDef; matched: string[] } | null = null;
  for (const w of m.wastes) {
    const matched = matchSignals(a.description, w.signals);
    if (matched.length > 0 && (!best || weight(matched) > weight(best.matched))) best = { waste: w, matched };
  }
  const value = matchSignals(a.description, m.wasteRules.value_signals);
  if (!best || weight(value) > weight(best.matched)) {
    return { ...base, waste: null, basis: value.length > 0 ? "signals" : "no_signal", matched: value };
  }
  return { ...base, waste: best.waste.id, basis: "signals", matched: best.matched };
}

export function severityForHours(m: Methodology, hours: number | null, count: number): Severity {
  const cut = m.wasteRules.severity_hours_per_week;
  if (hours === null) return count >= 3 ? "high" : count === 2 ? "medium" : "low";
  return hours >= cut.high ? "high" : hours >= cut.medium ? "medium" : "low";
}

export function classifyDescribedWork(m: Methodology, activities: DescribedActivity[]): ActivityWasteReport {
  const classified = activities.map((a, i) => classifyActivity(m, a, i));
  const findings: WasteFinding[] = [];
  for (const w of m.wastes) {
    const hits = classified.filter((c) => c.waste === w.id);
    if (hits.length === 0) continue;
    const known = hits.filter((h) => h.hours_per_week !== null);
    const hours = known.length > 0 ? known.reduce((n, h) => n + h.hours_per_week!, 0) : null;
    const cut = m.wasteRules.severity_hours_per_week;
    const listed = hits
      .map((h) => `"${h.description}"${h.hours_per_week !== null ? ` (${h.hours_per_week} h/week)` : ""} ${h.basis === "kind" ? `given as ${h.matched[0]}` : `matches ${h.matched.map((s) => `"${s}"`).join(", ")}`}`)
      .join("; ");
    findings.push({
      waste: w.id,
      name: w.name,
      severity: severityForHours(m, hours, hits.length),
      evidence:
        `${hits.length} described activit${hits.length === 1 ? "y" : "ies"} fit ${w.name} (${w.definition}) ${listed}.` +
        (hours !== null ? ` ${hours} h/week in all; high at ${cut.high} h/week or more, medium at ${cut.medium}.` : " No hours given; severity from the number of activities."),
      deal_ids: [],
      remedy: w.elimination,
    });
  }
  const total = classified.reduce((n, c) => n + (c.hours_per_week ?? 0), 0);
  const wasted = classified.filter((c) => c.waste !== null).reduce((n, c) => n + (c.hours_per_week ?? 0), 0);
  return { findings, activities: classified, waste_hours_per_week: wasted, total_hours_per_week: total };
}
