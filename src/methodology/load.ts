// Loads data/*.json, validates each file with its zod schema, checks the references between
// files, and builds the lookups the rules use. A broken file stops start-up with an error that
// names the file and the path inside it.
import { readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { z } from "zod";
import { STOP_WORDS } from "./words.js";
import { collectLabels, PARSE_ONCE, Provenances, sourceName, withoutLabels, type Provenance } from "./provenance.js";
import {
  BANT_STATUS_IDS,
  DATA_FILES,
  ReadinessId,
  StageId,
  TierId,
  Verdict,
  WasteId,
  type BantData,
  type BantDimension,
  type FrameworkData,
  type ImplementationData,
  type PrinciplesData,
  type ProactiveReactiveData,
  type QuestionsData,
  type Readiness,
  type ScoringData,
  type ForecastData,
  type SegmentationData,
  type Stage,
  type StagesData,
  type Tier,
  type Waste,
  type WastesData,
  type WasteExamplesData,
} from "./schema.js";

export class MethodologyDataError extends Error {
  constructor(
    readonly file: string,
    readonly path: string,
    detail: string,
    /** The folder the file was read from, when it is a team's (--methodology); else data/. */
    readonly dir?: string,
  ) {
    super(`${dir ? join(dir, file) : `data/${file}`}${path ? ` at ${path}` : ""}: ${detail}`);
    this.name = "MethodologyDataError";
  }
}

export type StageDef = StagesData["stages"][number];
export type WasteDef = WastesData["wastes"][number];
export type SegmentDef = SegmentationData["matrix"][number] & {
  derivation?: string;
  in_matrix: boolean;
  /** Where the row's guidance comes from, as an answer names it ("the reference", "this server's default"...). */
  source: string;
};
export type BantDimensionDef = BantData["dimensions"][number];

export interface Methodology {
  principles: PrinciplesData["principles"];
  framework: FrameworkData["areas"];
  segmentation: SegmentationData;
  stages: StageDef[];
  wastes: WasteDef[];
  wasteRules: WastesData;
  /** Labelled described activities the waste classifier learns from. */
  wasteExamples: WasteExamplesData["examples"];
  proactiveReactive: ProactiveReactiveData;
  implementation: ImplementationData;
  questions: QuestionsData["core_questions"];
  bant: BantData;
  scoring: ScoringData;
  forecast: ForecastData;
  /** data/assessments.json as read; assessmentRules(m) in assessment.ts validates and types it. */
  assessmentsRaw: unknown;
  /**
   * The currency of the methodology's money thresholds (segmentation.tier_thresholds.currency):
   * deals and analyses use it when none is given.
   */
  currency: string;
  /** Lookups built once. */
  stage(id: Stage): StageDef;
  stageIndex(id: Stage): number;
  waste(id: Waste): WasteDef;
  segment(tier: Tier, readiness: Readiness): SegmentDef;
  bantDimension(id: BantDimension): BantDimensionDef;
  /** Resolves "<stage>.<activity id>" to the activity text. */
  stageActivity(ref: string): string;
  /** Where the data at a path comes from, e.g. provenance("segmentation.tier_thresholds"). */
  provenance(path: string): Provenance;
  /** The same, as an answer names it: "the reference", "this server's default", "your team's methodology". */
  sourceName(path: string): string;
  /** Where everything comes from, against the shipped files (labels, and what a team changed). */
  provenances: Provenances;
}

type Raw = { [K in keyof typeof DATA_FILES]: z.infer<(typeof DATA_FILES)[K]["schema"]> };

function formatPath(path: ReadonlyArray<PropertyKey>): string {
  return path.reduce<string>(
    (acc, key) => (typeof key === "number" ? `${acc}[${key}]` : acc ? `${acc}.${String(key)}` : String(key)),
    "",
  );
}

// A file of many like items (over a thousand labelled examples) is checked by zod's compiled
// parser (z.compile), several times faster than its interpreter even counting the compile; the
// others parse interpreted, once (PARSE_ONCE). A file either rejects gets zod's own messages.
const COMPILED_FILES = new Set(["waste-examples.json"]);

function readDataFile<S extends z.ZodType>(
  dataDir: string,
  file: string,
  schema: S,
  team?: string,
): { raw: unknown; data: z.infer<S> } {
  let text: string;
  try {
    text = readFileSync(join(dataDir, file), "utf8");
  } catch (err) {
    throw new MethodologyDataError(
      file,
      "",
      `cannot be read (${(err as NodeJS.ErrnoException).code ?? String(err)})`,
      team,
    );
  }
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch (err) {
    throw new MethodologyDataError(file, "", `is not valid JSON: ${(err as Error).message}`, team);
  }
  const parsed = (COMPILED_FILES.has(file) ? z.compile(schema) : schema).safeParse(withoutLabels(json), PARSE_ONCE);
  if (!parsed.success) {
    const issue = parsed.error.issues[0]!;
    throw new MethodologyDataError(file, formatPath(issue.path), issue.message, team);
  }
  return { raw: json, data: parsed.data };
}

/**
 * An error found in a data file after loading (e.g. the assessment rules, checked by their own
 * module), pointed at the team's folder when the file came from there.
 */
export function inTeamFolder(err: unknown, team: string | undefined): unknown {
  if (!(err instanceof MethodologyDataError) || !team || err.dir || !teamFiles(team).has(err.file)) return err;
  return new MethodologyDataError(err.file, err.path, err.message.replace(/^[^:]*: /, ""), team);
}

/**
 * The files a team's methodology folder replaces (those present in it, by name), after checking
 * that it holds nothing else: a misspelt file name would otherwise be silently ignored.
 */
export function teamFiles(dir: string): Set<string> {
  let names: string[];
  try {
    names = readdirSync(dir).filter((n) => n.endsWith(".json"));
  } catch (err) {
    throw new MethodologyDataError(
      "",
      "",
      `the methodology folder cannot be read (${(err as NodeJS.ErrnoException).code ?? String(err)})`,
      dir,
    );
  }
  const known: string[] = Object.values(DATA_FILES).map((f) => f.file);
  for (const n of names)
    if (!known.includes(n))
      throw new MethodologyDataError(
        n,
        "",
        n === "crm-presets.json"
          ? "CRM import presets are not read from a methodology folder (yet): import with mapping and stage_map instead"
          : `is not a methodology file; the files are ${known.join(", ")}`,
        dir,
      );
  return new Set(names);
}

function check(ok: boolean, file: string, path: string, detail: string): asserts ok {
  if (!ok) throw new MethodologyDataError(file, path, detail);
}

function sameSet(a: readonly string[], b: readonly string[]): boolean {
  return a.length === b.length && new Set(a).size === a.length && a.every((x) => b.includes(x));
}

/**
 * Checks that hold across files or that a per-file schema cannot express, one kind of reference
 * at a time; the first problem found throws (so the order below is the order problems are reported).
 */
function checkReferences(raw: Raw): void {
  checkStages(raw);
  checkWasteSignals(raw);
  checkPipelineRules(raw);
  checkWasteThresholds(raw);
  checkSegmentRows(raw);
  checkBantDimensions(raw);
  checkBantActions(raw);
  checkBantConditions(raw);
  checkBantScoreBands(raw);
  checkReadinessRules(raw);
  checkQuestionPrinciples(raw);
}

/** stages.json: every stage once, numbered in funnel order, with unique criterion and activity ids. */
function checkStages(raw: Raw): void {
  const stageIds = raw.stages.stages.map((s) => s.id);
  check(
    sameSet(stageIds, StageId.options),
    "stages.json",
    "stages",
    `must list each of ${StageId.options.join(", ")} once`,
  );
  raw.stages.stages.forEach((s, i) => {
    check(s.number === i + 1, "stages.json", `stages[${i}].number`, "stages are numbered 1.. in funnel order");
    const ids = s.exit_criteria.map((c) => c.id);
    check(
      new Set(ids).size === ids.length,
      "stages.json",
      `stages[${i}].exit_criteria`,
      "criterion ids must be unique",
    );
    const acts = s.activities.map((a) => a.id);
    check(new Set(acts).size === acts.length, "stages.json", `stages[${i}].activities`, "activity ids must be unique");
  });
}

/**
 * wastes.json: every waste once; each signal names one of its waste's remedies; each phrase is
 * matchable and a signal of one waste only.
 */
function checkWasteSignals(raw: Raw): void {
  const wasteIds = raw.wastes.wastes.map((w) => w.id);
  check(
    sameSet(wasteIds, WasteId.options),
    "wastes.json",
    "wastes",
    `must list each of ${WasteId.options.join(", ")} once`,
  );
  const seenSignal = new Map<string, string>();
  raw.wastes.wastes.forEach((w, i) =>
    w.signals.forEach((g, j) => {
      check(
        w.elimination[g.remedy] !== undefined,
        "wastes.json",
        `wastes[${i}].signals[${j}].remedy`,
        `no elimination approach ${g.remedy} (there are ${w.elimination.length})`,
      );
      g.phrases.forEach((sig, k) => {
        checkPhrase(sig, `wastes[${i}].signals[${j}].phrases[${k}]`);
        const other = seenSignal.get(sig);
        check(
          !other,
          "wastes.json",
          `wastes[${i}].signals[${j}].phrases[${k}]`,
          `"${sig}" is already a signal of ${other}`,
        );
        seenSignal.set(sig, w.id);
      });
    }),
  );
  raw.wastes.value_signals.groups.forEach((g, j) =>
    g.phrases.forEach((sig, k) => checkPhrase(sig, `value_signals.groups[${j}].phrases[${k}]`)),
  );
}

/** wastes.json pipeline rules: each names a remedy its waste has. */
function checkPipelineRules(raw: Raw): void {
  for (const [rule, r] of Object.entries(raw.wastes.pipeline.rules)) {
    check(
      raw.wastes.wastes.find((w) => w.id === r.waste)!.elimination[r.remedy] !== undefined,
      "wastes.json",
      `pipeline.rules.${rule}.remedy`,
      `no elimination approach ${r.remedy} of ${r.waste}`,
    );
  }
}

/** wastes.json thresholds that come in pairs: the lower one below the higher. */
function checkWasteThresholds(raw: Raw): void {
  const p = raw.wastes.pipeline;
  check(
    p.stall_warn_multiplier < p.stall_flag_multiplier,
    "wastes.json",
    "pipeline.stall_warn_multiplier",
    "must be below stall_flag_multiplier",
  );
  check(
    raw.wastes.severity_hours_per_week.medium < raw.wastes.severity_hours_per_week.high,
    "wastes.json",
    "severity_hours_per_week",
    "medium must be below high",
  );
}

/** segmentation.json: the rows cover every tier x readiness once, and every readiness level is listed. */
function checkSegmentRows(raw: Raw): void {
  const combos = [
    ...raw.segmentation.matrix,
    ...raw.segmentation.derived.rows,
    ...raw.segmentation.unknown_readiness.rows,
  ].map((r) => `${r.tier}_${r.readiness}`);
  const all = TierId.options.flatMap((t) => ReadinessId.options.map((r) => `${t}_${r}`));
  check(
    sameSet(combos, all),
    "segmentation.json",
    "matrix",
    "matrix, derived and unknown_readiness rows together must cover every tier x readiness once",
  );
  check(
    raw.segmentation.unknown_readiness.rows.every((r) => r.readiness === "unknown"),
    "segmentation.json",
    "unknown_readiness.rows",
    "every row has readiness unknown",
  );
  check(
    sameSet(
      raw.segmentation.readiness_levels.map((r) => r.id),
      ReadinessId.options,
    ),
    "segmentation.json",
    "readiness_levels",
    `must list each of ${ReadinessId.options.join(", ")} once`,
  );
}

/**
 * bant.json dimensions: each once with exactly its statuses, scored best to worst, some qualifying
 * (never unknown), and closed by a stage activity.
 */
function checkBantDimensions(raw: Raw): void {
  raw.bant.dimensions.forEach((d, i) => {
    const ids = d.statuses.map((s) => s.id);
    check(
      sameSet(ids, BANT_STATUS_IDS[d.id]),
      "bant.json",
      `dimensions[${i}].statuses`,
      `must list exactly ${BANT_STATUS_IDS[d.id].join(", ")}`,
    );
    d.statuses.forEach((s, j) => {
      if (j > 0)
        check(
          s.score < d.statuses[j - 1]!.score,
          "bant.json",
          `dimensions[${i}].statuses[${j}].score`,
          "scores must fall from best to worst status",
        );
    });
    check(
      d.statuses.some((s) => s.qualifying),
      "bant.json",
      `dimensions[${i}].statuses`,
      "at least one status must qualify",
    );
    check(
      !d.statuses.find((s) => s.id === "unknown")!.qualifying,
      "bant.json",
      `dimensions[${i}].statuses`,
      "unknown can never qualify",
    );
    check(
      resolveStageActivity(raw, d.closing_activity) !== undefined,
      "bant.json",
      `dimensions[${i}].closing_activity`,
      `no stage activity ${d.closing_activity}`,
    );
  });
  check(
    sameSet(
      raw.bant.dimensions.map((d) => d.id),
      ["budget", "authority", "need", "timeline"],
    ),
    "bant.json",
    "dimensions",
    "must list budget, authority, need, timeline once",
  );
}

/** bant.json actions: a stage activity for a qualified prospect, a waste's remedy for a disqualified one. */
function checkBantActions(raw: Raw): void {
  check(
    resolveStageActivity(raw, raw.bant.actions.qualified) !== undefined,
    "bant.json",
    "actions.qualified",
    `no stage activity ${raw.bant.actions.qualified}`,
  );
  const [dqWaste, dqIndex] = raw.bant.actions.disqualified.split(".");
  check(
    raw.wastes.wastes.find((w) => w.id === dqWaste)?.elimination[Number(dqIndex)] !== undefined,
    "bant.json",
    "actions.disqualified",
    `no elimination approach ${raw.bant.actions.disqualified}`,
  );
}

/** bant.json disqualifiers, nurture triggers and requalify rules: every condition names a status of its dimension. */
function checkBantConditions(raw: Raw): void {
  for (const list of ["disqualifiers", "nurture_triggers", "requalify"] as const) {
    raw.bant[list].forEach((dq, i) =>
      Object.entries(dq.when).forEach(([dim, statuses]) =>
        statuses.forEach((s) =>
          check(
            (BANT_STATUS_IDS[dim as BantDimension] as readonly string[]).includes(s),
            "bant.json",
            `${list}[${i}].when.${dim}`,
            `unknown ${dim} status ${s}`,
          ),
        ),
      ),
    );
  }
}

/** bant.json score bands: one starts at 0 and admits every verdict. */
function checkBantScoreBands(raw: Raw): void {
  check(
    raw.bant.score_bands.some((b) => b.min === 0 && b.verdicts.length === Verdict.options.length),
    "bant.json",
    "score_bands",
    `one band must start at 0 and admit every verdict (${Verdict.options.join(", ")})`,
  );
}

/** segmentation.json readiness rules: the budget statuses are bant.json's. */
function checkReadinessRules(raw: Raw): void {
  raw.segmentation.readiness_rules.ready.budget_statuses.forEach((s, i) =>
    check(
      (BANT_STATUS_IDS.budget as readonly string[]).includes(s),
      "segmentation.json",
      `readiness_rules.ready.budget_statuses[${i}]`,
      `unknown budget status ${s}`,
    ),
  );
}

/** questions.json: every core question belongs to a principle of principles.json. */
function checkQuestionPrinciples(raw: Raw): void {
  const principleIds = raw.principles.principles.map((x) => x.id);
  raw.questions.core_questions.forEach((q, i) =>
    check(
      principleIds.includes(q.principle),
      "questions.json",
      `core_questions[${i}].principle`,
      `no principle ${q.principle}`,
    ),
  );
}

/** A signal phrase holds only words that are matched: a stop word in it would silently be dropped. */
function checkPhrase(phrase: string, path: string): void {
  const stop = phrase.split(" ").filter((w) => STOP_WORDS.has(w));
  check(
    stop.length === 0,
    "wastes.json",
    path,
    `"${phrase}" contains ${stop.map((w) => `"${w}"`).join(", ")}, which matching ignores; write the phrase without ${stop.length > 1 ? "them" : "it"}`,
  );
}

function resolveStageActivity(raw: Raw, ref: string): string | undefined {
  const [stage, activity] = ref.split(".");
  return raw.stages.stages.find((s) => s.id === stage)?.activities.find((a) => a.id === activity)?.text;
}

/** The raw files of a folder, keyed as DATA_FILES, with their labelled blocks. */
function rawFiles(dir: string, files: ReadonlyArray<readonly [string, { raw: unknown }]>) {
  const tree = Object.fromEntries(files.map(([key, f]) => [key, f.raw])) as Record<string, unknown>;
  return { tree, labels: new Map(files.flatMap(([key, f]) => [...collectLabels(key, f.raw)])), dir };
}

/**
 * Reads and validates every file under dataDir. Throws MethodologyDataError on the first problem.
 * `shipped` is the folder of the files the server ships: labels are judged against it, so a
 * value that differs from the shipped one reads as the team's (default: dataDir itself).
 */
export function loadMethodology(dataDir: string, opts: { shipped?: string; team?: string } = {}): Methodology {
  // A team's folder replaces the shipped files it holds, file by file; labels are then judged
  // against the shipped ones.
  const own = opts.team ? teamFiles(opts.team) : new Set<string>();
  if (opts.team) opts = { ...opts, shipped: opts.shipped ?? dataDir };
  const files = Object.entries(DATA_FILES).map(
    ([key, { file, schema }]) =>
      [
        key,
        own.has(file) ? readDataFile(opts.team!, file, schema, opts.team) : readDataFile(dataDir, file, schema),
      ] as const,
  );
  const raw = Object.fromEntries(files.map(([key, f]) => [key, f.data])) as Raw;
  try {
    checkReferences(raw);
  } catch (err) {
    // A broken reference across files names the team's folder when the file is the team's.
    if (err instanceof MethodologyDataError && own.has(err.file))
      throw new MethodologyDataError(err.file, err.path, err.message.replace(/^[^:]*: /, ""), opts.team);
    throw err;
  }
  const active = rawFiles(dataDir, files);
  const shipped =
    opts.shipped && (opts.team || opts.shipped !== dataDir)
      ? rawFiles(
          opts.shipped,
          Object.entries(DATA_FILES).map(
            ([key, { file }]) => [key, { raw: JSON.parse(readFileSync(join(opts.shipped!, file), "utf8")) }] as const,
          ),
        )
      : active;
  const provenances = new Provenances(active, shipped);

  const stages = raw.stages.stages;
  const stageIdx = new Map(stages.map((s, i) => [s.id, i]));
  const wastes = [...raw.wastes.wastes].sort((a, b) => a.number - b.number);
  const segments = new Map<string, SegmentDef>();
  const rowSource = (block: string, i: number) => sourceName(provenances.at(`segmentation.${block}[${i}]`));
  raw.segmentation.matrix.forEach((row, i) =>
    segments.set(`${row.tier}_${row.readiness}`, { ...row, in_matrix: true, source: rowSource("matrix", i) }),
  );
  raw.segmentation.derived.rows.forEach((row, i) =>
    segments.set(`${row.tier}_${row.readiness}`, { ...row, in_matrix: false, source: rowSource("derived.rows", i) }),
  );
  raw.segmentation.unknown_readiness.rows.forEach((row, i) =>
    segments.set(`${row.tier}_${row.readiness}`, {
      ...row,
      in_matrix: false,
      source: rowSource("unknown_readiness.rows", i),
    }),
  );

  return {
    principles: raw.principles.principles,
    framework: raw.framework.areas,
    segmentation: raw.segmentation,
    stages,
    wastes,
    wasteRules: raw.wastes,
    wasteExamples: raw.wasteExamples.examples,
    proactiveReactive: raw.proactiveReactive,
    implementation: raw.implementation,
    questions: raw.questions.core_questions,
    bant: raw.bant,
    scoring: raw.scoring,
    forecast: raw.forecast,
    assessmentsRaw: raw.assessments,
    stage: (id) => stages[stageIdx.get(id)!]!,
    stageIndex: (id) => stageIdx.get(id)!,
    waste: (id) => wastes.find((w) => w.id === id)!,
    segment: (tier, readiness) => segments.get(`${tier}_${readiness}`)!,
    bantDimension: (id) => raw.bant.dimensions.find((d) => d.id === id)!,
    currency: raw.segmentation.tier_thresholds.currency,
    stageActivity: (ref) => resolveStageActivity(raw, ref)!,
    provenance: (path) => provenances.at(path),
    sourceName: (path) => sourceName(provenances.at(path)),
    provenances,
  };
}
