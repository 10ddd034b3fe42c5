// A deterministic demo pipeline: realistic deals with a year of stage history, activities, BANT,
// stakeholders and outcomes, for trying the tools and for testing analytics against a known truth.
// generatePipeline is pure (a seeded PRNG, no clock): the same seed and as_of give the same data.
//
// Each deal's hidden true_win_probability comes from this logistic model of its features, and its
// outcome is drawn from it (a lead-scoring model can be checked against the truth):
//
//   logit = -1.6 + TIER[tier] + READINESS[readiness] + SOURCE[source]
//           + BUDGET[budget] + AUTHORITY[authority] + NEED[need] + TIMELINE[timeline]
//           - 0.3 * ln(amount / TYPICAL_AMOUNT[tier])
//   true_win_probability = 1 / (1 + exp(-logit))
//
// with the coefficient tables below (WIN_MODEL). A deal that does not win is disqualified with
// probability 0.12, +0.35 when its need or budget is none, +0.15 when not ready; else it is lost.
// Deals whose simulated path has not ended by as_of are still open (about a third); their drawn
// outcome stays hidden in `outcome`.
import type { Methodology, SegmentDef } from "../../methodology/load.js";
import { loadMethodology } from "../../methodology/load.js";
import { qualifyProspect, underFramework } from "../../methodology/qualify.js";
import type { ActivityTypeId, Readiness, Stage, Tier } from "../../methodology/schema.js";
import { dataDir } from "../../paths.js";
import type { BantSnapshot, BulkDeal, DealStore } from "../../store/types.js";

export interface DemoOptions {
  seed: number;
  deals: number;
  /** The last day of the simulated year (ISO date); nothing happens after its start. */
  as_of: string;
  /** First possible creation date (ISO date; default 365 days before as_of). */
  start?: string;
  methodology?: Methodology;
}

export type DemoOutcome = "won" | "lost" | "disqualified";
export type DemoTrait =
  | "stalled"
  | "silent"
  | "no_activity"
  | "internal_heavy"
  | "proposal_rework"
  | "meeting_loop"
  | "handoffs"
  | "single_threaded"
  | "error_loss"
  | "no_reason";

export interface DemoActivity {
  type: ActivityTypeId;
  occurred_at: string;
  summary: string;
  duration_minutes: number | null;
  stage: Stage;
}

export interface DemoDeal {
  index: number;
  name: string;
  account: string;
  owner: string;
  amount: number;
  currency: string;
  source: string;
  industry: string;
  employees: number;
  annual_revenue: number;
  tier: Tier;
  readiness: Readiness;
  segment: `${Tier}_${Readiness}`;
  /** Null where nothing was learned (a deal of unknown readiness). */
  actively_evaluating: boolean | null;
  need_awareness: "high" | "medium" | "low" | null;
  timeline_months: number | null;
  stage: Stage;
  status: "open" | DemoOutcome;
  created_at: string;
  stage_entered_at: string;
  expected_close_date: string;
  closed_at: string | null;
  close_reason: string | null;
  last_activity_at: string | null;
  owner_changes: number;
  history: Array<{ stage: Stage; entered_at: string; exited_at: string | null }>;
  activities: DemoActivity[];
  stakeholders: Array<{ name: string; role: string; decision_maker: boolean }>;
  /** The deal's true BANT (drives the win probability). */
  bant: { budget: string; authority: string; need: string; timeline: string };
  /** When the BANT was recorded in the store; null: never qualified (the store has no BANT). */
  qualified_at: string | null;
  /** Hidden truth: not stored. */
  true_win_probability: number;
  /** Hidden truth: the drawn outcome (for an open deal, where it is heading). */
  outcome: DemoOutcome;
  traits: DemoTrait[];
}

export interface DemoPipeline {
  seed: number;
  as_of: string;
  start: string;
  owners: string[];
  deals: DemoDeal[];
}

// ------------------------------------------------------------------------------- the win model

export const WIN_MODEL = {
  intercept: -1.6,
  tier: { smb: 0.35, mid_market: 0, enterprise: -0.35 } as Record<Tier, number>,
  readiness: { ready: 0.8, exploring: 0, not_ready: -1.0, unknown: -0.3 } as Record<Readiness, number>,
  source: { referral: 0.7, partner: 0.4, inbound: 0.25, event: 0, paid_search: -0.15, outbound: -0.45 } as Record<
    string,
    number
  >,
  budget: { approved: 0.6, identified: 0.25, unknown: -0.25, none: -1.1 } as Record<string, number>,
  authority: { decision_maker: 0.5, access_to_decision_maker: 0.2, influencer_only: -0.35, unknown: -0.3 } as Record<
    string,
    number
  >,
  need: { critical: 0.7, confirmed: 0.35, latent: -0.35, unknown: -0.3, none: -1.5 } as Record<string, number>,
  timeline: { defined: 0.4, tentative: 0, unknown: -0.2, none: -0.6 } as Record<string, number>,
  amount_log_coef: -0.3,
  typical_amount: { smb: 9_000, mid_market: 60_000, enterprise: 420_000 } as Record<Tier, number>,
};

/** The model above, for one deal's features. */
export function trueWinProbability(f: {
  tier: Tier;
  readiness: Readiness;
  source: string;
  amount: number;
  bant: DemoDeal["bant"];
}): number {
  const w = WIN_MODEL;
  const logit =
    w.intercept +
    w.tier[f.tier] +
    w.readiness[f.readiness] +
    (w.source[f.source] ?? 0) +
    (w.budget[f.bant.budget] ?? 0) +
    (w.authority[f.bant.authority] ?? 0) +
    (w.need[f.bant.need] ?? 0) +
    (w.timeline[f.bant.timeline] ?? 0) +
    w.amount_log_coef * Math.log(f.amount / w.typical_amount[f.tier]);
  return 1 / (1 + Math.exp(-logit));
}

// ------------------------------------------------------------------------------- randomness

/** mulberry32: a small, fast 32-bit PRNG; plenty for demo data. */
export function mulberry32(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** A well-mixed 32-bit seed for deal `index` of pipeline `seed` (each deal has its own stream). */
function dealSeed(seed: number, index: number): number {
  let h = (Math.imul(seed >>> 0, 0x9e3779b1) ^ Math.imul(index + 1, 0x85ebca6b)) >>> 0;
  h = Math.imul(h ^ (h >>> 16), 0x7feb352d);
  h = Math.imul(h ^ (h >>> 15), 0x846ca68b);
  return (h ^ (h >>> 16)) >>> 0;
}

// Weight tables compiled once to cumulative sums (weights objects are module constants).
const tables = new WeakMap<object, { keys: string[]; cum: number[]; total: number }>();

class Rng {
  constructor(readonly next: () => number) {}
  float(min: number, max: number): number {
    return min + (max - min) * this.next();
  }
  int(min: number, max: number): number {
    return min + Math.floor(this.next() * (max - min + 1));
  }
  chance(p: number): boolean {
    return this.next() < p;
  }
  pick<T>(list: readonly T[]): T {
    return list[Math.floor(this.next() * list.length)]!;
  }
  weighted<K extends string>(weights: Readonly<Record<K, number>>): K {
    let table = tables.get(weights);
    if (!table) {
      const keys = Object.keys(weights);
      const cum: number[] = [];
      let total = 0;
      for (const k of keys) cum.push((total += (weights as Record<string, number>)[k]!));
      tables.set(weights, (table = { keys, cum, total }));
    }
    const u = this.next() * table.total;
    for (let i = 0; i < table.cum.length; i++) if (u < table.cum[i]!) return table.keys[i] as K;
    return table.keys[table.keys.length - 1] as K;
  }
  /** Log-uniform between min and max, at position u (0..1) when given. */
  logUniform(min: number, max: number, u = this.next()): number {
    return Math.exp(Math.log(min) + (Math.log(max) - Math.log(min)) * u);
  }
  normal(): number {
    return Math.sqrt(-2 * Math.log(1 - this.next())) * Math.cos(2 * Math.PI * this.next());
  }
}

// ------------------------------------------------------------------------------- the world

const SEGMENT_WEIGHTS: Record<`${Tier}_${Readiness}`, number> = {
  smb_ready: 16,
  smb_exploring: 10,
  smb_not_ready: 10,
  mid_market_ready: 14,
  mid_market_exploring: 14,
  mid_market_not_ready: 6,
  enterprise_ready: 10,
  enterprise_exploring: 12,
  enterprise_not_ready: 8,
  // Deals nobody has asked about readiness yet (no signal recorded).
  smb_unknown: 3,
  mid_market_unknown: 3,
  enterprise_unknown: 2,
};
const SEGMENT_PARTS = Object.fromEntries(
  (["enterprise", "mid_market", "smb"] as const).flatMap((t) =>
    (["ready", "exploring", "not_ready", "unknown"] as const).map((rd) => [`${t}_${rd}`, [t, rd]]),
  ),
) as Record<`${Tier}_${Readiness}`, [Tier, Readiness]>;
const SOURCE_WEIGHTS = { inbound: 30, outbound: 25, referral: 14, event: 12, partner: 11, paid_search: 8 };
const AMOUNT_RANGE: Record<Tier, [number, number]> = {
  smb: [3_000, 24_000],
  mid_market: [25_000, 149_000],
  enterprise: [150_000, 1_200_000],
};
const EMPLOYEE_RANGE: Record<Tier, [number, number]> = {
  smb: [8, 99],
  mid_market: [100, 999],
  enterprise: [1_000, 60_000],
};
const REVENUE_RANGE: Record<Tier, [number, number]> = {
  smb: [500_000, 49_000_000],
  mid_market: [50_000_000, 990_000_000],
  enterprise: [1_000_000_000, 40_000_000_000],
};

const BANT_BY_READINESS: Record<
  Readiness,
  Record<"budget" | "authority" | "need" | "timeline", Record<string, number>>
> = {
  ready: {
    budget: { approved: 55, identified: 45 },
    authority: { decision_maker: 45, access_to_decision_maker: 35, influencer_only: 15, unknown: 5 },
    need: { critical: 45, confirmed: 45, latent: 10 },
    timeline: { defined: 75, tentative: 25 },
  },
  exploring: {
    budget: { identified: 40, unknown: 50, none: 10 },
    authority: { decision_maker: 20, access_to_decision_maker: 35, influencer_only: 30, unknown: 15 },
    need: { critical: 15, confirmed: 50, latent: 30, unknown: 5 },
    timeline: { defined: 20, tentative: 55, unknown: 25 },
  },
  not_ready: {
    budget: { identified: 10, unknown: 55, none: 35 },
    authority: { decision_maker: 5, access_to_decision_maker: 15, influencer_only: 35, unknown: 45 },
    need: { confirmed: 15, latent: 45, unknown: 25, none: 15 },
    timeline: { tentative: 15, unknown: 45, none: 40 },
  },
  unknown: {
    budget: { identified: 20, unknown: 70, none: 10 },
    authority: { decision_maker: 15, access_to_decision_maker: 25, influencer_only: 25, unknown: 35 },
    need: { critical: 10, confirmed: 40, latent: 30, unknown: 20 },
    timeline: { defined: 10, tentative: 35, unknown: 55 },
  },
};

const OWNER_POOL = [
  "Dana Lee",
  "Marcus Okafor",
  "Priya Raman",
  "Sofia Alvarez",
  "Tom Becker",
  "Aisha Khan",
  "Lena Fischer",
  "Jonas Berg",
  "Rita Gomez",
  "Sam Ortiz",
  "Noah Williams",
  "Emma Schultz",
  "Kenji Watanabe",
  "Olivia Brooks",
  "Mateo Rossi",
  "Grace Chen",
];
const INDUSTRIES: Record<string, readonly string[]> = {
  Logistics: ["Logistics", "Freight", "Transport"],
  Healthcare: ["Health", "Clinics", "Medical Group"],
  Manufacturing: ["Manufacturing", "Industries", "Works"],
  Retail: ["Retail", "Stores", "Outfitters"],
  "Financial Services": ["Capital", "Bank", "Insurance"],
  Software: ["Software", "Labs", "Analytics"],
  Education: ["Schools", "Academy", "Learning"],
  Hospitality: ["Hotels", "Hospitality", "Resorts"],
  Energy: ["Energy", "Power", "Utilities"],
  Construction: ["Construction", "Builders", "Engineering"],
  Media: ["Media", "Studios", "Publishing"],
  "Professional Services": ["Partners", "Consulting", "Advisory"],
};
const INDUSTRY_NAMES = Object.keys(INDUSTRIES);
const PREFIXES = [
  "Northwind",
  "Blue Harbor",
  "Corvid",
  "Helios",
  "Lumen",
  "Quarry Peak",
  "Tessellate",
  "Orbit",
  "Verdant",
  "Granite & Pine",
  "Meridian",
  "Kestrel",
  "Ironclad",
  "Saltmarsh",
  "Northgate",
  "Pinecrest",
  "Aurora",
  "Fjord",
  "Baltic",
  "Alpine",
  "Rhein",
  "Nordlicht",
  "Porto",
  "Zephyr",
  "Yarrow",
  "Cobalt",
  "Atlas",
  "Beacon",
  "Delta",
  "Summit",
  "Harbor Point",
  "Redwood",
  "Silverline",
  "Crescent",
  "Evergreen",
  "Falcon",
  "Juniper",
  "Maple Ridge",
  "Oakmont",
  "Riverbend",
];
const PRODUCTS = [
  "Fleet tracking rollout",
  "Inventory module",
  "Field service suite",
  "Analytics add-on",
  "Scheduling platform",
  "Customer portal",
  "Data platform migration",
  "Procurement automation",
  "Support desk upgrade",
  "Payments integration",
  "Workforce planning",
  "Compliance reporting",
];
const FIRST = [
  "Priya",
  "James",
  "Maria",
  "Chen",
  "Fatima",
  "Lukas",
  "Amara",
  "Diego",
  "Hannah",
  "Omar",
  "Yuki",
  "Elena",
  "Kwame",
  "Sara",
  "Ravi",
  "Julia",
  "Tariq",
  "Ingrid",
  "Mei",
  "Daniel",
];
const LAST = [
  "Shah",
  "Miller",
  "Garcia",
  "Wang",
  "Hassan",
  "Weber",
  "Okoye",
  "Lopez",
  "Novak",
  "Farouk",
  "Tanaka",
  "Petrova",
  "Mensah",
  "Lindqvist",
  "Iyer",
  "Costa",
  "Aziz",
  "Hansen",
  "Lin",
  "Murphy",
];
const DM_ROLES = ["CEO", "CFO", "COO", "VP Operations", "VP Sales", "CIO", "Managing Director"];
const OTHER_ROLES = [
  "Operations Manager",
  "IT Manager",
  "Procurement Specialist",
  "Finance Analyst",
  "Team Lead",
  "Project Manager",
  "Office Manager",
];

const SUMMARIES: Record<ActivityTypeId, readonly string[]> = {
  email: [
    "Intro email with a case study",
    "Follow-up email after the call",
    "Sent recap and next steps",
    "Shared pricing overview",
    "Scheduling email for the next meeting",
    "Answered security questionnaire by email",
  ],
  call: [
    "Discovery call with the operations lead",
    "Check-in call on evaluation progress",
    "Call to confirm the budget owner",
    "Cold call, left a voicemail",
    "Call with finance about payment terms",
  ],
  meeting: [
    "Discovery meeting: current process and pains",
    "Stakeholder meeting with IT",
    "On-site workshop on requirements",
    "Weekly sync with the champion",
    "Executive alignment meeting",
  ],
  demo: ["Product demo tailored to their workflow", "Technical deep-dive demo for IT", "Demo for the wider team"],
  proposal: ["Proposal sent", "Proposal for a phased rollout sent", "Business case and proposal sent"],
  note: [
    "Notes: champion enthusiastic, budget unclear",
    "Notes: a competitor is also in the evaluation",
    "Notes: decision pushed to next quarter",
  ],
  internal: [
    "Internal deal review",
    "Internal pricing discussion",
    "Prepared internal forecast notes",
    "Internal handoff briefing",
  ],
  approval: ["Discount approval requested", "Legal review of contract terms", "Finance approval for payment terms"],
};
const REWORK = [
  "Revised proposal v2 with corrected pricing",
  "Re-sent proposal: fixed the wrong volume tier",
  "Amended proposal after a pricing error",
];
const DURATION: Record<ActivityTypeId, [number, number] | null> = {
  email: null,
  note: null,
  call: [15, 45],
  meeting: [30, 60],
  demo: [45, 90],
  proposal: [60, 120],
  internal: [30, 60],
  approval: [15, 30],
};
type Mix = Record<ActivityTypeId, number>;
// The demo's activity mix by place in the funnel, not by stage id: the selling stages before
// closing from first contact to proposal (a pipeline with more or fewer of them is spread over
// these four), then closing, then after the sale.
const BEFORE_SALE_MIX: Array<Partial<Mix>> = [
  { email: 50, call: 35, note: 15 },
  { call: 35, meeting: 35, email: 20, note: 10 },
  { demo: 45, meeting: 30, email: 15, internal: 10 },
  { proposal: 30, email: 25, call: 20, internal: 15, approval: 10 },
];
const CLOSING_MIX = { approval: 30, email: 30, meeting: 20, internal: 20 } as Mix;
const AFTER_SALE_MIX = { meeting: 50, email: 50 } as Mix;
const CUSTOMER_FACING = new Set<ActivityTypeId>(["email", "call", "meeting", "demo", "proposal"]);

const WON_REASONS = [
  "Clear ROI case accepted by the CFO",
  "Fastest time to value in the evaluation",
  "Strong champion in operations",
  "Better integration with their ERP",
  "Reference customer call sealed it",
  "Price within the approved budget",
];
const LOST_REASONS = [
  "Chose a cheaper competitor",
  "Lost to the incumbent vendor",
  "No decision: project deprioritised",
  "Budget cut in a reorganisation",
  "Champion left the company",
  "Missing SSO integration",
  "Went silent after the proposal",
];
const ERROR_LOST_REASONS = [
  "Pricing error in proposal",
  "Proposal had outdated pricing",
  "Misquote on the volume tier in our proposal",
  "Wrong terms in the contract draft",
];
const DISQUALIFIED_REASONS = [
  "No budget and no timeline",
  "Outside ICP: too small",
  "No real need after discovery",
  "Student project, not a buyer",
  "Duplicate of an existing opportunity",
];

const DAY = 86_400_000;
const MONTH_DAYS = 365.25 / 12;

// ISO timestamps are the bulk of the data: the date part is cached per day.
const two = Array.from({ length: 60 }, (_, i) => String(i).padStart(2, "0"));
const dayCache = new Map<number, string>();
function iso(ms: number): string {
  const day = Math.floor(ms / DAY);
  let d = dayCache.get(day);
  if (d === undefined) {
    d = new Date(day * DAY).toISOString().slice(0, 10);
    if (dayCache.size < 100_000) dayCache.set(day, d);
  }
  const minutes = Math.floor((ms - day * DAY) / 60_000);
  return `${d}T${two[Math.floor(minutes / 60)]}:${two[minutes % 60]}:00.000Z`;
}

let defaultMethodology: Methodology | undefined;

/** The pipeline as plain data. Pure: the same options always give the same data. */
export function generatePipeline(opts: DemoOptions): DemoPipeline {
  const { start, owners } = pipelineFrame(opts);
  return { seed: opts.seed, as_of: opts.as_of.slice(0, 10), start, owners, deals: [...generateDeals(opts)] };
}

function pipelineFrame(opts: DemoOptions): { start: string; startMs: number; asOfMs: number; owners: string[] } {
  if (!Number.isInteger(opts.seed)) throw new RangeError("seed must be an integer");
  if (!Number.isInteger(opts.deals) || opts.deals < 0) throw new RangeError("deals must be a whole number");
  const asOfMs = Date.parse(`${opts.as_of.slice(0, 10)}T00:00:00.000Z`);
  if (Number.isNaN(asOfMs)) throw new RangeError(`as_of must be an ISO date, got ${opts.as_of}`);
  const startMs = opts.start ? Date.parse(`${opts.start.slice(0, 10)}T00:00:00.000Z`) : asOfMs - 365 * DAY;
  if (Number.isNaN(startMs) || startMs >= asOfMs) throw new RangeError("start must be an ISO date before as_of");
  const rng = new Rng(mulberry32(dealSeed(opts.seed, -1)));
  const pool = [...OWNER_POOL];
  for (let i = pool.length - 1; i > 0; i--) {
    const j = rng.int(0, i);
    [pool[i], pool[j]] = [pool[j]!, pool[i]!];
  }
  return {
    start: new Date(startMs).toISOString().slice(0, 10),
    startMs,
    asOfMs,
    owners: pool.slice(0, rng.int(8, 12)),
  };
}

/** The deals one at a time (for loading millions without holding them all). */
export function* generateDeals(opts: DemoOptions): Generator<DemoDeal> {
  const m = opts.methodology ?? (defaultMethodology ??= loadMethodology(dataDir()));
  const frame = pipelineFrame(opts);
  const ctx = worldFor(m);
  for (let i = 0; i < opts.deals; i++) yield generateDeal(ctx, frame, opts.seed, i);
}

interface World {
  m: Methodology;
  stages: Stage[];
  /** The activity mix of each stage. */
  mix: Map<Stage, Mix>;
  /** Where proposals are made (the reference's Proposal & Negotiation, else the last stage before closing). */
  proposalStage: number;
  /** Stages where meetings can loop without a move (the reference's Discovery and Solution Presentation). */
  loopStages: Set<Stage>;
  shares: number[];
  /** The deal's BANT qualification; null when the methodology has no BANT framework to judge it by. */
  qualify: (b: DemoDeal["bant"]) => BantSnapshot | null;
}

/** A stage's activity mix, from its role and its place among the stages before the sale. */
function mixFor(m: Methodology, index: number): Mix {
  const stage = m.stages[index]!;
  if (stage.role === "closing") return CLOSING_MIX;
  if (stage.role === "after_sale") return AFTER_SALE_MIX;
  const before = m.stages.filter((s) => s.role === "before_sale").length;
  const last = BEFORE_SALE_MIX.length - 1;
  return BEFORE_SALE_MIX[before <= 1 ? 0 : Math.round((index / (before - 1)) * last)] as Mix;
}

function worldFor(m: Methodology): World {
  // Only the five selling stages carry a share of the cycle; onboarding comes after the win.
  const selling = m.stages.filter((s) => s.cycle_share !== null);
  const total = selling.reduce((a, s) => a + s.cycle_share!, 0);
  const memo = new Map<string, BantSnapshot>();
  // The demo's deals carry BANT statuses: they are qualified under BANT whatever framework is active.
  const bant = underFramework(m, "bant");
  const before = selling.filter((s) => s.role === "before_sale").map((s) => s.id);
  return {
    m,
    stages: selling.map((s) => s.id),
    mix: new Map(m.stages.map((s, i) => [s.id, mixFor(m, i)])),
    // Proposals are made in the last stage before closing; meetings loop in the ones after the first.
    proposalStage: Math.max(0, before.length - 1),
    loopStages: new Set(before.slice(1, 3)),
    shares: selling.map((s) => s.cycle_share! / total),
    // The qualify_prospect rules, remembered per combination of statuses (320 of them).
    qualify: (b) => {
      if (!bant) return null;
      const key = `${b.budget}|${b.authority}|${b.need}|${b.timeline}`;
      let q = memo.get(key);
      if (!q) {
        const r = qualifyProspect(bant, {
          budget: { status: b.budget },
          authority: { status: b.authority },
          need: { status: b.need },
          timeline: { status: b.timeline },
        });
        memo.set(key, (q = { ...b, score: r.score, verdict: r.verdict }));
      }
      return q;
    },
  };
}

type Frame = ReturnType<typeof pipelineFrame>;

/**
 * One deal from its own random stream. Every draw below happens in a fixed order (the helpers are
 * called in sequence and each draws in the order written), so a seed always gives the same deal:
 * reordering a draw changes every demo store built from that seed.
 */
function generateDeal(w: World, frame: Frame, seed: number, index: number): DemoDeal {
  const r = new Rng(mulberry32(dealSeed(seed, index)));
  const traits: DemoTrait[] = [];
  const who = drawProfile(r, w.m, frame);
  const { tier, readiness } = who;
  const signals = drawReadinessSignals(r, w.m, tier, readiness);
  const bant = drawBant(r, readiness);
  const p = trueWinProbability({ tier, readiness, source: who.source, amount: who.amount, bant });
  const outcome = drawOutcome(r, p, readiness, bant);
  const plan = drawStageDurations(r, w, who.seg, outcome, traits);
  const path = walkStages(r, w, frame, plan, outcome);
  const activities = drawActivities(r, w, frame, tier, path, traits);
  const { owner, owner_changes } = drawOwnerHandoffs(r, frame, who.owner, traits);
  const stakeholders = drawStakeholders(r, tier, bant, traits);
  const qualified_at = drawQualifiedAt(r, path);
  const close_reason = drawCloseReason(r, path.status, traits);

  const planned = path.created + plan.cycleDays * DAY;
  return {
    index,
    name: who.name,
    account: who.account,
    owner,
    amount: who.amount,
    currency: w.m.currency,
    source: who.source,
    industry: who.industry,
    employees: who.employees,
    annual_revenue: who.annual_revenue,
    tier,
    readiness,
    segment: `${tier}_${readiness}`,
    actively_evaluating: signals.actively_evaluating,
    need_awareness: signals.need_awareness,
    timeline_months: signals.timeline_months,
    stage: path.stage,
    status: path.status,
    created_at: iso(path.created),
    stage_entered_at: path.current.entered_at,
    expected_close_date: iso(path.closedMs ?? planned).slice(0, 10),
    closed_at: path.closedMs === null ? null : iso(path.closedMs),
    close_reason,
    last_activity_at: activities.length ? activities[activities.length - 1]!.occurred_at : null,
    owner_changes,
    history: path.history,
    activities,
    stakeholders,
    bant,
    qualified_at,
    true_win_probability: p,
    outcome,
    traits,
  };
}

/** Who and what: the segment, the account and its size, the amount, source, first owner and name. */
function drawProfile(r: Rng, m: Methodology, frame: Frame) {
  const [tier, readiness] = SEGMENT_PARTS[r.weighted(SEGMENT_WEIGHTS)];
  const seg = m.segment(tier, readiness);
  const industry = r.pick(INDUSTRY_NAMES);
  const account = `${r.pick(PREFIXES)} ${r.pick(INDUSTRIES[industry]!)}`;
  const size = r.next();
  const employees = Math.round(r.logUniform(...EMPLOYEE_RANGE[tier], size));
  const annual_revenue =
    Math.round(r.logUniform(...REVENUE_RANGE[tier], Math.min(1, Math.max(0, size + r.float(-0.15, 0.15)))) / 1000) *
    1000;
  const amount = Math.round(r.logUniform(...AMOUNT_RANGE[tier]) / 100) * 100;
  const source = r.weighted(SOURCE_WEIGHTS);
  const owner = r.pick(frame.owners);
  const name = `${account} - ${r.pick(PRODUCTS)}`;
  return { tier, readiness, seg, industry, account, employees, annual_revenue, amount, source, owner, name };
}

/** Readiness signals consistent with classify_segment's rules (none for a deal of unknown readiness). */
function drawReadinessSignals(
  r: Rng,
  m: Methodology,
  tier: Tier,
  readiness: Readiness,
): Pick<DemoDeal, "actively_evaluating" | "need_awareness" | "timeline_months"> {
  const known = readiness !== "unknown";
  const actively_evaluating = known ? readiness === "ready" : null;
  const need_awareness = !known
    ? null
    : readiness === "ready"
      ? "high"
      : readiness === "exploring"
        ? r.pick(["high", "medium"] as const)
        : "low";
  const readyMax = m.segmentation.readiness_rules.ready.max_timeline_months[tier];
  const timeline_months = !known
    ? null
    : readiness === "ready"
      ? r.int(1, Math.min(3, readyMax))
      : readiness === "exploring"
        ? r.int(4, 6)
        : r.chance(0.5)
          ? r.int(10, 18)
          : null;
  return { actively_evaluating, need_awareness, timeline_months };
}

/** The deal's true BANT, drawn from its readiness's distribution. */
function drawBant(r: Rng, readiness: Readiness): DemoDeal["bant"] {
  const dist = BANT_BY_READINESS[readiness];
  return {
    budget: r.weighted(dist.budget),
    authority: r.weighted(dist.authority),
    need: r.weighted(dist.need),
    timeline: r.weighted(dist.timeline),
  };
}

/** Won with the true win probability; otherwise disqualified or lost (see the header). */
function drawOutcome(r: Rng, p: number, readiness: Readiness, bant: DemoDeal["bant"]): DemoOutcome {
  if (r.chance(p)) return "won";
  const dq =
    0.12 + (bant.need === "none" || bant.budget === "none" ? 0.35 : 0) + (readiness === "not_ready" ? 0.15 : 0);
  return r.chance(dq) ? "disqualified" : "lost";
}

/** The time each selling stage would take, drawn around the segment's cycle time, and the last stage reached. */
function drawStageDurations(r: Rng, w: World, seg: SegmentDef, outcome: DemoOutcome, traits: DemoTrait[]) {
  const cycleDays =
    r.float(seg.cycle_time_months.min, seg.cycle_time_months.max) * MONTH_DAYS * Math.exp(0.25 * r.normal());
  const durations = w.shares.map((s) => cycleDays * s * r.float(0.6, 1.4));
  // Where a deal ends: won after the last selling stage; lost mostly in discovery or at the
  // proposal; disqualified while qualifying.
  const last = w.stages.length - 1;
  const terminal =
    outcome === "won"
      ? last
      : Math.min(last, outcome === "lost" ? pickIndex(r, [15, 35, 20, 25, 5]) : r.chance(0.35) ? 0 : 1);
  // Lost deals linger in the stage they die in; disqualified ones leave sooner.
  if (outcome !== "won")
    durations[terminal] = durations[terminal]! * (outcome === "lost" ? r.float(0.6, 1.6) : r.float(0.4, 1));
  // Some deals stall: one stage takes several times its share.
  if (r.chance(0.12)) {
    const k = r.int(0, terminal);
    durations[k] = durations[k]! * r.float(2.5, 5);
    traits.push("stalled");
  }
  return { cycleDays, durations, terminal };
}

interface StagePath {
  created: number;
  history: DemoDeal["history"];
  status: DemoDeal["status"];
  closedMs: number | null;
  /** The last history entry: the stage the deal is in (or closed from). */
  current: DemoDeal["history"][number];
  stage: Stage;
  enteredMs: number;
  /** When the deal closed, else as_of. */
  endMs: number;
}

/** The deal's creation and its walk through the stages, cut off at as_of (then it is still open). */
function walkStages(
  r: Rng,
  w: World,
  frame: Frame,
  plan: { durations: number[]; terminal: number },
  outcome: DemoOutcome,
): StagePath {
  const span = frame.asOfMs - frame.startMs;
  // A growing pipeline: more deals were created recently than a year ago.
  const created = frame.startMs + Math.floor((Math.pow(r.next(), 0.65) * (span - DAY)) / 60_000) * 60_000;
  const history: DemoDeal["history"] = [];
  let t = created;
  let status: DemoDeal["status"] = "open";
  let closedMs: number | null = null;
  for (let i = 0; i <= plan.terminal; i++) {
    const end = t + Math.max(DAY / 2, plan.durations[i]! * DAY);
    history.push({ stage: w.stages[i]!, entered_at: iso(t), exited_at: null });
    if (end >= frame.asOfMs) break;
    history[history.length - 1]!.exited_at = iso(end);
    if (i === plan.terminal) {
      status = outcome;
      closedMs = end;
    }
    t = end;
  }
  const current = history[history.length - 1]!;
  return {
    created,
    history,
    status,
    closedMs,
    current,
    stage: current.stage,
    enteredMs: Date.parse(current.entered_at),
    endMs: closedMs ?? frame.asOfMs,
  };
}

/** One activity; its summary (unless given) and duration are drawn, in that order. */
function drawActivity(r: Rng, type: ActivityTypeId, at: number, stage: Stage, summary?: string): DemoActivity {
  const d = DURATION[type];
  return {
    type,
    occurred_at: iso(at),
    summary: summary ?? r.pick(SUMMARIES[type]),
    duration_minutes: d ? r.int(d[0], d[1]) : null,
    stage,
  };
}

/** The deal's activities, oldest first: the routine ones, then at most one waste pattern. */
function drawActivities(
  r: Rng,
  w: World,
  frame: Frame,
  tier: Tier,
  path: StagePath,
  traits: DemoTrait[],
): DemoActivity[] {
  const routine = drawRoutineActivities(r, w, frame, tier, path, traits);
  const activities = drawActivityPattern(r, w, frame, path, routine, traits);
  activities.sort((a, b) => (a.occurred_at < b.occurred_at ? -1 : a.occurred_at > b.occurred_at ? 1 : 0));
  return activities;
}

interface RoutineActivities {
  activities: DemoActivity[];
  /** When the deal went silent (Infinity: it did not). */
  silentFrom: number;
  noActivity: boolean;
}

/** Activities per stage visited: a few a month, the mix depending on the stage; some deals go silent or have none. */
function drawRoutineActivities(
  r: Rng,
  w: World,
  frame: Frame,
  tier: Tier,
  path: StagePath,
  traits: DemoTrait[],
): RoutineActivities {
  const m = w.m;
  const { status, stage } = path;
  const monthlyRate = tier === "enterprise" ? 2 : tier === "mid_market" ? 2.5 : 3;
  const activities: DemoActivity[] = [];
  const silentDeal = status === "open" && r.chance(0.18);
  const silentFrom = silentDeal
    ? frame.asOfMs - m.wasteRules.pipeline.silence_days[tier] * DAY * r.float(1.3, 3)
    : Infinity;
  if (silentDeal) traits.push("silent");
  const noActivity = r.chance(0.04);
  if (!noActivity) {
    for (const h of path.history) {
      const from = Date.parse(h.entered_at);
      const to = h.exited_at ? Date.parse(h.exited_at) : path.endMs;
      const n = Math.min(
        8,
        Math.max(to - from > 3 * DAY ? 1 : 0, Math.round(((to - from) / DAY / 30) * monthlyRate * r.float(0.5, 1.5))),
      );
      const mix = w.mix.get(h.stage)!;
      for (let k = 0; k < n; k++) {
        const at = from + r.next() * (to - from);
        if (at < silentFrom) activities.push(drawActivity(r, r.weighted(mix), at, h.stage));
      }
    }
    // Open deals that are not going silent were touched recently.
    if (status === "open" && !silentDeal && r.chance(0.9)) {
      const recent = frame.asOfMs - r.float(0.2, 0.5) * m.wasteRules.pipeline.silence_days[tier] * DAY;
      if (recent > path.enteredMs) activities.push(drawActivity(r, r.weighted(w.mix.get(stage)!), recent, stage));
    }
  } else traits.push("no_activity");
  return { activities, silentFrom, noActivity };
}

/**
 * At most one waste pattern in the activities: internal work piling up, proposals re-sent, or
 * meetings without a stage move. Returns the activities with the pattern applied.
 */
function drawActivityPattern(
  r: Rng,
  w: World,
  frame: Frame,
  path: StagePath,
  { activities, silentFrom, noActivity }: RoutineActivities,
  traits: DemoTrait[],
): DemoActivity[] {
  const { history, status, stage } = path;
  const lastFrom = Math.max(path.enteredMs, frame.asOfMs - 20 * DAY);
  const lastTo = Math.min(path.endMs, silentFrom) - 1;
  const canAddLate = !noActivity && lastTo > lastFrom;
  const proposalStage = w.proposalStage;
  if (canAddLate && r.chance(0.07)) {
    traits.push("internal_heavy");
    return pileUpInternalWork(r, activities, stage, lastFrom, lastTo);
  }
  if (!noActivity && history.length > proposalStage && r.chance(0.12)) {
    // Proposals re-sent or corrected.
    traits.push("proposal_rework");
    const h = history[proposalStage]!;
    const from = Date.parse(h.entered_at);
    const to = Math.min(h.exited_at ? Date.parse(h.exited_at) : path.endMs, silentFrom) - 1;
    if (to > from) {
      activities.push(drawActivity(r, "proposal", from + (to - from) * 0.3, h.stage));
      activities.push(drawActivity(r, "proposal", from + (to - from) * r.float(0.5, 0.95), h.stage, r.pick(REWORK)));
    }
  } else if (canAddLate && status === "open" && w.loopStages.has(stage) && r.chance(0.1)) {
    // Meetings without a stage move.
    traits.push("meeting_loop");
    for (let j = r.int(5, 7); j > 0; j--) activities.push(drawActivity(r, "meeting", r.float(lastFrom, lastTo), stage));
  }
  return activities;
}

/**
 * Internal work outweighing customer work: internal and approval steps pile up late in the
 * current stage while customer-facing work thins out (the oldest customer-facing ones go).
 */
function pileUpInternalWork(
  r: Rng,
  activities: DemoActivity[],
  stage: Stage,
  lastFrom: number,
  lastTo: number,
): DemoActivity[] {
  for (let j = r.int(3, 6); j > 0; j--)
    activities.push(drawActivity(r, r.chance(0.5) ? "internal" : "approval", r.float(lastFrom, lastTo), stage));
  const internal = activities.filter((a) => a.type === "internal" || a.type === "approval").length;
  let customer = activities.filter((a) => CUSTOMER_FACING.has(a.type)).length;
  return activities.filter((a) => {
    if (!CUSTOMER_FACING.has(a.type) || customer < internal) return true;
    customer--;
    return false;
  });
}

/** Owner handoffs: a few deals changed hands, ending with another owner. */
function drawOwnerHandoffs(r: Rng, frame: Frame, owner: string, traits: DemoTrait[]) {
  if (!r.chance(0.06)) return { owner, owner_changes: 0 };
  traits.push("handoffs");
  const owner_changes = r.int(1, 4);
  return { owner: r.pick(frame.owners), owner_changes };
}

/** Stakeholders (distinct names), a decision maker first when there is one; some deals are single-threaded. */
function drawStakeholders(r: Rng, tier: Tier, bant: DemoDeal["bant"], traits: DemoTrait[]): DemoDeal["stakeholders"] {
  const stakeholders: DemoDeal["stakeholders"] = [];
  const count = r.chance(0.2)
    ? 1
    : tier === "enterprise"
      ? r.int(3, 6)
      : tier === "mid_market"
        ? r.int(2, 4)
        : r.int(1, 2);
  const hasDm =
    count > 1
      ? bant.authority === "decision_maker" || bant.authority === "access_to_decision_maker"
        ? r.chance(0.85)
        : r.chance(0.25)
      : r.chance(0.3);
  if (count === 1 && !hasDm) traits.push("single_threaded");
  const used = new Set<string>();
  for (let j = 0; j < count; j++) {
    let person = `${r.pick(FIRST)} ${r.pick(LAST)}`;
    while (used.has(person)) person = `${r.pick(FIRST)} ${r.pick(LAST)}`;
    used.add(person);
    const dm = hasDm && j === 0;
    stakeholders.push({ name: person, role: dm ? r.pick(DM_ROLES) : r.pick(OTHER_ROLES), decision_maker: dm });
  }
  return stakeholders;
}

/** BANT is recorded once the deal is in discovery (and for half of those still prospecting). */
function drawQualifiedAt(r: Rng, path: StagePath): string | null {
  const discovery = path.history[1];
  if (!discovery && !r.chance(0.5)) return null;
  const h = discovery ?? path.history[0]!;
  const from = Date.parse(h.entered_at);
  const to = h.exited_at ? Date.parse(h.exited_at) : path.endMs;
  return iso(from + (to - from) * r.float(0.1, 0.9));
}

/** How a closed deal closed: its reason, sometimes an error in what we sent, sometimes none recorded. */
function drawCloseReason(r: Rng, status: DemoDeal["status"], traits: DemoTrait[]): string | null {
  if (status === "open") return null;
  let close_reason: string | null;
  if (status === "lost" && r.chance(0.08)) {
    close_reason = r.pick(ERROR_LOST_REASONS);
    traits.push("error_loss");
  } else
    close_reason = r.pick(status === "won" ? WON_REASONS : status === "lost" ? LOST_REASONS : DISQUALIFIED_REASONS);
  if (status !== "disqualified" && r.chance(0.07)) {
    close_reason = null;
    traits.push("no_reason");
  }
  return close_reason;
}

function pickIndex(r: Rng, weights: number[]): number {
  let u = r.next() * weights.reduce((a, b) => a + b, 0);
  for (let i = 0; i < weights.length; i++) if ((u -= weights[i]!) < 0) return i;
  return weights.length - 1;
}

// ------------------------------------------------------------------------------- loading

export interface LoadResult {
  deals: number;
  first_id: string | null;
  last_id: string | null;
  activities: number;
  stage_history: number;
  stakeholders: number;
  qualifications: number;
}

/**
 * Writes the pipeline into the store in one bulk transaction (store.insertDeals: prepared
 * statements, indexes rebuilt when the store is small). Accepts the pipeline or any iterable
 * of its deals, so generateDeals can stream millions without holding them.
 */
export function loadPipeline(
  store: DealStore,
  data: DemoPipeline | Iterable<DemoDeal>,
  now: string,
  m?: Methodology,
): LoadResult {
  const methodology = m ?? (defaultMethodology ??= loadMethodology(dataDir()));
  const qualify = worldFor(methodology).qualify;
  const deals: Iterable<DemoDeal> = "deals" in data ? data.deals : data;
  const out: LoadResult = {
    deals: 0,
    first_id: null,
    last_id: null,
    activities: 0,
    stage_history: 0,
    stakeholders: 0,
    qualifications: 0,
  };
  function* bulk(): Generator<BulkDeal> {
    for (const d of deals) {
      out.activities += d.activities.length;
      out.stage_history += d.history.length;
      out.stakeholders += d.stakeholders.length;
      out.qualifications += d.qualified_at ? 1 : 0;
      yield toBulkDeal(methodology, d, qualify);
    }
  }
  const r = store.insertDeals(bulk(), now);
  return { ...out, deals: r.count, first_id: r.first, last_id: r.last };
}

function toBulkDeal(m: Methodology, d: DemoDeal, qualify: World["qualify"]): BulkDeal {
  const q = d.qualified_at ? qualify(d.bant) : null;
  return {
    deal: {
      name: d.name,
      account: d.account,
      owner: d.owner,
      amount: d.amount,
      currency: d.currency,
      stage: d.stage,
      stage_index: m.stageIndex(d.stage),
      status: d.status,
      tier: d.tier,
      readiness: d.readiness,
      segment: d.segment,
      source: d.source,
      industry: d.industry,
      employees: d.employees,
      annual_revenue: d.annual_revenue,
      need_awareness: d.need_awareness,
      actively_evaluating: d.actively_evaluating,
      timeline_months: d.timeline_months,
      created_at: d.created_at,
      stage_entered_at: d.stage_entered_at,
      expected_close_date: d.expected_close_date,
      closed_at: d.closed_at,
      close_reason: d.close_reason,
      last_activity_at: d.last_activity_at,
      owner_changes: d.owner_changes,
      bant: q,
      // A win reaches the first stage after the sale (as close_deal records it).
      ...(d.status === "won" ? { reached_stage_index: m.wonStageIndex } : {}),
    },
    history: d.history.map((h, i) => ({
      stage: h.stage,
      stage_index: m.stageIndex(h.stage),
      from_stage: i > 0 ? d.history[i - 1]!.stage : null,
      entered_at: h.entered_at,
      exited_at: h.exited_at,
      exit: h.exited_at === null ? null : i < d.history.length - 1 ? "advanced" : "closed",
      gate: i === 0 ? "created" : "passed",
    })),
    activities: d.activities,
    stakeholders: d.stakeholders,
    qualifications: q ? [{ ...q, recorded_at: d.qualified_at!, detail: { source: "demo" } }] : [],
  };
}
