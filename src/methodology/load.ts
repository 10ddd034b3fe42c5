// Loads data/*.json, validates each file with its zod schema, checks the references between
// files, and builds the lookups the rules use. A broken file stops start-up with an error that
// names the file and the path inside it.
import { readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { z } from "zod";
import { STOP_WORDS } from "./words.js";
import { collectLabels, PARSE_ONCE, Provenances, sourceName, withoutLabels, type Provenance } from "./provenance.js";
import {
  DATA_FILES,
  SIGNAL_VALUES,
  signalOfFeature,
  SignalId,
  ReadinessId,
  TierId,
  Verdict,
  WasteId,
  type QualificationData,
  type QualificationFrameworkData,
  type SignalName,
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

/** The CRM import presets: read with the methodology's folder, validated by app/import/presets.ts. */
export const PRESETS_FILE = "crm-presets.json";

export type StageDef = StagesData["stages"][number];
export type WasteDef = WastesData["wastes"][number];
export type SegmentDef = SegmentationData["matrix"][number] & {
  derivation?: string;
  in_matrix: boolean;
  /** Where the row's guidance comes from, as an answer names it ("the reference", "this server's default"...). */
  source: string;
};
export type QualificationDimensionDef = QualificationFrameworkData["dimensions"][number];
/**
 * The active qualification framework (qualification.json's `active`), with the settings every
 * framework shares: the stage a deal should leave qualified and the actions for a verdict.
 */
export interface QualificationFramework extends QualificationFrameworkData {
  /** Where it sits in the data, for its labels: e.g. "qualification.frameworks[1]". */
  path: string;
  qualification_stage: QualificationData["qualification_stage"];
  actions: QualificationData["actions"];
}

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
  /** The active qualification framework. */
  qualification: QualificationFramework;
  /** Every framework qualification.json holds (the active one among them). */
  frameworks: QualificationFrameworkData[];
  scoring: ScoringData;
  forecast: ForecastData;
  /** data/assessments.json as read; assessmentRules(m) in assessment.ts validates and types it. */
  assessmentsRaw: unknown;
  /**
   * The currency of the methodology's money thresholds (segmentation.tier_thresholds.currency):
   * deals and analyses use it when none is given.
   */
  currency: string;
  /**
   * The folder crm-presets.json is read from: the team's methodology folder when it holds one,
   * else data/ (the import presets are validated by app/import/presets.ts against the stages).
   */
  presetsDir: string;
  presetsFromTeam: boolean;
  /** Lookups built once. */
  stage(id: Stage): StageDef;
  stageIndex(id: Stage): number;
  /** The index of the stage a won deal has reached (stageReachedByWin in stages.ts). */
  wonStageIndex: number;
  /** A stage id as the active stages know it (itself, or through stages.json's stage_map), else undefined. */
  resolveStage(id: string): Stage | undefined;
  /** Stages a store may still hold that the methodology no longer lists, and where each now goes. */
  stageMap: Readonly<Record<string, Stage>>;
  waste(id: Waste): WasteDef;
  segment(tier: Tier, readiness: Readiness): SegmentDef;
  /** A dimension of the active qualification framework. */
  qualificationDimension(id: string): QualificationDimensionDef;
  /** Resolves "<stage>.<activity id>" to the activity text. */
  stageActivity(ref: string): string;
  /** Where the data at a path comes from, e.g. provenance("segmentation.tier_thresholds"). */
  provenance(path: string): Provenance;
  /** The same, as an answer names it: "the reference", "this server's default", "your team's methodology". */
  sourceName(path: string): string;
  /** Where everything comes from, against the shipped files (labels, and what a team changed). */
  provenances: Provenances;
}

/**
 * The stage a won deal has reached: the sale is made when a deal leaves the closing stages, so a
 * win reaches the first stage after the sale (the reference's Closing exit, "Fully executed
 * contract", is Onboarding & Success's entrance), not the last one; with no after_sale stage, the
 * last closing stage. Counting it so keeps conversion into the stages after the sale honest.
 */
export function stageReachedByWin(stages: ReadonlyArray<Pick<StageDef, "role">>): number {
  const afterSale = stages.findIndex((s) => s.role === "after_sale");
  return afterSale >= 0 ? afterSale : stages.findLastIndex((s) => s.role === "closing");
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
    throw new MethodologyDataError(file, "", `is not valid JSON: ${jsonErrorAt(text, err as Error)}`, team);
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
  const known: string[] = [...Object.values(DATA_FILES).map((f) => f.file), PRESETS_FILE];
  // "qualifications.json", "Stages.json": the file meant, by name without case or a plural s.
  const base = (f: string) => f.toLowerCase().replace(/s?\.json$/, "");
  const meant = (n: string) => known.find((k) => base(k) === base(n));
  for (const n of names)
    if (!known.includes(n))
      throw new MethodologyDataError(
        n,
        "",
        n === "bant.json"
          ? "BANT now lives in qualification.json (frameworks[0], with MEDDICC, SPICED and CHAMP beside it): run methodology init to get the file and move your changes there"
          : `is not a methodology file${meant(n) ? ` (did you mean ${meant(n)}?)` : ""}; the files are ${known.join(", ")}`,
        dir,
      );
  return new Set(names);
}

/** JSON.parse's message with the line and column of its "position N" (what an editor shows). */
export function jsonErrorAt(text: string, err: Error): string {
  const at = /position (\d+)/.exec(err.message);
  if (!at) return err.message;
  const before = text.slice(0, Number(at[1]));
  const line = before.split("\n").length;
  const column = before.length - before.lastIndexOf("\n");
  return `${err.message.replace(/ in JSON at position \d+.*$/s, "")} at line ${line}, column ${column}`;
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
  resolveStageRefs(raw);
  checkWasteSignals(raw);
  checkPipelineRules(raw);
  checkWasteThresholds(raw);
  checkSegmentRows(raw);
  checkFrameworks(raw);
  checkQualificationActions(raw);
  checkReadinessRules(raw);
  checkQuestionPrinciples(raw);
  checkScoringLabels(raw);
}

/**
 * scoring.json: every feature is labelled once. A qualification signal's feature (bant_budget...)
 * takes its name from the active framework's dimension, so it carries no label of its own.
 */
function checkScoringLabels(raw: Raw): void {
  raw.scoring.features.forEach((f, i) => {
    const signal = signalOfFeature(f.id);
    check(
      signal === undefined ? f.label !== undefined : f.label === undefined,
      "scoring.json",
      `features[${i}].label`,
      signal === undefined
        ? `${f.id} needs a label (how answers name it)`
        : `${f.id} takes its name from the active framework's ${signal} dimension (qualification.json signals.${signal}); remove the label`,
    );
  });
}

/**
 * stages.json: 3 to 9 stages (the schema), numbered in funnel order, each id once; criterion ids
 * unique across the file (a check's met/unmet lists name them without a stage); activity ids
 * unique per stage; entrance criteria built on the previous stage's exit criteria; a stage map
 * that maps stages no longer listed onto listed ones.
 */
function checkStages(raw: Raw): void {
  const stages = raw.stages.stages;
  const seenStage = new Map<string, number>();
  const seenCriterion = new Map<string, string>();
  stages.forEach((s, i) => {
    const at = `stages[${i}]`;
    check(!seenStage.has(s.id), "stages.json", `${at}.id`, `stage id ${s.id} is used twice`);
    seenStage.set(s.id, i);
    check(s.number === i + 1, "stages.json", `${at}.number`, `stages are numbered 1..${stages.length} in funnel order`);
    for (const [list, items] of [
      ["entrance_criteria", s.entrance_criteria],
      ["exit_criteria", s.exit_criteria],
    ] as const)
      items.forEach((c, j) => {
        const other = seenCriterion.get(c.id);
        check(
          !other,
          "stages.json",
          `${at}.${list}[${j}].id`,
          `criterion id ${c.id} is used twice (also ${other}); criterion ids must be unique across the stages`,
        );
        seenCriterion.set(c.id, `${s.id} ${list}`);
      });
    const prev = stages[i - 1];
    s.entrance_criteria.forEach((c, j) =>
      c.follows_from.forEach((id, k) =>
        check(
          prev !== undefined && prev.exit_criteria.some((x) => x.id === id),
          "stages.json",
          `${at}.entrance_criteria[${j}].follows_from[${k}]`,
          prev
            ? `${id} is not an exit criterion of ${prev.id} (the previous stage): ${prev.exit_criteria.map((x) => x.id).join(", ")}`
            : "the first stage has no previous stage to follow from",
        ),
      ),
    );
    const acts = s.activities.map((a) => a.id);
    check(new Set(acts).size === acts.length, "stages.json", `${at}.activities`, "activity ids must be unique");
    check(
      (s.cycle_share === null) === (s.role === "after_sale"),
      "stages.json",
      `${at}.cycle_share`,
      s.role === "after_sale"
        ? "a stage after the sale takes no share of the sales cycle: null"
        : "a selling stage needs its share of the sales cycle (0-1)",
    );
  });
  for (const [from, to] of Object.entries(raw.stages.stage_map)) {
    check(
      !seenStage.has(from),
      "stages.json",
      `stage_map.${from}`,
      `${from} is one of the stages; only stages no longer listed are mapped`,
    );
    check(
      seenStage.has(to),
      "stages.json",
      `stage_map.${from}`,
      `${to} is not a stage (the stages are ${stages.map((x) => x.id).join(", ")})`,
    );
  }
}

/** A stage id as the active stages know it: itself, or where stages.json's stage_map sends it. */
function resolveStage(raw: Pick<Raw, "stages">, id: string): string | undefined {
  if (raw.stages.stages.some((s) => s.id === id)) return id;
  return raw.stages.stage_map[id];
}

/** A stage reference in another file, resolved through the stage map, or an error naming it. */
function stageRef(raw: Raw, id: string, file: string, path: string): string {
  const to = resolveStage(raw, id);
  check(
    to !== undefined,
    file,
    path,
    `no stage ${id} (the stages are ${raw.stages.stages.map((s) => s.id).join(", ")}): map ${id} to one of them in stages.json's stage_map, or name one of them here`,
  );
  return to;
}

/**
 * The stage references of the other files, resolved once: a team that renames or merges stages
 * maps the old ids in stages.json, and the shipped files' references follow.
 */
function resolveStageRefs(raw: Raw): void {
  const p = raw.wastes.pipeline;
  p.early_stages = [
    ...new Set(p.early_stages.map((id, i) => stageRef(raw, id, "wastes.json", `pipeline.early_stages[${i}]`))),
  ];
  p.single_threaded_after = stageRef(raw, p.single_threaded_after, "wastes.json", "pipeline.single_threaded_after");
  raw.qualification.qualification_stage.stage = stageRef(
    raw,
    raw.qualification.qualification_stage.stage,
    FILE_Q,
    "qualification_stage.stage",
  );
  // "<stage>.<activity>" references name the stage they resolve to (whether the activity is
  // there is checked with the framework).
  const activityRef = (ref: string) => {
    const [stage = "", activity] = ref.split(".");
    const to = resolveStage(raw, stage);
    return to && to !== stage ? `${to}.${activity}` : ref;
  };
  const q = raw.qualification;
  q.actions.qualified = activityRef(q.actions.qualified);
  for (const f of q.frameworks)
    for (const d of f.dimensions) if (d.closing_activity) d.closing_activity = activityRef(d.closing_activity);
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
  for (const key of Object.keys(raw.segmentation.targets.segments))
    check(
      all.includes(key),
      "segmentation.json",
      `targets.segments.${key}`,
      `no segment ${key}; segments are tier_readiness, e.g. ${all.slice(0, 2).join(", ")}`,
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
 * qualification.json: the active framework exists; every framework has a unique id, unique
 * dimension and status ids, statuses ranked best to worst with an `unknown` that never qualifies,
 * rules and signals that name its own dimensions and statuses, and a score band for every verdict.
 * Stage activities are checked for the active framework only (a team's stages may not have the
 * ones another framework names).
 */
function checkFrameworks(raw: Raw): void {
  const q = raw.qualification;
  const ids = q.frameworks.map((f) => f.id);
  q.frameworks.forEach((f, i) =>
    check(ids.indexOf(f.id) === i, FILE_Q, `frameworks[${i}].id`, `framework id ${f.id} is used twice`),
  );
  check(
    ids.includes(q.active),
    FILE_Q,
    "active",
    `unknown framework "${q.active}"; the frameworks in this file are ${ids.join(", ")}`,
  );
  q.frameworks.forEach((f, i) => checkFramework(raw, f, `frameworks[${i}]`, f.id === q.active));
}

const FILE_Q = "qualification.json";
// Arguments qualify_prospect and score_lead take beside the dimensions (a dimension is an argument too).
const RESERVED_DIMENSION_IDS = [
  "deal_id",
  "stage",
  "request_id",
  "employees",
  "annual_revenue",
  "amount",
  "source",
  "actively_evaluating",
  "timeline_months",
  "tier",
  "segment",
];

function checkFramework(raw: Raw, f: QualificationFrameworkData, at: string, active: boolean): void {
  const dims = new Map<string, string[]>();
  f.dimensions.forEach((d, i) => {
    const here = `${at}.dimensions[${i}]`;
    check(!dims.has(d.id), FILE_Q, `${here}.id`, `dimension id ${d.id} is used twice in ${f.name}`);
    check(
      !RESERVED_DIMENSION_IDS.includes(d.id),
      FILE_Q,
      `${here}.id`,
      `${d.id} is an argument of the tools that take the dimensions; name the dimension otherwise`,
    );
    const statuses = d.statuses.map((s) => s.id);
    dims.set(d.id, statuses);
    d.statuses.forEach((s, j) => {
      check(statuses.indexOf(s.id) === j, FILE_Q, `${here}.statuses[${j}].id`, `status ${s.id} is listed twice`);
      if (j > 0)
        check(
          s.score < d.statuses[j - 1]!.score,
          FILE_Q,
          `${here}.statuses[${j}].score`,
          "scores must fall from best to worst status",
        );
    });
    check(
      d.statuses.some((s) => s.qualifying),
      FILE_Q,
      `${here}.statuses`,
      "at least one status must qualify",
    );
    const unknown = d.statuses.find((s) => s.id === "unknown");
    check(
      unknown !== undefined,
      FILE_Q,
      `${here}.statuses`,
      "must have an unknown status (a dimension nobody has asked about is unknown)",
    );
    check(!unknown.qualifying, FILE_Q, `${here}.statuses`, "unknown can never qualify");
    if (active && d.closing_activity)
      check(
        resolveStageActivity(raw, d.closing_activity) !== undefined,
        FILE_Q,
        `${here}.closing_activity`,
        missingActivity(raw, d.closing_activity),
      );
  });
  for (const list of ["disqualifiers", "nurture_triggers", "requalify"] as const)
    f[list].forEach((rule, i) =>
      Object.entries(rule.when).forEach(([dim, statuses]) => {
        const known = dims.get(dim);
        check(
          known !== undefined,
          FILE_Q,
          `${at}.${list}[${i}].when.${dim}`,
          `${f.name} has no dimension ${dim} (its dimensions are ${[...dims.keys()].join(", ")})`,
        );
        statuses.forEach((s, j) =>
          check(
            known.includes(s),
            FILE_Q,
            `${at}.${list}[${i}].when.${dim}[${j}]`,
            `unknown ${dim} status ${s} (its statuses are ${known.join(", ")})`,
          ),
        );
      }),
    );
  for (const signal of SignalId.options) checkSignal(f, dims, signal, `${at}.signals.${signal}`);
  check(
    f.score_bands.some((b) => b.min === 0 && b.verdicts.length === Verdict.options.length),
    FILE_Q,
    `${at}.score_bands`,
    `one band must start at 0 and admit every verdict (${Verdict.options.join(", ")})`,
  );
}

/** A framework's signal: a dimension of its own whose every status means one of the signal's values, or why it has none. */
function checkSignal(f: QualificationFrameworkData, dims: Map<string, string[]>, signal: SignalName, at: string): void {
  const s = f.signals[signal];
  const values: readonly string[] = SIGNAL_VALUES[signal];
  if (s.dimension === null) {
    check(s.why !== undefined, FILE_Q, `${at}.why`, `say why ${f.name} cannot tell the ${signal} (readiness shows it)`);
    return;
  }
  const statuses = dims.get(s.dimension);
  check(statuses !== undefined, FILE_Q, `${at}.dimension`, `${f.name} has no dimension ${s.dimension}`);
  for (const st of statuses) {
    const value = s.statuses ? s.statuses[st] : st;
    check(
      value !== undefined && values.includes(value),
      FILE_Q,
      s.statuses ? `${at}.statuses.${st}` : `${at}.statuses`,
      value === undefined
        ? `the ${s.dimension} status ${st} needs a ${signal} value (${values.join(", ")})`
        : `${value} is not a ${signal} value; map each ${s.dimension} status to one of ${values.join(", ")}`,
    );
  }
  for (const st of Object.keys(s.statuses ?? {}))
    check(statuses.includes(st), FILE_Q, `${at}.statuses.${st}`, `${s.dimension} has no status ${st}`);
}

/** qualification.json actions: a stage activity for a qualified prospect, a waste's remedy for a disqualified one. */
function checkQualificationActions(raw: Raw): void {
  const actions = raw.qualification.actions;
  check(
    resolveStageActivity(raw, actions.qualified) !== undefined,
    FILE_Q,
    "actions.qualified",
    missingActivity(raw, actions.qualified),
  );
  const [dqWaste, dqIndex] = actions.disqualified.split(".");
  check(
    raw.wastes.wastes.find((w) => w.id === dqWaste)?.elimination[Number(dqIndex)] !== undefined,
    FILE_Q,
    "actions.disqualified",
    `no elimination approach ${actions.disqualified}`,
  );
}

/** segmentation.json readiness rules: the budget statuses are values of the budget signal (qualification.json). */
function checkReadinessRules(raw: Raw): void {
  raw.segmentation.readiness_rules.ready.budget_statuses.forEach((s, i) =>
    check(
      (SIGNAL_VALUES.budget as readonly string[]).includes(s),
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

/** Why a "<stage>.<activity id>" reference does not resolve, with what would fix it. */
function missingActivity(raw: Pick<Raw, "stages">, ref: string): string {
  const [stage = "", activity] = ref.split(".");
  const to = resolveStage(raw, stage);
  if (to === undefined)
    return `no stage ${stage} for ${ref} (the stages are ${raw.stages.stages.map((s) => s.id).join(", ")}); name one of them, or map ${stage} in stages.json's stage_map`;
  const acts = raw.stages.stages.find((s) => s.id === to)!.activities.map((a) => a.id);
  return `no activity ${activity} in stage ${to}${to !== stage ? ` (where stage_map sends ${stage})` : ""}; its activities are ${acts.join(", ")}`;
}

function resolveStageActivity(raw: Pick<Raw, "stages">, ref: string): string | undefined {
  const [stage, activity] = ref.split(".");
  const id = resolveStage(raw, stage ?? "");
  return raw.stages.stages.find((s) => s.id === id)?.activities.find((a) => a.id === activity)?.text;
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
  const activeIndex = raw.qualification.frameworks.findIndex((f) => f.id === raw.qualification.active);
  const qualification: QualificationFramework = {
    ...raw.qualification.frameworks[activeIndex]!,
    path: `qualification.frameworks[${activeIndex}]`,
    qualification_stage: raw.qualification.qualification_stage,
    actions: raw.qualification.actions,
  };
  const qualificationDims = new Map(qualification.dimensions.map((d) => [d.id, d]));
  // A remedy may name the qualification framework as {framework} (the reference's "Apply strict
  // BANT qualification criteria"): it reads as the active one's name.
  const wastes = [...raw.wastes.wastes]
    .sort((a, b) => a.number - b.number)
    .map((w) => ({ ...w, elimination: w.elimination.map((t) => t.replaceAll("{framework}", qualification.name)) }));
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
    qualification,
    frameworks: raw.qualification.frameworks,
    scoring: raw.scoring,
    forecast: raw.forecast,
    assessmentsRaw: raw.assessments,
    stage: (id) => stages[stageIdx.get(id)!]!,
    stageIndex: (id) => stageIdx.get(id)!,
    wonStageIndex: stageReachedByWin(stages),
    resolveStage: (id) => resolveStage(raw, id),
    stageMap: raw.stages.stage_map,
    presetsDir: own.has(PRESETS_FILE) ? opts.team! : dataDir,
    presetsFromTeam: own.has(PRESETS_FILE),
    waste: (id) => wastes.find((w) => w.id === id)!,
    segment: (tier, readiness) => segments.get(`${tier}_${readiness}`)!,
    qualificationDimension: (id) => qualificationDims.get(id)!,
    currency: raw.segmentation.tier_thresholds.currency,
    stageActivity: (ref) => resolveStageActivity(raw, ref)!,
    provenance: (path) => provenances.at(path),
    sourceName: (path) => sourceName(provenances.at(path)),
    provenances,
  };
}
