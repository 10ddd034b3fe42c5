// The seven wastes applied to work a rep describes. Reference: "Seven Forms of Waste in Sales"
// (definitions, examples, elimination approaches); the words that identify each waste and the
// severity cuts live in data/wastes.json.
import { InputError } from "./errors.js";
import { compilePhrase, matchAt, matchesPhrase, stems, stemsAndWords, type CompiledPhrase } from "./words.js";
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
  /** kind: the caller said; signals: waste words decided; value: customer-value words decided; no_signal: nothing matched. */
  basis: "kind" | "signals" | "value" | "no_signal";
  /** The phrases (as written in data/wastes.json) that matched, or the kind given. */
  matched: string[];
  /** The elimination approach that fits this activity (null when it is not waste). */
  remedy: string | null;
}

export interface ActivityWasteReport {
  findings: WasteFinding[];
  activities: ClassifiedActivity[];
  waste_hours_per_week: number;
  total_hours_per_week: number;
}

/** Kinds an agent may name: a waste id itself, or one of the activity kinds in data. */
export function activityKindIds(m: Methodology): string[] {
  return [...m.wastes.map((w) => w.id), ...m.wasteRules.activity_kinds.kinds.map((k) => k.id)];
}

// Whole-word matching for stored text the pipeline rules read (close reasons, proposal notes):
// one pattern for the whole list, to rule a text out in a single test, and one per signal.
const compiled = new WeakMap<readonly string[], { any: RegExp; each: Array<[string, RegExp]> }>();
const escape = (re: string) => re.replace(/[.*+?^${}()|[\]\\]/g, "\\$&");
const wordRe = (body: string) => new RegExp(`(^|[^a-z0-9])(?:${body})($|[^a-z0-9])`);

/** Signals found in a text as whole words or phrases. */
export function matchSignals(text: string, signals: readonly string[]): string[] {
  let p = compiled.get(signals);
  if (!p)
    compiled.set(
      signals,
      (p = { any: wordRe(signals.map(escape).join("|")), each: signals.map((s) => [s, wordRe(escape(s))]) }),
    );
  const lower = text.toLowerCase();
  if (!p.any.test(lower)) return [];
  const out: string[] = [];
  for (const [s, re] of p.each) if (re.test(lower)) out.push(s);
  return out;
}

/** Each waste's signal phrases, stemmed once per methodology. */
type Signal = CompiledPhrase & { remedy: number; weight: number };
/**
 * Every phrase (each waste's, then the value phrases) by its first stem, with its group and its
 * place in the group's list: a phrase can only match a text that contains its first stem, so a
 * text is tried against those few phrases instead of all of them (over a thousand), and each
 * group's hits come back in list order, as a filter over the list would give them.
 */
type PhraseIndexEntry = { group: number; at: number; phrase: Signal };
type PhraseIndex = Map<string, PhraseIndexEntry[]>;
interface Lexicon {
  wastes: Array<{ waste: WasteDef; phrases: Signal[] }>;
  /** Group wastes.length. */
  value: Signal[];
  index: PhraseIndex;
  /** Each waste's group, and null's (value work). */
  group: Map<Waste | null, number>;
  negations: Set<string>;
}

function indexPhrases(groups: Signal[][]): PhraseIndex {
  const index: PhraseIndex = new Map();
  groups.forEach((phrases, group) =>
    phrases.forEach((phrase, at) => {
      const first = phrase.stems[0]!;
      let list = index.get(first);
      if (!list) index.set(first, (list = []));
      list.push({ group, at, phrase });
    }),
  );
  return index;
}

/**
 * The phrases of each group that match the text, in list order: only phrases whose first stem is
 * one of the text's stems are tried (each stem once; `starting[i]` holds the phrases that begin
 * with text[i]), and the few hits are put back in list order. Value phrases (the last group) are
 * denied by a negation right before them.
 */
function matchedPhrases(
  lex: Lexicon,
  text: readonly string[],
  starting: ReadonlyArray<PhraseIndexEntry[] | undefined>,
): Array<Signal[] | undefined> {
  const valueGroup = lex.wastes.length;
  const hits: PhraseIndexEntry[] = [];
  for (let i = 0; i < text.length; i++) {
    const list = starting[i];
    if (!list || text.indexOf(text[i]!) !== i) continue; // each distinct stem once
    for (let n = 0; n < list.length; n++) {
      const e = list[n]!;
      if (e.group !== valueGroup) {
        if (matchesPhrase(text, e.phrase)) hits.push(e);
        continue;
      }
      const at = matchAt(text, e.phrase);
      if (at < 0) continue;
      let denied = false;
      for (let j = Math.max(0, at - 3); j < at && !denied; j++) denied = lex.negations.has(text[j]!);
      if (!denied) hits.push(e);
    }
  }
  if (hits.length > 1) hits.sort((a, b) => a.group - b.group || a.at - b.at);
  const out: Array<Signal[] | undefined> = [];
  for (let n = 0; n < hits.length; n++) (out[hits[n]!.group] ??= []).push(hits[n]!.phrase);
  return out;
}
/** A methodology's signal phrases, compiled (built once per methodology, by classifier()). */
function lexicon(m: Methodology): Lexicon {
  // Phrases that stem alike ("follow-up", "followed up") count once.
  const distinct = <T extends CompiledPhrase>(list: T[]) => [
    ...new Map(list.filter((p) => p.stems.length).map((p) => [p.stems.join(" "), p])).values(),
  ];
  const signal = (p: string, remedy: number, weight = 1): Signal => {
    const c = compilePhrase(p);
    return { ...c, remedy, weight: c.stems.length * weight };
  };
  const wastes = m.wastes.map((w) => ({
    waste: w,
    phrases: distinct(w.signals.flatMap((g) => g.phrases.map((p) => signal(p, g.remedy, g.weight)))),
  }));
  const value = distinct(
    m.wasteRules.value_signals.groups.flatMap((g) => g.phrases.map((p) => signal(p, -1, g.weight))),
  );
  return {
    wastes,
    value,
    index: indexPhrases([...wastes.map((w) => w.phrases), value]),
    group: new Map<Waste | null, number>([
      ...wastes.map((w, g): [Waste, number] => [w.waste.id, g]),
      [null, wastes.length],
    ]),
    negations: new Set(m.wasteRules.value_signals.negations.flatMap((p) => stems(p))),
  };
}

/** A phrase's weight: how many words it has (a longer phrase is a more specific signal) times its group's weight. */
const weightOf = (p: Signal) => p.weight;

// ------------------------------------------------------------------------- the word model
/** A text's features: its stems and each pair of neighbouring stems, with the words they came from. */
export function features(text: string): Map<string, string> {
  const { stems: s, words } = stemsAndWords(text);
  const out = new Map<string, string>();
  for (let i = 0; i < s.length; i++) {
    if (!out.has(s[i]!)) out.set(s[i]!, words[i]!);
    if (i === 0) continue;
    const pair = `${s[i - 1]} ${s[i]}`;
    if (!out.has(pair)) out.set(pair, `${words[i - 1]} ${words[i]}`);
  }
  return out;
}

/**
 * What classifying needs of a stem, found with one lookup: its likelihoods (when the examples
 * have it as a feature), those of the pairs it begins (by the stem that follows), and the signal
 * phrases that begin with it.
 */
interface StemInfo {
  row?: number[];
  next?: Map<string, number[]>;
  phrases?: PhraseIndexEntry[];
}
/** The lexicon and the model of a methodology, joined by stem; each class's phrase group (-1 for none). */
interface Classifier {
  lex: Lexicon;
  model: WasteModel;
  vocab: Map<string, StemInfo>;
  groups: number[];
  /** Each waste's elimination approaches as their distinct stems (the remedy when no phrase matched). */
  elimination: Map<Waste, string[][]>;
}

const classifiers = new WeakMap<Methodology, Classifier>();
/** The classifier of a methodology, built on first use (the model is learned then; see wasteModel). */
function classifier(m: Methodology): Classifier {
  let c = classifiers.get(m);
  if (!c) {
    const lex = lexicon(m);
    const model = wasteModel(m);
    const vocab = new Map<string, StemInfo>();
    const info = (stem: string) => {
      let v = vocab.get(stem);
      if (!v) vocab.set(stem, (v = {}));
      return v;
    };
    for (const [feature, row] of model.logLik) {
      const space = feature.indexOf(" ");
      if (space < 0) info(feature).row = row;
      else (info(feature.slice(0, space)).next ??= new Map()).set(feature.slice(space + 1), row);
    }
    for (const [stem, list] of lex.index) info(stem).phrases = list;
    c = {
      lex,
      model,
      vocab,
      groups: model.classes.map((k) => lex.group.get(k) ?? -1),
      elimination: new Map(m.wastes.map((w) => [w.id, w.elimination.map((e) => [...new Set(stems(e))])])),
    };
    classifiers.set(m, c);
  }
  return c;
}

export interface WasteModel {
  classes: Array<Waste | null>;
  logPrior: number[];
  /** Per feature, log P(feature | class) for each class. */
  logLik: Map<string, number[]>;
}

/**
 * Naive Bayes over features (present or not), Laplace-smoothed: learned from labelled examples,
 * deterministic, and each feature's weight per waste can be read back to explain a verdict.
 */
export function trainWasteModel(
  examples: ReadonlyArray<{ text: string; waste: Waste | null }>,
  alpha: number,
): WasteModel {
  const classes = [...new Set(examples.map((e) => e.waste))];
  const docs = classes.map((c) => examples.filter((e) => e.waste === c).length);
  const counts = new Map<string, number[]>();
  for (const e of examples) {
    const k = classes.indexOf(e.waste);
    for (const f of features(e.text).keys()) {
      let row = counts.get(f);
      if (!row) counts.set(f, (row = classes.map(() => 0)));
      row[k]!++;
    }
  }
  const logLik = new Map<string, number[]>();
  for (const [f, row] of counts)
    logLik.set(
      f,
      row.map((n, k) => Math.log((n + alpha) / (docs[k]! + 2 * alpha))),
    );
  return { classes, logPrior: docs.map((n) => Math.log(n / examples.length)), logLik };
}

const models = new WeakMap<Methodology, WasteModel>();
/** The model for a methodology, learned on first use (never at start-up: few conversations need it). */
export function wasteModel(m: Methodology): WasteModel {
  let model = models.get(m);
  if (!model) models.set(m, (model = trainWasteModel(m.wasteExamples, m.wasteRules.classifier.smoothing)));
  return model;
}

/**
 * The word model's features a text has, as features() walks them (each stem, then its pair with
 * the stem before; each feature once, in text order), with their likelihoods and the words they
 * came from; and the signal phrases that begin at each stem. One lookup per stem finds all three.
 * A feature's row is its own array (trainWasteModel), so the same row again is the same feature
 * again; a test holds this walk to features() on every example.
 */
function known(c: Classifier, text: readonly string[], raw: readonly string[]) {
  const rows: number[][] = [];
  const words: string[] = [];
  const starting: Array<PhraseIndexEntry[] | undefined> = [];
  let prev: StemInfo | undefined;
  for (let i = 0; i < text.length; i++) {
    const info = c.vocab.get(text[i]!);
    starting.push(info?.phrases);
    const row = info?.row;
    if (row && !rows.includes(row)) {
      rows.push(row);
      words.push(raw[i]!);
    }
    const pair = prev?.next?.get(text[i]!);
    if (pair && !rows.includes(pair)) {
      rows.push(pair);
      words.push(`${raw[i - 1]} ${raw[i]}`);
    }
    prev = info;
  }
  return { rows, words, starting };
}

/** The known features of a text and the words they came from, as classifying reads them (for tests). */
export function knownFeatures(m: Methodology, text: string): { rows: number[][]; words: string[] } {
  const { stems: s, words: raw } = stemsAndWords(text);
  const { rows, words } = known(classifier(m), s, raw);
  return { rows, words };
}

/**
 * The waste a described activity is, and what decided it: the word model's evidence for each
 * waste (and for "not waste") plus the signal phrases' weights. The answer names the words that
 * weighed most for the winner against the runner-up, and the signal phrases that matched; the
 * remedy is the elimination approach of the heaviest matching phrase, else the approach whose
 * words the activity shares most.
 */
export function classifyActivity(
  m: Methodology,
  a: DescribedActivity,
  index: number,
  // Looked up once per request by classifyDescribedWork, not once per activity.
  c: Classifier = classifier(m),
): ClassifiedActivity {
  // Each answer is written out key by key (index, description, hours_per_week first): spreading a
  // shared base object into each costs more than the rest of the classification.
  const description = a.description;
  const hours_per_week = a.hours_per_week ?? null;
  if (a.kind !== undefined) {
    const asWaste = m.wastes.find((w) => w.id === a.kind);
    const asKind = m.wasteRules.activity_kinds.kinds.find((k) => k.id === a.kind);
    if (!asWaste && !asKind) {
      throw new InputError(
        `activities[${index}].kind must be one of ${activityKindIds(m).join(", ")}.`,
        `activities[${index}].kind`,
      );
    }
    const waste = asWaste ? asWaste.id : asKind!.waste;
    const remedy = waste ? m.waste(waste).elimination[0]! : null;
    return { index, description, hours_per_week, waste, basis: "kind", matched: [a.kind], remedy };
  }
  const cfg = m.wasteRules.classifier;
  const { lex, model, groups } = c;
  const { stems: text, words: raw } = stemsAndWords(a.description);
  const { rows, words, starting } = known(c, text, raw);

  // Signal phrases, per waste and for value work (denied by a negation right before them).
  const hits = matchedPhrases(lex, text, starting);
  if (rows.length === 0 && hits.length === 0)
    return { index, description, hours_per_week, waste: null, basis: "no_signal", matched: [], remedy: null };

  // Each class's evidence, summed in the same order as always (prior, features, then phrase weights).
  const classes = model.classes;
  const score: number[] = [];
  for (let k = 0; k < classes.length; k++) {
    let s = model.logPrior[k]!;
    for (let i = 0; i < rows.length; i++) s += rows[i]![k]!;
    let weights = 0;
    const phrases = hits[groups[k]!];
    if (phrases) for (let i = 0; i < phrases.length; i++) weights += weightOf(phrases[i]!);
    score.push(s + cfg.signal_weight * weights);
  }
  // The best and the runner-up, the first in class order on a tie (as a stable sort would rank them).
  let win = 0;
  for (let k = 1; k < score.length; k++) if (score[k]! > score[win]!) win = k;
  let second = win === 0 ? 1 : 0;
  for (let k = second + 1; k < score.length; k++) if (k !== win && score[k]! > score[second]!) second = k;
  const waste = classes[win]!;
  // The words that weighed most for the winner against the runner-up (ties in text order).
  const lift: number[] = [];
  const ahead: number[] = [];
  for (let i = 0; i < rows.length; i++) {
    lift.push(rows[i]![win]! - rows[i]![second]!);
    if (lift[i]! > 0) ahead.push(i);
  }
  if (ahead.length > 1) ahead.sort((x, y) => lift[y]! - lift[x]!);
  const hit = hits[groups[win]!];
  const matched: string[] = [];
  if (hit) for (let i = 0; i < hit.length; i++) matched.push(hit[i]!.text);
  for (let n = 0; n < ahead.length && n < cfg.explain_words; n++) {
    const word = words[ahead[n]!]!;
    let shown = false;
    if (hit) for (let i = 0; i < hit.length && !shown; i++) shown = hit[i]!.text === word;
    if (!shown) matched.push(word);
  }
  if (waste === null) return { index, description, hours_per_week, waste: null, basis: "value", matched, remedy: null };
  const remedy = remedyFor(m, c, waste, hit, text);
  return { index, description, hours_per_week, waste, basis: "signals", matched, remedy };
}

/** The elimination approach that fits: the heaviest matching phrase's, else the one sharing most words with the activity. */
function remedyFor(
  m: Methodology,
  c: Classifier,
  waste: Waste,
  hit: Signal[] | undefined,
  text: readonly string[],
): string {
  const w = m.waste(waste);
  if (hit?.length) return w.elimination[hit.reduce((x, p) => (weightOf(p) > weightOf(x) ? p : x)).remedy]!;
  const approaches = c.elimination.get(waste)!;
  let best = 0;
  let bestShared = 0;
  for (let i = 0; i < approaches.length; i++) {
    let shared = 0;
    for (const s of approaches[i]!) if (text.includes(s)) shared++;
    if (shared > bestShared) [best, bestShared] = [i, shared];
  }
  return w.elimination[best]!;
}

export function severityForHours(m: Methodology, hours: number | null, count: number): Severity {
  const cut = m.wasteRules.severity_hours_per_week;
  if (hours === null) return count >= 3 ? "high" : count === 2 ? "medium" : "low";
  return hours >= cut.high ? "high" : hours >= cut.medium ? "medium" : "low";
}

export function classifyDescribedWork(m: Methodology, activities: DescribedActivity[]): ActivityWasteReport {
  const c = classifier(m);
  const classified: ClassifiedActivity[] = [];
  // The activities of each waste (by its place in m.wastes, which is its lexicon group), in order.
  const byWaste: Array<ClassifiedActivity[] | undefined> = [];
  let total = 0;
  let wasted = 0;
  for (let i = 0; i < activities.length; i++) {
    const a = classifyActivity(m, activities[i]!, i, c);
    classified.push(a);
    total += a.hours_per_week ?? 0;
    if (a.waste === null) continue;
    wasted += a.hours_per_week ?? 0;
    (byWaste[c.lex.group.get(a.waste)!] ??= []).push(a);
  }
  const findings: WasteFinding[] = [];
  const cut = m.wasteRules.severity_hours_per_week;
  for (let g = 0; g < m.wastes.length; g++) {
    const w = m.wastes[g]!;
    const hits = byWaste[g];
    if (!hits) continue;
    // Each activity as "#i (h h/week) matches ..." and the remedies that fit them (first seen
    // first), in one pass.
    let hours: number | null = null;
    let listed = "";
    const fitting: string[] = [];
    for (let i = 0; i < hits.length; i++) {
      const h = hits[i]!;
      if (h.hours_per_week !== null) hours = (hours ?? 0) + h.hours_per_week;
      let why: string;
      if (h.basis === "kind") why = `given as ${h.matched[0]}`;
      else {
        why = "matches ";
        for (let j = 0; j < h.matched.length; j++) why += `${j ? ", " : ""}"${h.matched[j]}"`;
      }
      listed += `${i ? "; " : ""}#${h.index}${h.hours_per_week !== null ? ` (${h.hours_per_week} h/week)` : ""} ${why}`;
      if (h.remedy && !fitting.includes(h.remedy)) fitting.push(h.remedy);
    }
    // The remedies that fit these activities, then the waste's others.
    const remedy = fitting.slice();
    for (const e of w.elimination) if (!fitting.includes(e)) remedy.push(e);
    findings.push({
      waste: w.id,
      name: w.name,
      severity: severityForHours(m, hours, hits.length),
      evidence:
        `${hits.length} described activit${hits.length === 1 ? "y" : "ies"} fit ${w.name}: ${listed}.` +
        (hours !== null
          ? ` ${hours} h/week in all; high at ${cut.high} h/week or more, medium at ${cut.medium} (${m.sourceName("wastes.severity_hours_per_week")}).`
          : " No hours given; severity from the number of activities."),
      deal_ids: [],
      remedy,
    });
  }
  const rank = { high: 0, medium: 1, low: 2 } as const;
  findings.sort((a, b) => rank[a.severity] - rank[b.severity]);
  return { findings, activities: classified, waste_hours_per_week: wasted, total_hours_per_week: total };
}
