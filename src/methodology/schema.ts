// The shape of the methodology as data (data/*.json). Every file is validated against
// these schemas once at start-up; a broken file stops the server with the file name and
// the path inside it (see load.ts). Nothing here holds methodology content itself.
import { z } from "zod";

const ID = "[a-z][a-z0-9_]*";
const ID_PATTERN = new RegExp(`^${ID}$`);
const Id = z.string().regex(ID_PATTERN, "ids are snake_case");
/** "<stage id>.<activity id>": a stage activity named from another file (qualification.json). */
const ActivityRef = z
  .string()
  .regex(
    new RegExp(`^${ID}\\.${ID}$`),
    "activity references are <stage id>.<activity id>, e.g. discovery.understand_budget",
  );
// A signal phrase: lower-case words, matched by their stems in order (see methodology/words.ts).
// "#" stands for any number ("took # days").
const Phrase = z.string().regex(/^[a-z0-9'#][a-z0-9'# :-]*$/, "signal phrases are lower-case words");
const Text = z.string().min(1);
const TextList = z.array(Text).min(1);
const Range = z
  .object({ min: z.number().nonnegative(), max: z.number().nonnegative() })
  .refine((r) => r.min <= r.max, "min must not exceed max");

// ---------------------------------------------------------------- principles.json
// Activity types kept in the deal store. Customer-facing or internal
// is decided in data/wastes.json, not here.
export const ActivityType = z.enum(["email", "call", "meeting", "demo", "proposal", "note", "internal", "approval"]);
export type ActivityTypeId = z.infer<typeof ActivityType>;

export const PrinciplesFile = z.object({
  principles: z
    .array(
      z.object({
        id: Id,
        number: z.number().int().positive(),
        name: Text,
        definition: Text,
        key_aspects: TextList,
        application: TextList,
      }),
    )
    .length(5),
});

// ---------------------------------------------------------------- framework.json
export const FrameworkFile = z.object({
  areas: z
    .array(
      z.object({
        id: Id,
        number: z.number().int().positive(),
        name: Text,
        purpose: Text,
        components: z.array(z.object({ name: Text, description: Text })).min(1),
        activities: TextList,
      }),
    )
    .length(4),
});

// ---------------------------------------------------------------- segmentation.json
export const TierId = z.enum(["enterprise", "mid_market", "smb"]);
// `unknown`: no buying signal supports a level yet (never reported as not_ready).
export const ReadinessId = z.enum(["ready", "exploring", "not_ready", "unknown"]);
const TierSignal = z.enum(["employees", "annual_revenue", "expected_deal_size"]);

const TierCuts = z
  .object({ mid_market: z.number().positive(), enterprise: z.number().positive() })
  .refine((c) => c.mid_market < c.enterprise, "mid_market cut must be below enterprise cut");
const PerTier = z.object({
  enterprise: z.number().positive(),
  mid_market: z.number().positive(),
  smb: z.number().positive(),
});

const SegmentRow = z.object({
  tier: TierId,
  readiness: ReadinessId,
  label: Text,
  sales_approach: Text,
  engagement_level: Text,
  cycle_time_months: Range,
  cycle_note: Text.optional(),
});
const DerivedRow = SegmentRow.extend({ derivation: Text });

export const SegmentationFile = z.object({
  tiers: z
    .array(
      z.object({
        id: TierId,
        name: Text,
        rank: z.number().int().positive(),
        description: Text,
        characteristics: TextList,
      }),
    )
    .length(3),
  readiness_levels: z
    .array(
      z.object({
        id: ReadinessId,
        name: Text,
        rank: z.number().int().nonnegative(),
        description: Text,
        characteristics: TextList,
      }),
    )
    .length(4),
  // A signal at or above a cut puts the prospect in that tier (cuts are lower bounds). Company
  // size signals decide when known; the fallback signals only when none of them is.
  tier_thresholds: z.object({
    company_size_signals: z.array(TierSignal).min(1),
    fallback_signals: z.array(TierSignal),
    employees: TierCuts,
    annual_revenue: TierCuts,
    expected_deal_size: TierCuts,
    currency: z.string().length(3),
  }),
  readiness_rules: z.object({
    ready: z.object({
      requires_actively_evaluating: z.boolean(),
      budget_statuses: z.array(Id).min(1),
      max_timeline_months: PerTier,
    }),
    exploring: z.object({
      need_awareness: z.array(z.enum(["high", "medium", "low"])).min(1),
      actively_evaluating_counts_as_aware: z.boolean(),
      max_timeline_months: PerTier,
    }),
    not_ready: z.object({
      need_awareness: z.array(z.enum(["high", "medium", "low"])),
      timeline_statuses: z.array(Id),
    }),
  }),
  matrix: z.array(SegmentRow).length(6),
  // Guidance for the three tier x readiness combinations the reference's matrix does not list.
  derived: z.object({ rows: z.array(DerivedRow).length(3) }),
  // Guidance per tier while readiness is unknown.
  unknown_readiness: z.object({ rows: z.array(DerivedRow).length(3) }),
  application: TextList,
  // Phase 1 "Document target metrics for each segment": a team's win rate and average won deal
  // size per segment (tier_readiness, e.g. enterprise_ready; amounts in tier_thresholds.currency).
  // Cycle-time targets are the rows' cycle_time_months. None shipped: the reference sets none.
  targets: z
    .object({
      segments: z.record(
        Id,
        z
          .object({
            win_rate: z.number().gt(0).max(1).optional(),
            avg_deal_size: z.number().positive().optional(),
          })
          .strict(),
      ),
    })
    .default({ segments: {} }),
});

// ---------------------------------------------------------------- stages.json
/**
 * A stage id. Stages are the team's (3 to 9, data/stages.json or a methodology folder): tool
 * schemas list the active ones (stageIdSchema), so there is no fixed enum here.
 */
export const StageId = Id;

export const StageRole = z.enum(["before_sale", "closing", "after_sale"]);
export type StageRoleId = z.infer<typeof StageRole>;

/**
 * A stage criterion's id: the data's and the one check_stage_exit takes in met, unmet and
 * evidence (one shape, so every criterion a methodology loads can be named). Checked with
 * refinements, not a pattern, so the tool's input schema stays a plain string.
 */
export const CRITERION_ID_MAX = 60;
export const CriterionId = z
  .string()
  .refine((v) => ID_PATTERN.test(v), "criterion ids are snake_case, e.g. stakeholders_identified")
  .refine((v) => v.length <= CRITERION_ID_MAX, `criterion ids are at most ${CRITERION_ID_MAX} characters`);

const Criterion = z.object({
  id: CriterionId,
  text: Text,
  optional: z.boolean().default(false),
  question: Text,
});

export const StagesFile = z.object({
  stages: z
    .array(
      z.object({
        id: StageId,
        number: z.number().int().positive(),
        name: Text,
        // What the stage means to the analyses: conversion and the forecast count the sale as
        // made when a deal leaves the closing stage; after_sale stages come after the win.
        role: StageRole,
        objective: Text,
        activities: z.array(z.object({ id: Id, text: Text })).min(1),
        // What must hold for a deal to enter the stage (checked with the previous stage's exit,
        // at the same gate). `follows_from` names exit criteria of the previous stage that
        // establish it: met when they all are, unless the check says otherwise.
        entrance_criteria: z.array(Criterion.extend({ follows_from: z.array(CriterionId).default([]) })).default([]),
        exit_criteria: z.array(Criterion).min(1),
        success_metric: Text,
        // Share of the segment's cycle time this stage may take before a deal is late in it
        // (used only until enough history exists). Null for stages after the sale.
        cycle_share: z.number().positive().max(1).nullable(),
      }),
    )
    .min(3, "a pipeline has 3 to 9 stages (the reference suggests 5-7)")
    .max(9, "a pipeline has 3 to 9 stages (the reference suggests 5-7)")
    .refine((stages) => {
      const order = { before_sale: 0, closing: 1, after_sale: 2 } as const;
      const ranks = stages.map((st) => order[st.role]);
      return ranks.includes(0) && ranks.includes(1) && ranks.every((r, i) => i === 0 || r >= ranks[i - 1]!);
    }, "stage roles must run before_sale (at least one), then closing (at least one), then after_sale"),
  // Stages a store may still hold that this methodology no longer has, and the stage each now
  // counts as: applied once to stored deals and their history at start-up, and to stage
  // references in the other files (e.g. wastes.json early_stages).
  stage_map: z.record(Id, Id).default({}),
});

// ---------------------------------------------------------------- forecast.json
// How the forecast weighs, categorises and checks itself (see src/methodology/forecast.ts).
export const ForecastFile = z
  .object({
    commit_probability: z.number().gt(0).max(1),
    best_case_probability: z.number().gt(0).max(1),
    interval: z
      .tuple([z.number().gt(0).lt(1), z.number().gt(0).lt(1)])
      .refine(([a, b]) => a < b, "interval: low < high"),
    simulations: z.number().int().min(100).max(100_000),
    seed: z.number().int(),
    min_history: z.number().int().positive(),
    backtest_periods: z.number().int().min(1).max(40),
    age_bands_days: z.array(z.number().nonnegative()).min(1),
    min_won_for_imputation: z.number().int().positive(),
    run_rate_lookback_days: z.number().int().positive(),
  })
  .refine(
    (f) => f.best_case_probability <= f.commit_probability,
    "best_case_probability must not exceed commit_probability",
  );

// ---------------------------------------------------------------- wastes.json
export const WasteId = z.enum([
  "over_processing",
  "defects",
  "waiting",
  "motion",
  "qualification_defects",
  "overproduction",
  "unutilized_talent",
]);

export const WastesFile = z.object({
  wastes: z
    .array(
      z.object({
        id: WasteId,
        number: z.number().int().positive(),
        name: Text,
        short_name: Text,
        definition: Text,
        examples: TextList,
        elimination: TextList,
        // Words and phrases that identify this waste in a described activity, grouped by the
        // elimination approach (index into `elimination`) that fits the activities they describe.
        // `weight` scales how strongly a group's phrases point at the waste (default 1 per word).
        signals: z
          .array(
            z.object({
              remedy: z.number().int().nonnegative(),
              weight: z.number().positive().optional(),
              phrases: z.array(Phrase).min(1),
            }),
          )
          .min(1),
      }),
    )
    .length(7),
  // Kinds an agent may give for a described activity, and the waste each one is.
  activity_kinds: z.object({
    kinds: z.array(z.object({ id: Id, waste: WasteId.nullable(), description: Text })).min(1),
  }),
  // Words that mark an activity as customer-facing value work rather than waste.
  // A value phrase right after a negation ("never", "refused to", "nobody") does not count: the work did not happen.
  value_signals: z.object({
    groups: z.array(z.object({ weight: z.number().positive().optional(), phrases: z.array(Phrase).min(1) })).min(1),
    negations: z.array(Phrase).min(1),
  }),
  severity_hours_per_week: z.object({ high: z.number().positive(), medium: z.number().positive() }),
  // Naive Bayes over word stems learned from waste-examples.json, plus the signal phrases.
  classifier: z.object({
    smoothing: z.number().positive(),
    signal_weight: z.number().nonnegative(),
    explain_words: z.number().int().positive(),
  }),
  pipeline: z.object({
    // Which waste each stored-pipeline rule finds, and the elimination approach (index) that fixes it.
    rules: z.record(z.string(), z.object({ waste: WasteId, remedy: z.number().int().nonnegative() })),
    stall_warn_multiplier: z.number().positive(),
    stall_flag_multiplier: z.number().positive(),
    min_stage_exits_for_history: z.number().int().positive(),
    silence_days: z.object({
      enterprise: z.number().positive(),
      mid_market: z.number().positive(),
      smb: z.number().positive(),
    }),
    early_stages: z.array(StageId).min(1),
    inflation_unqualified_share: z.number().positive().max(1),
    inflation_min_early_deals: z.number().int().positive(),
    max_owner_handoffs: z.number().int().nonnegative(),
    max_meetings_without_stage_move: z.number().int().positive(),
    internal_to_customer_ratio: z.number().positive(),
    min_internal_activities: z.number().int().positive(),
    max_proposals_per_stage: z.number().int().positive(),
    single_threaded_after: StageId,
    defect_reason_signals: z.array(z.string()).min(1),
    correction_signals: z.array(z.string()).min(1),
    customer_facing_activity_types: z.array(ActivityType).min(1),
    internal_activity_types: z.array(ActivityType).min(1),
  }),
  // When win-loss analysis reports a loss pattern, and how many reasons it lists.
  win_loss: z.object({
    late_loss_share: z.number().positive().max(1),
    slow_loss_ratio: z.number().positive(),
    top_reasons: z.number().int().positive(),
  }),
});

// ---------------------------------------------------------------- waste-examples.json
// Labelled activities the described-work classifier learns from; `set` names who wrote them
// (0: the reference's examples in our words; 1-5: writers who never saw the classifier).
export const WasteExamplesFile = z.object({
  examples: z.array(z.object({ text: Text, waste: WasteId.nullable(), set: z.number().int().nonnegative() })).min(50),
});

// ---------------------------------------------------------------- proactive-reactive.json
const SalesMode = z.object({
  name: Text,
  characteristics: TextList,
  activities: TextList,
  outcomes: TextList,
  timeline_impact: Text,
});
export const ProactiveReactiveFile = z.object({
  proactive: SalesMode,
  reactive: SalesMode,
  comparison: z.array(z.object({ factor: Text, proactive: Text, reactive: Text })).min(1),
  typical_win_rate_percent: z.object({ proactive: Range, reactive: Range }),
});

// ---------------------------------------------------------------- implementation.json
export const ImplementationFile = z.object({
  phases: z
    .array(
      z.object({
        id: Id,
        number: z.number().int().positive(),
        name: Text,
        weeks: z.object({ from: z.number().int().positive(), to: z.number().int().positive().nullable() }),
        objectives: TextList,
        key_activities: z.array(z.object({ name: Text, items: TextList })).min(1),
        deliverables: TextList.optional(),
        ongoing_activities: TextList.optional(),
      }),
    )
    .length(3),
  success_indicators: z
    .array(
      z.object({
        id: Id,
        text: Text,
        metric: Id.nullable(),
        direction: z.enum(["decrease", "increase"]).nullable(),
        target_percent: Range.nullable(),
        within_months: z.number().int().positive().nullable(),
      }),
    )
    .min(1),
  judgement: z.object({
    min_decided_deals: z.number().int().positive(),
    min_activities: z.number().int().positive(),
    note: Text,
  }),
});

// ---------------------------------------------------------------- questions.json
export const FocusId = z.enum([
  "value",
  "waste",
  "quality",
  "qualification",
  "efficiency",
  "process",
  "metrics",
  "improvement",
]);
export const QuestionsFile = z.object({
  core_questions: z
    .array(
      z.object({
        id: FocusId,
        topic: Text,
        question: Text,
        follow_ups: TextList,
        principle: Id,
      }),
    )
    .length(8),
});

// ---------------------------------------------------------------- qualification.json
// The four buying signals the rest of the methodology reads (segment readiness, the waste rules,
// lead scoring, the deal store's columns), in BANT's words: every framework says which of its
// dimensions (and statuses) speak to each, or that it cannot say.
export const SignalId = z.enum(["budget", "authority", "need", "timeline"]);
// Public identifiers (docs/interface.md): the values of each signal, best first.
export const BudgetStatus = z.enum(["approved", "identified", "unknown", "none"]);
export const AuthorityStatus = z.enum(["decision_maker", "access_to_decision_maker", "influencer_only", "unknown"]);
export const NeedStatus = z.enum(["critical", "confirmed", "latent", "unknown", "none"]);
export const TimelineStatus = z.enum(["defined", "tentative", "unknown", "none"]);
export const SIGNAL_VALUES = {
  budget: BudgetStatus.options,
  authority: AuthorityStatus.options,
  need: NeedStatus.options,
  timeline: TimelineStatus.options,
} as const;
const Condition = z.object({
  id: Id,
  // Every listed dimension must be at one of its listed statuses.
  when: z.record(Id, z.array(Id).min(1)),
  reason: Text,
});
// Which dimension speaks to a signal, and the signal value each of its statuses means (omitted:
// the status ids are the signal's own values); or, with dimension null, why the framework cannot say.
const Signal = z.object({
  dimension: Id.nullable(),
  statuses: z.record(Id, Id).optional(),
  why: Text.optional(),
});
export const Verdict = z.enum(["qualified", "needs_discovery", "nurture", "disqualified"]);
const QualificationFramework = z.object({
  id: Id,
  name: Text,
  description: Text,
  dimensions: z
    .array(
      z.object({
        id: Id,
        name: Text,
        weight: z.number().positive(),
        description: Text,
        // Best first. Scores must fall along the list, so improving a status never lowers the score.
        statuses: z
          .array(
            z.object({
              id: Id,
              score: z.number().min(0).max(100),
              qualifying: z.boolean(),
              finding: Text,
            }),
          )
          .min(3),
        questions: TextList,
        // "<stage>.<activity id>": the stage activity that closes a gap in this dimension (checked
        // for the active framework only: a team's stages may not have it).
        closing_activity: ActivityRef.optional(),
      }),
    )
    .min(2)
    .max(10),
  signals: z.object({ budget: Signal, authority: Signal, need: Signal, timeline: Signal }),
  disqualifiers: z.array(Condition),
  // Not a deal to work now, not a lost cause either: park it in nurture.
  nurture_triggers: z.array(Condition),
  // Gaps that need a specific way back, with how.
  requalify: z.array(Condition.extend({ how: Text })),
  // A band is given only to the verdicts it lists, so the band never contradicts the verdict.
  score_bands: z
    .array(z.object({ min: z.number().min(0).max(100), label: Text, verdicts: z.array(Verdict).min(1) }))
    .min(1),
});
export const QualificationFile = z.object({
  // The framework qualify_prospect, score_lead, the prompts and the report use (an id of `frameworks`).
  active: Id,
  // The stage a deal should leave qualified; a gap found later is a Defect in Qualification.
  qualification_stage: z.object({ stage: StageId, note: Text }),
  actions: z.object({
    qualified: ActivityRef,
    disqualified: z.string().regex(/^[a-z_]+\.[0-9]+$/),
  }),
  frameworks: z.array(QualificationFramework).min(1),
});

// ---------------------------------------------------------------- scoring.json
export const ScoringFeatureId = z.enum([
  "segment",
  "tier",
  "readiness",
  "source",
  "bant_budget",
  "bant_authority",
  "bant_need",
  "bant_timeline",
  "amount_bucket",
  "reached_stage",
]);
export const ScoringFile = z.object({
  description: Text,
  min_closed_per_class: z.number().int().positive(),
  smoothing_alpha: z.number().positive(),
  holdout_every: z.number().int().min(2),
  amount_buckets: z
    .array(z.number().positive())
    .min(1)
    .refine((a) => a.every((v, i) => i === 0 || v > a[i - 1]!), "bucket edges must increase"),
  // A signal's feature (bant_budget...) has no label here: it is named after the active
  // framework's dimension for that signal (featureLabel in scoring.ts).
  features: z.array(z.object({ id: ScoringFeatureId, label: Text.optional() })).min(1),
  top_factors: z.number().int().positive(),
});

export type PrinciplesData = z.infer<typeof PrinciplesFile>;
export type FrameworkData = z.infer<typeof FrameworkFile>;
export type SegmentationData = z.infer<typeof SegmentationFile>;
export type StagesData = z.infer<typeof StagesFile>;
export type WastesData = z.infer<typeof WastesFile>;
export type WasteExamplesData = z.infer<typeof WasteExamplesFile>;
export type ProactiveReactiveData = z.infer<typeof ProactiveReactiveFile>;
export type ImplementationData = z.infer<typeof ImplementationFile>;
export type QuestionsData = z.infer<typeof QuestionsFile>;
export type QualificationData = z.infer<typeof QualificationFile>;
export type QualificationFrameworkData = QualificationData["frameworks"][number];
export type ScoringData = z.infer<typeof ScoringFile>;
export type ForecastData = z.infer<typeof ForecastFile>;
export type ScoringFeature = z.infer<typeof ScoringFeatureId>;

/** The qualification signal a feature holds (bant_budget: budget), if it is one. */
export function signalOfFeature(f: string): z.infer<typeof SignalId> | undefined {
  return SignalId.options.find((s) => f === `bant_${s}`);
}

export type Tier = z.infer<typeof TierId>;
export type Readiness = z.infer<typeof ReadinessId>;
export type Stage = string;
export type Waste = z.infer<typeof WasteId>;
export type Focus = z.infer<typeof FocusId>;
export type SignalName = z.infer<typeof SignalId>;

/** The files under data/ and the schema each must satisfy. */
export const DATA_FILES = {
  principles: { file: "principles.json", schema: PrinciplesFile },
  framework: { file: "framework.json", schema: FrameworkFile },
  segmentation: { file: "segmentation.json", schema: SegmentationFile },
  stages: { file: "stages.json", schema: StagesFile },
  wastes: { file: "wastes.json", schema: WastesFile },
  wasteExamples: { file: "waste-examples.json", schema: WasteExamplesFile },
  proactiveReactive: { file: "proactive-reactive.json", schema: ProactiveReactiveFile },
  implementation: { file: "implementation.json", schema: ImplementationFile },
  questions: { file: "questions.json", schema: QuestionsFile },
  qualification: { file: "qualification.json", schema: QualificationFile },
  scoring: { file: "scoring.json", schema: ScoringFile },
  forecast: { file: "forecast.json", schema: ForecastFile },
  // Its schema and cross-file checks live with its rules (assessment.ts: assessmentRules(m)),
  // which the CLI runs at start-up.
  assessments: { file: "assessments.json", schema: z.unknown() },
} as const;

/**
 * A deal's status: open in a stage, parked in nurture (out of the active pipeline until its
 * revisit date), or closed as won, lost or disqualified (disqualified deals are not losses).
 */
export const DEAL_STATUSES = ["open", "nurture", "won", "lost", "disqualified"] as const;
export type DealStatus = (typeof DEAL_STATUSES)[number];
/** The statuses that end a deal. */
export const CLOSED_STATUSES = ["won", "lost", "disqualified"] as const;
export type ClosedStatus = (typeof CLOSED_STATUSES)[number];
export const isClosedStatus = (s: string): s is ClosedStatus => (CLOSED_STATUSES as readonly string[]).includes(s);
/** The statuses a deal can be set to without closing it. */
export const ACTIVE_STATUSES = ["open", "nurture"] as const;
