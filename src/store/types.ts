// The deal store's interface. The SQLite driver (sqlite.ts) is one implementation; another
// driver (node:sqlite on newer Node, say) can be dropped in and run the same store tests.
// No methodology rule lives here or in SQL: callers pass ids, dates and numbers.
import type { ClosedFacts, DealFacts, NurtureDue } from "../methodology/pipeline-waste.js";
import type { DistInput, MetricsInput } from "../methodology/metrics.js";
import type { WinLossInput } from "../methodology/winloss.js";
import type { DealHistory } from "../methodology/forecast.js";
import type { DealEvidence } from "../methodology/assessment.js";
import { InputError } from "../methodology/errors.js";

export type { NurtureDue };

/** A store-level refusal the agent can act on (unknown deal, newer schema...). */
export class StoreError extends InputError {}

import type { ClosedStatus, DealStatus } from "../methodology/schema.js";
export { CLOSED_STATUSES, DEAL_STATUSES, type ClosedStatus, type DealStatus } from "../methodology/schema.js";
export type Gate = "created" | "passed" | "override" | "imported";

/**
 * A deal's latest qualification as the deal row keeps it: the budget, authority, need and timeline
 * signals (BANT's values; "unknown" where the framework cannot say), score and verdict, and the
 * framework it was made under (absent: BANT, as every qualification before frameworks was).
 */
export interface BantSnapshot {
  budget: string;
  authority: string;
  need: string;
  timeline: string;
  score: number;
  verdict: string;
  framework?: string;
}

/** A qualification as recorded: the signals, plus its framework and its statuses by that framework's dimension ids. */
export interface QualificationSnapshot extends BantSnapshot {
  framework: string;
  statuses: Record<string, string>;
}

export interface Deal {
  id: string;
  name: string;
  account: string;
  owner: string;
  amount: number | null;
  currency: string;
  stage: string;
  stage_index: number;
  status: DealStatus;
  tier: string | null;
  readiness: string | null;
  segment: string | null;
  source: string | null;
  industry: string | null;
  employees: number | null;
  annual_revenue: number | null;
  need_awareness: string | null;
  actively_evaluating: boolean | null;
  timeline_months: number | null;
  external_source: string | null;
  external_id: string | null;
  created_at: string;
  stage_entered_at: string;
  expected_close_date: string | null;
  closed_at: string | null;
  close_reason: string | null;
  last_activity_at: string | null;
  /** A parked (nurture) deal's date to look at it again; null otherwise. */
  revisit_on: string | null;
  updated_at: string;
  owner_changes: number;
  bant: (BantSnapshot & { framework: string }) | null;
}

export interface Stakeholder {
  name: string;
  role: string | null;
  decision_maker: boolean;
}

export interface StageRemap {
  at: string;
  from_stage: string;
  to_stage: string;
}

/** What moving a store onto new stages changed. */
export interface StageLayoutMove {
  /** Deals whose current or past stage changed id. */
  deals: number;
  /** Rows rewritten (deals, history, activities and checks; positions included). */
  rows: number;
  /** History rows folded into the stay before them (two stages merged into one). */
  folded: number;
}

export interface StageHistoryRow {
  stage: string;
  from_stage: string | null;
  entered_at: string;
  exited_at: string | null;
  days: number | null;
  gate: Gate;
  override_reason: string | null;
}

export interface Activity {
  id: number;
  deal_id: string;
  type: string;
  occurred_at: string;
  summary: string;
  duration_minutes: number | null;
  stage: string;
}

export interface QualificationRecord extends QualificationSnapshot {
  recorded_at: string;
  detail: Record<string, unknown>;
}

export interface StageCheckRecord {
  id: number;
  stage: string;
  recorded_at: string;
  criteria: Record<string, boolean | null>;
  evidence: Record<string, string>;
  can_advance: boolean;
}

export interface DealEvent {
  at: string;
  kind: string;
  detail: Record<string, unknown>;
}

/** Fields a caller may set when creating a deal (already validated and normalised). */
export interface NewDeal {
  name: string;
  account: string;
  owner: string;
  amount?: number | null;
  currency: string;
  stage: string;
  stage_index: number;
  status?: DealStatus;
  tier?: string | null;
  readiness?: string | null;
  segment?: string | null;
  source?: string | null;
  industry?: string | null;
  employees?: number | null;
  annual_revenue?: number | null;
  need_awareness?: string | null;
  actively_evaluating?: boolean | null;
  timeline_months?: number | null;
  external_source?: string | null;
  external_id?: string | null;
  created_at: string;
  stage_entered_at: string;
  expected_close_date?: string | null;
  closed_at?: string | null;
  close_reason?: string | null;
  last_activity_at?: string | null;
  stakeholders?: Stakeholder[];
  /** The furthest stage index reached, when beyond the current one (a win reaches the stage after the sale). */
  reached_stage_index?: number;
}

export type DealPatch = Partial<
  Pick<
    NewDeal,
    | "name"
    | "account"
    | "owner"
    | "amount"
    | "currency"
    | "tier"
    | "readiness"
    | "segment"
    | "source"
    | "industry"
    | "employees"
    | "annual_revenue"
    | "need_awareness"
    | "actively_evaluating"
    | "timeline_months"
    | "expected_close_date"
    | "close_reason"
  >
>;

export interface DealFilters {
  owner?: string;
  segment?: string;
  stage?: string;
  status?: DealStatus;
  /** Inclusive bounds on `date_field` ("activity": an activity logged or a stage entered in the bounds). */
  from?: string;
  to?: string;
  date_field?: "created_at" | "closed_at" | "activity";
  q?: string;
}

/** One open deal for the pipeline analysis, and closed deals grouped: the shapes the pure rule reads. */
export type OpenDealFactsRow = DealFacts;
export type ClosedFactsRow = ClosedFacts;

/** One row of a bulk import: the deal as it should be afterwards, and the stored deal it replaces. */
export interface ImportDealRow {
  target: NewDeal & { external_source: string; external_id: string };
  /** The deal stored under the same external_source and external_id (findByExternalIds). */
  existing?: Deal;
}
export type ImportAction = "created" | "updated" | "unchanged";

/** A deal with its whole past, for bulk loading (demo data). The store writes it as given. */
export interface BulkDeal {
  deal: NewDeal & { owner_changes?: number; bant?: BantSnapshot | null };
  /** Stage history in time order; a row without exited_at is the current stage. */
  history: Array<{
    stage: string;
    stage_index: number;
    from_stage: string | null;
    entered_at: string;
    exited_at: string | null;
    exit: "advanced" | "closed" | null;
    gate: Gate;
  }>;
  activities: Array<{
    type: string;
    occurred_at: string;
    summary: string;
    duration_minutes: number | null;
    stage: string;
  }>;
  stakeholders: Stakeholder[];
  qualifications: Array<
    BantSnapshot & { recorded_at: string; detail: Record<string, unknown>; statuses?: Record<string, string> }
  >;
}

export interface StoredRequest {
  request_id: string;
  tool: string;
  args_hash: string;
  reply: unknown;
}

export interface DealStore {
  /** Runs fn in one BEGIN IMMEDIATE transaction (fn must be synchronous). */
  transaction<T>(fn: () => T): T;
  findRequest(requestId: string): StoredRequest | undefined;
  saveRequest(r: StoredRequest): void;

  createDeal(d: NewDeal, now: string): Deal;
  updateDeal(id: string, patch: DealPatch, now: string): Deal;
  getDeal(id: string): Deal | undefined;
  /** The deal, or a StoreError that tells the agent how to find ids. */
  requireDeal(id: string): Deal;
  listDeals(filters: DealFilters, limit: number, afterId?: number): { deals: Deal[]; total: number };
  ownersLike(prefix: string, limit: number): string[];
  /** Deals whose id starts with, or whose name or account contains, the text (any case), newest first. */
  dealsLike(text: string, limit: number): Array<{ id: string; name: string; account: string }>;
  findByExternalId(source: string, externalId: string): Deal | undefined;
  /** The stored deals among these external ids of one source, by external id. */
  findByExternalIds(source: string, externalIds: readonly string[]): Map<string, Deal>;
  /**
   * Creates or updates imported deals with their stage history and events (call inside one
   * transaction). dryRun only decides each row's action. Returns one outcome per row.
   */
  importDeals(
    rows: readonly ImportDealRow[],
    now: string,
    opts?: { dryRun?: boolean },
  ): Array<{ id: string | null; action: ImportAction }>;
  /**
   * Inserts whole deals (history, activities, stakeholders, qualifications) as given, with
   * consecutive ids. Outside a transaction it runs as one transaction tuned for bulk loading.
   */
  insertDeals(deals: Iterable<BulkDeal>, now: string): { first: string | null; last: string | null; count: number };

  stakeholders(id: string): Stakeholder[];
  /** Adds or updates stakeholders by name. */
  upsertStakeholders(id: string, list: Stakeholder[]): void;
  stageHistory(id: string): StageHistoryRow[];
  /** Where the deal's stages were moved by a change of the methodology's stages (oldest first). */
  stageRemaps(id: string): StageRemap[];

  /** The stage ids the stored positions refer to, in funnel order. */
  stageLayout(): string[];
  /** Every stage id the store refers to (deals, their furthest stage, history, activities, checks), with its deal count. */
  stageUsage(): Array<{ stage: string; deals: number }>;
  /**
   * Moves the store onto a new stage layout (call inside transaction()): `map` gives, for every
   * stored stage id, the stage id it becomes (itself when kept); positions are recomputed
   * against `stages`; each deal whose current or past stage moved gets a stage_remaps row.
   * Consecutive history rows that end up in one stage (two stages merged) become one stay.
   */
  applyStageLayout(stages: readonly string[], map: Readonly<Record<string, string>>, at: string): StageLayoutMove;
  /**
   * The stages this process serves, once the store follows them: from then on every write
   * transaction (and every assertStages call) refuses, changing nothing, when another process
   * has moved the store onto other stages.
   */
  followStages(stages: readonly string[]): void;
  /** Throws a StoreError when another process moved the store off the stages followStages named. */
  assertStages(): void;
  activities(id: string, limit: number): { activities: Activity[]; total: number };
  events(id: string, limit: number): DealEvent[];

  logActivity(
    id: string,
    a: { type: string; occurred_at: string; summary: string; duration_minutes?: number | null },
    now: string,
  ): Activity;
  moveStage(
    id: string,
    to: {
      stage: string;
      stage_index: number;
      at: string;
      gate: Gate;
      override_reason?: string | null;
      check_id?: number | null;
    },
    now: string,
  ): Deal;
  /** reached_stage_index raises the furthest stage the deal reached (a win reaches the stage after the sale). */
  closeDeal(
    id: string,
    c: { status: ClosedStatus; reason: string | null; closed_at: string; reached_stage_index?: number },
    now: string,
  ): Deal;
  /**
   * Erases a deal and everything recorded on it (history, activities, stakeholders,
   * qualifications, checks, events, and stored replies that mention it), overwriting the freed
   * pages so no copy survives in the file or in later backups. Returns what was removed.
   */
  deleteDeal(id: string): Record<string, number>;
  /** Parks a deal in nurture until revisitOn (its stage row ends; it leaves the active pipeline). */
  parkDeal(id: string, revisitOn: string, now: string): Deal;
  /** Back to open (from closed or nurture): a new stage row starts now. */
  reopenDeal(id: string, now: string): Deal;
  /** Parked deals whose revisit date has come by asOf (a day), oldest first. */
  nurtureDue(filters: DealFilters, asOf: string, limit: number): NurtureDue;

  /** Without framework and statuses it is a BANT qualification, whose statuses are its signals. */
  recordQualification(
    id: string,
    q: BantSnapshot & Partial<QualificationSnapshot> & { detail: Record<string, unknown> },
    now: string,
  ): void;
  latestQualification(id: string): QualificationRecord | undefined;
  recordStageCheck(id: string, c: Omit<StageCheckRecord, "id" | "recorded_at">, now: string): StageCheckRecord;
  latestStageCheck(id: string, stage: string): StageCheckRecord | undefined;
  recordEvent(id: string, kind: string, detail: Record<string, unknown>, now: string): void;

  /**
   * One row per open deal matching the filters and created by as_of, streamed (bounded memory).
   * The same object may be refilled for each row: read it before taking the next, never keep it.
   * pointInTime (an as_of in the past): each deal as it stood then, rebuilt from the stage
   * history, the activities and the qualifications recorded by then (slower).
   */
  openDealFacts(
    filters: DealFilters,
    asOf: string,
    sums: { internal: readonly string[]; customer: readonly string[] },
    pointInTime?: boolean,
  ): Iterable<OpenDealFactsRow>;
  /** One deal's facts as the pipeline rules read them (whatever its status). */
  dealFacts(id: string, sums: { internal: readonly string[]; customer: readonly string[] }): OpenDealFactsRow;
  /** Closed deals created by as_of, grouped by stage and reason, with up to sampleIds ids of those without a reason. */
  closedFacts(filters: DealFilters, asOf: string, sampleIds: number, pointInTime?: boolean): ClosedFactsRow;
  /** Lost deals created by as_of whose trimmed, lower-case close reason is one of `reasons`. */
  lostDealsWithReasons(
    filters: DealFilters,
    asOf: string,
    reasons: string[],
    limit: number,
    pointInTime?: boolean,
  ): Array<{ id: string; reason: string; owner: string }>;
  /** Median days deals of a tier spent in a stage before advancing (exits made by `before`, when given). */
  stageNorms(before?: string): Array<{ tier: string; stage: string; median_days: number; exits: number }>;

  /**
   * Each matching deal's whole life, for point-in-time analyses and the forecast: created, every
   * stage entry in time order, the periods parked in nurture, and the final outcome (null while
   * open). Date filters are ignored: a history is whole or absent.
   */
  dealHistories(filters: DealFilters): DealHistory[];

  /**
   * Per deal, what shows how it was sold (for the selling-approach assessment): its source,
   * stakeholders, first proposal, first live contact and what was logged before them, and
   * whether a qualifying BANT came before the proposal. Which activity types count as contact,
   * research and conversation, and the discovery and proposal stages, are the caller's.
   */
  sellingEvidence(filters: DealFilters, reading: SellingReading): DealEvidence[];
  /** The store summarised for the Lean maturity assessment (counts; the caller turns them into shares). */
  maturityFacts(qualificationStageIndex: number): MaturityFacts;

  /** Aggregations for metrics, scoring and win-loss (SQL over indexed columns). */
  analytics(): PipelineAnalytics;

  /** Row counts per table (health, tests). */
  counts(): Record<string, number>;
  /** Schema versions, a quick integrity check, and the driver's own facts (for `status`). */
  status(): StoreStatus;
  /**
   * A consistent copy of the store at `dest` while others keep writing, checked for integrity
   * before it takes the name (a failed check leaves no file). Refuses an existing `dest`.
   */
  backupTo(dest: string): void;
  /**
   * Replaces the store's contents with a backup, checked (compatible schema, integrity) before
   * anything is touched; other processes see the old contents or the new, never a mix. This
   * store is closed afterwards. Returns the number of deals restored.
   */
  restoreFrom(src: string): Promise<{ deals: number }>;
  close(): void;
}

export interface StoreStatus {
  schema_version: number;
  schema_version_supported: number;
  /** "ok", or what the check found. */
  integrity: string;
  /** Facts of the driver (for SQLite: the journal mode). */
  driver: Record<string, string | number>;
}

export interface SellingReading {
  contact_types: readonly string[];
  research_types: readonly string[];
  conversation_types: readonly string[];
  discovery_stage: string;
  proposal_stage: string;
}

export interface MaturityFacts {
  deals: number;
  open: number;
  closed_won_lost: number;
  closed_won_lost_with_reason: number;
  closed: number;
  /** Stage moves after creation: through a recorded gate check, and overriding one. */
  moves: number;
  moves_passed: number;
  moves_overridden: number;
  /** Open deals past the qualification stage, and those whose latest BANT verdict is qualified. */
  open_past_qualification: number;
  open_past_qualification_qualified: number;
  activities: number;
  baselines: number;
  last_baseline_at: string | null;
  /** Baselines whose label starts with "win-loss" (the quarterly win-loss review records one). */
  win_loss_baselines: number;
  with_segment: number;
  with_readiness: number;
}

/** A snapshot of the pipeline metrics, kept under a label. */
export interface BaselineRecord {
  label: string;
  recorded_at: string;
  as_of: string;
  filters: unknown;
  metrics: unknown;
}

/** Aggregations in the store's query language; no methodology rule lives behind them. */
export interface PipelineAnalytics {
  /** pointInTime (period.to in the past): the open pipeline and the stages reached as they stood at period.to. */
  metrics(filters: DealFilters, period: Period, currency: string, pointInTime?: boolean): RawMetrics;
  monthlyOutcomes(filters: DealFilters, period: Period): MonthlyOutcomeRow[];
  winLoss(filters: DealFilters, period: Period): RawWinLoss;
  /** Closed won/lost deals as scoring rows; every holdoutEvery-th is marked held out. */
  scoringRows(amountBuckets: number[], holdoutEvery: number, which: "all" | "holdout"): IterableIterator<ScoringRow>;
  /** Changes whenever anything in the store changes (from any process): a cache key. */
  version(): string;
  saveBaseline(b: BaselineRecord): void;
  baseline(label: string): BaselineRecord | undefined;
  baselineLabels(prefix: string, limit: number): string[];
}

export interface Period {
  /** Inclusive ISO timestamps; from null means no lower bound. */
  from: string | null;
  to: string;
}

/** Count, sum and exact median of a quantity (days, amount) over a group. */
export type Dist = DistInput;

/** The aggregates metrics() returns: exactly what the pure metrics rule reads. */
export type RawMetrics = MetricsInput;

export interface MonthlyOutcomeRow {
  month: string;
  status: "won" | "lost";
  day: number;
  n: number;
  sum: number;
}

/** The aggregates winLoss() returns: exactly what the pure win-loss rule reads. */
export type RawWinLoss = WinLossInput;

export interface ScoringRow {
  status: "won" | "lost";
  holdout: number;
  segment: string | null;
  source: string | null;
  bant_budget: string | null;
  bant_authority: string | null;
  bant_need: string | null;
  bant_timeline: string | null;
  amount_bucket: number | null;
  reached_stage: number;
  bant_score: number | null;
}

export const formatDealId = (n: number) => `D-${String(n).padStart(4, "0")}`;
export function parseDealId(id: string): number | undefined {
  const m = /^D-(\d{1,15})$/.exec(id);
  return m ? Number(m[1]) : undefined;
}
