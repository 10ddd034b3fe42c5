// The two assessments: where a seller stands between reactive and proactive on each of the
// reference's factors, and how mature a team's Lean practice is, with the phase steps to take next.
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { mulberry32 } from "../../src/app/demo/generate.js";
import {
  assessLeanMaturity,
  assessSellingApproach,
  checkAssessments,
  parseAssessments,
  toStep,
  type AssessmentRules,
  type DealEvidence,
  type FactorAssessment,
  type MaturityEvidence,
  type RepAnswers,
  type SellingFactor,
} from "../../src/methodology/assessment.js";
import { MethodologyDataError } from "../../src/methodology/load.js";
import { dataDir } from "../../src/paths.js";
import { methodology } from "../helpers/connect.js";

const m = methodology();
const RAW = JSON.parse(readFileSync(join(dataDir(), "assessments.json"), "utf8"));
const rules: AssessmentRules = parseAssessments(RAW);
const AS_OF = Date.parse("2026-11-28T12:00:00.000Z");
const DAY = 86_400_000;
const iso = (ms: number) => new Date(ms).toISOString();

// ---------------------------------------------------------------- generated deal evidence

interface Profile {
  owner: string;
  sources: Array<[string, number]>;
  stakeholders: [number, number];
  discoveryCalls: [number, number];
  researchP: number;
  qualifiedP: number;
  demoFirstP: number;
  discoveryDays: [number, number];
  closeDays: [number, number];
  winP: number;
  amount: [number, number];
}

/** Research-led: goes out for its deals, meets several people, qualifies, talks before it demos. */
const PROACTIVE: Profile = {
  owner: "Ada Proactive",
  sources: [
    ["outbound", 45],
    ["referral", 30],
    ["partner", 15],
    ["inbound", 10],
  ],
  stakeholders: [3, 6],
  discoveryCalls: [2, 5],
  researchP: 0.85,
  qualifiedP: 0.9,
  demoFirstP: 0.05,
  discoveryDays: [20, 35],
  closeDays: [7, 20],
  winP: 0.7,
  amount: [45_000, 70_000],
};

/** Inbound-only: one contact, demo first, proposes before qualifying, quick start and a long close. */
const REACTIVE: Profile = {
  owner: "Rex Reactive",
  sources: [
    ["inbound", 70],
    ["paid_search", 30],
  ],
  stakeholders: [1, 1],
  discoveryCalls: [0, 1],
  researchP: 0,
  qualifiedP: 0.1,
  demoFirstP: 0.9,
  discoveryDays: [2, 6],
  closeDays: [90, 150],
  winP: 0.3,
  amount: [20_000, 40_000],
};

/** The medians of the whole (larger) team the two reps belong to. */
const TEAM = { win_rate: 0.5, cycle_days: 85, deal_size: 40_000 };

function generate(seed: number, p: Profile, n: number): DealEvidence[] {
  const rnd = mulberry32(seed);
  const int = (lo: number, hi: number) => lo + Math.floor(rnd() * (hi - lo + 1));
  const pick = (w: Array<[string, number]>) => {
    let r = rnd() * w.reduce((a, [, x]) => a + x, 0);
    for (const [v, x] of w) if ((r -= x) < 0) return v;
    return w[w.length - 1]![0];
  };
  return Array.from({ length: n }, (_, i) => {
    const created = AS_OF - int(150, 500) * DAY;
    const discovery = created + int(1, 7) * DAY;
    const proposal = discovery + int(...p.discoveryDays) * DAY;
    const closed = proposal + int(...p.closeDays) * DAY;
    const roll = rnd();
    // Most deals are decided; a few are still open (some before their first proposal) or disqualified.
    const status: DealEvidence["status"] =
      roll < 0.08 ? "open" : roll < 0.12 ? "disqualified" : rnd() < p.winP ? "won" : "lost";
    const proposed = status !== "open" || rnd() < 0.5;
    const demoFirst = rnd() < p.demoFirstP;
    return {
      id: `${p.owner.split(" ")[0]}-${i}`,
      owner: p.owner,
      status,
      source: pick(p.sources),
      amount: int(...p.amount),
      currency: "USD",
      created_at: iso(created),
      closed_at: status === "open" ? null : iso(closed),
      stakeholders: int(...p.stakeholders),
      decision_makers: p.stakeholders[0] >= 3 ? 1 : 0,
      first_proposal_at: proposed ? iso(proposal) : null,
      discovery_entered_at: iso(discovery),
      proposal_stage_entered_at: proposed ? iso(proposal + DAY) : null,
      activities_before_first_proposal: {
        discovery: int(...p.discoveryCalls),
        research: rnd() < p.researchP ? int(1, 3) : 0,
        total: 6,
      },
      first_activity_type: demoFirst ? "demo" : rnd() < 0.5 ? "call" : "meeting",
      qualified_before_proposal: rnd() < p.qualifiedP,
    };
  });
}

const answerAll = (value: RepAnswers[string], factors?: SellingFactor[]): RepAnswers =>
  Object.fromEntries(
    rules.data.selling.questions.filter((q) => !factors || factors.includes(q.factor)).map((q) => [q.id, value]),
  );

const proDeals = generate(11, PROACTIVE, 48);
const reDeals = generate(29, REACTIVE, 48);
const everyone = [...proDeals, ...reDeals];
const byId = (fs: FactorAssessment[]) =>
  Object.fromEntries(fs.map((f) => [f.id, f])) as Record<SellingFactor, FactorAssessment>;

// ---------------------------------------------------------------- assess_selling_approach

describe("assessSellingApproach", () => {
  const pro = assessSellingApproach(m, everyone, {
    scope: PROACTIVE.owner,
    team_medians: TEAM,
    answers: answerAll("always"),
    rules,
  });
  const re = assessSellingApproach(m, everyone, {
    scope: REACTIVE.owner,
    team_medians: TEAM,
    answers: { ...answerAll("rarely", ["positioning"]), ...answerAll("never", ["customer_value"]) },
    rules,
  });

  it("looks only at the named rep's deals", () => {
    expect(pro.deals_considered).toBe(proDeals.length);
    expect(re.deals_considered).toBe(reDeals.length);
    expect(assessSellingApproach(m, everyone, { scope: "team", rules }).deals_considered).toBe(everyone.length);
  });

  it("puts the research-led rep on the proactive side of every factor, and the inbound-only rep on the reactive side", () => {
    const p = byId(pro.factors);
    const r = byId(re.factors);
    for (const id of [...(Object.keys(p) as SellingFactor[])]) {
      expect(
        p[id].position,
        `${id} (proactive rep): ${JSON.stringify(p[id].measures.map((x) => [x.id, x.value, x.position]))}`,
      ).toBeGreaterThanOrEqual(4);
      expect(
        r[id].position,
        `${id} (reactive rep): ${JSON.stringify(r[id].measures.map((x) => [x.id, x.value, x.position]))}`,
      ).toBeLessThanOrEqual(2);
    }
    expect(Object.keys(p).sort()).toEqual(
      [...m.proactiveReactive.comparison.map((c) => c.factor.toLowerCase().replace(" ", "_"))].sort(),
    );
    expect(pro.overall.position!).toBeGreaterThanOrEqual(4);
    expect(re.overall.position!).toBeLessThanOrEqual(2);
    expect(re.overall.position_name).toMatch(/reactive/);
  });

  it("states the measure, its value, its threshold and the numbers behind it", () => {
    const sourcing = byId(re.factors).sourcing.measures.find((x) => x.id === "proactive_source_share")!;
    expect(sourcing.value).toBe(0);
    expect(sourcing.n).toBe(reDeals.length);
    expect(sourcing.threshold).toBe("5 at >= 80%, 4 at >= 60%, 3 at >= 40%, 2 at >= 20%, else 1");
    expect(sourcing.evidence).toMatchObject({ proactive_sourced: 0, reactive_sourced: reDeals.length });
    const timeline = byId(pro.factors).timeline.measures[0]!;
    expect(timeline.evidence.median_discovery_days as number).toBeGreaterThan(
      timeline.evidence.median_proposal_to_close_days as number,
    );
    const win = byId(re.factors).win_rate.measures.find((x) => x.id === "win_rate_vs_team")!;
    expect(win.evidence.compared_with_percent).toBe(50);
  });

  it("orders factors furthest from proactive first, then by evidence, and gives the reference's moves for weak ones", () => {
    const positions = re.factors.map((f) => f.position!);
    expect(positions).toEqual([...positions].sort((a, b) => a - b));
    for (const f of re.factors) {
      expect(f.moves, f.id).not.toBeNull();
      expect(f.moves!.items.length).toBeGreaterThan(0);
      for (const move of f.moves!.items)
        expect([
          ...m.proactiveReactive.proactive.characteristics,
          ...m.proactiveReactive.proactive.activities,
        ]).toContain(move.text);
    }
    // Sourcing's moves include researching the prospect before reaching out.
    expect(byId(re.factors).sourcing.moves!.items.map((x) => x.text)).toContain(
      m.proactiveReactive.proactive.characteristics[1],
    );
    expect(pro.factors.every((f) => f.moves === null)).toBe(true);
  });

  it("reports rep answers as self-assessment; they position only what the store cannot see", () => {
    const p = byId(pro.factors);
    const self = p.customer_value.measures.find((x) => x.kind === "self_assessment")!;
    expect(p.customer_value.basis).toBe("self_assessment");
    expect(self.answers!.map((a) => a.answer)).toEqual(["always", "always", "always"]);
    expect(p.positioning.basis).toBe("store_and_self_assessment");
    // Answers about sourcing are shown beside the store's evidence but do not move it.
    const sourcingSelf = p.sourcing.measures.find((x) => x.kind === "self_assessment")!;
    expect(sourcingSelf.counted).toBe(false);
    expect(p.sourcing.basis).toBe("store");
    // The same rep without answers: positioning from the store alone, customer value unknown.
    const bare = byId(
      assessSellingApproach(m, proDeals, { scope: PROACTIVE.owner, team_medians: TEAM, rules }).factors,
    );
    expect(bare.positioning.basis).toBe("store");
    expect(bare.customer_value.position).toBeNull();
    expect(bare.customer_value.reason).toMatch(/Not answered.*quantify_roi/);
  });

  it("gives null positions with a reason, never a guess, when there are too few deals", () => {
    const r = assessSellingApproach(m, proDeals.filter((d) => d.status === "won").slice(0, 2), {
      scope: PROACTIVE.owner,
      team_medians: TEAM,
      rules,
    });
    for (const f of r.factors) {
      expect(f.position, f.id).toBeNull();
      expect(f.reason, f.id).toMatch(/\S/);
      expect(f.moves).toBeNull();
      for (const x of f.measures.filter((y) => y.kind === "store")) expect(x.value, x.id).toBeNull();
    }
    expect(byId(r.factors).win_rate.reason).toMatch(/Only 2 won or lost deals; at least 10 are needed/);
    expect(r.overall).toMatchObject({ position: null, positioned_factors: 0 });
    expect(r.overall.reason).toMatch(/at least 3/);
    expect(r.questions_to_answer.map((q) => q.id)).toContain("research_before_outreach");
  });

  it("without team medians, compares only what the reference gives absolute numbers for", () => {
    const f = byId(assessSellingApproach(m, proDeals, { scope: PROACTIVE.owner, rules }).factors);
    expect(f.cycle_time.position).toBeNull();
    expect(f.cycle_time.reason).toMatch(/team_medians\.cycle_days/);
    expect(f.deal_size.position).toBeNull();
    expect(f.win_rate.position).toBeGreaterThanOrEqual(4);
    expect(f.win_rate.measures.find((x) => x.id === "win_rate_vs_team")!.reason).toMatch(/team_medians\.win_rate/);
  });

  it("labels every factor's measures and thresholds as the reference's or this server's default", () => {
    for (const f of pro.factors) {
      expect(f.measures.length, f.id).toBeGreaterThan(0);
      expect(f.reference.source).toBe("reference");
      for (const x of f.measures) {
        expect(["reference", "default"], `${f.id}.${x.id}`).toContain(x.source);
        expect(x.source_name).toMatch(/the reference|this server's default/);
        if (x.source === "default") expect(x.rationale?.length ?? 0).toBeGreaterThan(20);
        for (const c of x.cuts) expect(["reference", "default"]).toContain(c.source);
      }
    }
    const f = byId(pro.factors);
    // The reference's typical win rates bound the scale; the steps between are this server's.
    const wr = f.win_rate.measures.find((x) => x.id === "win_rate_vs_reference")!;
    expect(wr.cuts.map((c) => [c.at, c.source])).toEqual([
      [45, "reference"],
      [50, "default"],
      [55, "default"],
      [60, "reference"],
    ]);
    expect(wr.threshold).toMatch(/35-45% .* 60-75%/);
    // Sourcing by share of outbound/referral/partner deals is this server's measure.
    expect(f.sourcing.measures[0]).toMatchObject({ id: "proactive_source_share", source: "default" });
    // "2-3 months shorter" and "20-30% higher" give the proactive end; the mirror image is ours.
    const cycle = f.cycle_time.measures[0]!.cuts;
    expect(cycle.find((c) => c.at === 2)!.source).toBe("reference");
    expect(cycle.find((c) => c.at === -2)!.source).toBe("default");
    expect(f.deal_size.measures[0]!.cuts.find((c) => c.at === 20)!.source).toBe("reference");
    expect(f.customer_value.measures[0]).toMatchObject({ kind: "self_assessment", source: "default" });
    expect(pro.scale.source).toBe("default");
  });
});

// ---------------------------------------------------------------- assess_lean_maturity

const IMMATURE: MaturityEvidence = {
  deals: 80,
  closed: 40,
  stage_checks_share: 0,
  overrides_share: 0,
  qualified_share_past_discovery: 0.35,
  waste_flags_per_open_deal: 2.4,
  close_reason_share: 0,
  baselines: 0,
  last_baseline_days_ago: null,
  activity_logging_per_deal: 1.5,
  win_loss_reviewed: false,
  segments_known_share: 0.3,
  readiness_known_share: 0.2,
};

const MATURE: MaturityEvidence = {
  deals: 400,
  closed: 250,
  stage_checks_share: 0.96,
  overrides_share: 0.03,
  qualified_share_past_discovery: 0.93,
  waste_flags_per_open_deal: 0.2,
  close_reason_share: 0.97,
  baselines: 7,
  last_baseline_days_ago: 21,
  activity_logging_per_deal: 9,
  win_loss_reviewed: true,
  segments_known_share: 0.95,
  readiness_known_share: 0.92,
};
const allMaturity = (a: RepAnswers[string]): RepAnswers =>
  Object.fromEntries(rules.data.maturity.questions.map((q) => [q.id, a]));
const phase = (id: string) => m.implementation.phases.find((p) => p.id === id)!;

describe("assessLeanMaturity", () => {
  it("rates a store with no gates, baselines or close reasons low on Process Design and Metrics, and starts at Phase 1", () => {
    const r = assessLeanMaturity(m, IMMATURE, { rules });
    const area = (id: string) => r.areas.find((a) => a.id === id)!;
    expect(area("process_design").level).toBe(1);
    expect(area("metrics_learning").level).toBeLessThanOrEqual(2);
    // With no gate checks, "no overrides" says nothing and is not counted.
    expect(area("process_design").signals.find((s) => s.id === "gate_overrides")).toMatchObject({
      level: null,
      reason: expect.stringMatching(/stage_checks_share is 0/),
    });
    expect(r.current_phase).toMatchObject({ id: "foundation", number: 1, weeks: "weeks 1-4" });
    const names = r.next_steps.map((s) => s.activity);
    expect(names).toEqual(
      expect.arrayContaining(["Define Core Framework", "Establish Baseline Metrics", "Current State Assessment"]),
    );
    expect(r.next_steps.every((s) => s.phase.id === "foundation")).toBe(true);
    const define = r.next_steps.find((s) => s.activity === "Define Core Framework")!;
    expect(define.items).toEqual(
      phase("foundation").key_activities.find((a) => a.name === "Define Core Framework")!.items,
    );
    expect(define.for.map((x) => x.id)).toContain("process_design");
    // No baseline: the reference's Phase 1 baseline metrics, to record first.
    expect(r.baseline_to_record).toMatchObject({
      activity: "Establish Baseline Metrics",
      reason: expect.stringMatching(/No baseline/),
      source: "reference",
    });
    expect(r.baseline_to_record!.metrics).toEqual(
      phase("foundation").key_activities.find((a) => a.name === "Establish Baseline Metrics")!.items,
    );
    // What the store cannot show stays unrated, with the questions that would rate it.
    expect(r.unrated.map((u) => u.id).sort()).toEqual(["customer_engagement", "customer_value", "respect_for_people"]);
    expect(r.unrated.find((u) => u.id === "respect_for_people")!.questions.length).toBeGreaterThan(0);
    expect(r.ongoing).toEqual([]);
  });

  it("rates a mature store high and recommends Phase 3 continuous improvement", () => {
    const r = assessLeanMaturity(m, MATURE, {
      rules,
      answers: { ...allMaturity("always"), regular_coaching: "often", lead_scoring: "often" },
    });
    for (const x of [...r.principles, ...r.areas]) expect(x.level, x.id).toBeGreaterThanOrEqual(4);
    expect(r.overall.rated).toBe(9);
    expect(r.overall.level!).toBeGreaterThanOrEqual(4.5);
    expect(r.current_phase).toMatchObject({ id: "continuous_improvement", number: 3, weeks: "week 13 on" });
    expect(r.next_steps.length).toBeGreaterThan(0);
    expect(r.next_steps.every((s) => s.phase.id === "continuous_improvement")).toBe(true);
    expect(r.next_steps.map((s) => s.activity)).toEqual(expect.arrayContaining(["Monthly Reviews & Kaizen"]));
    expect(r.ongoing).toEqual(phase("continuous_improvement").ongoing_activities);
    expect(r.baseline_to_record).toBeNull();
    expect(r.answers).toEqual({ used: rules.data.maturity.questions.length, ignored: [] });
  });

  it("asks for a fresh baseline when the last one is old", () => {
    const r = assessLeanMaturity(m, { ...MATURE, last_baseline_days_ago: 200 }, { rules });
    expect(r.baseline_to_record!.reason).toMatch(/200 days old \(older than 90 days\)/);
  });

  it("does not rate from too few deals, and with nothing to rate starts with the current state assessment", () => {
    const r = assessLeanMaturity(m, { ...IMMATURE, deals: 3, closed: 1, baselines: 0 }, { rules });
    const pd = r.areas.find((a) => a.id === "process_design")!;
    expect(pd.level).toBeNull();
    expect(pd.reason).toMatch(/Only 3 deals; at least 10/);
    // A missing baseline is a fact, not a sample: it still rates.
    expect(r.areas.find((a) => a.id === "metrics_learning")!.level).toBe(1);

    const none = assessLeanMaturity(
      m,
      { ...IMMATURE, deals: 0, closed: 0, baselines: 2, last_baseline_days_ago: 10 },
      {
        rules: {
          ...rules,
          data: {
            ...rules.data,
            maturity: {
              ...rules.data.maturity,
              rules: rules.data.maturity.rules.map((x) => ({
                ...x,
                signals: x.signals.filter((s) => !s.startsWith("baseline")),
              })),
            },
          },
        },
      },
    );
    expect(none.overall).toMatchObject({ level: null, rated: 0 });
    expect(none.current_phase).toBeNull();
    expect(none.next_steps.map((s) => [s.phase.id, s.activity])).toEqual([["foundation", "Current State Assessment"]]);
  });

  it("names the source of every rule and reports answers it does not know", () => {
    const r = assessLeanMaturity(m, IMMATURE, {
      rules,
      answers: {
        monthly_pipeline_review: "sometimes",
        not_a_question: "always",
        metrics_dashboard: "toString" as never,
      },
    });
    for (const x of [...r.principles, ...r.areas]) {
      for (const s of x.signals) expect(["reference", "default"], `${x.id}.${s.id}`).toContain(s.source);
    }
    expect(r.scale).toMatchObject({ source: "default", source_name: "this server's default" });
    expect(r.mapping.source).toBe("default");
    expect(r.answers).toEqual({ used: 1, ignored: ["not_a_question", "metrics_dashboard"] });
    const ml = r.areas.find((a) => a.id === "metrics_learning")!;
    expect(ml.basis).toBe("store_and_self_assessment");
    expect(ml.self_assessment_level).toBe(3);
  });
});

// ---------------------------------------------------------------- the data file

describe("data/assessments.json", () => {
  it("parses, and names what the other data files hold", () => {
    expect(() => checkAssessments(m, rules)).not.toThrow();
    expect(rules.data.selling.factors.map((f) => f.factor)).toEqual(
      m.proactiveReactive.comparison.map((c) => c.factor),
    );
  });

  it("stops with the path when a rule is broken", () => {
    const broken = structuredClone(RAW);
    broken.selling.factors[0].measures[0].cuts = [0.8, 0.6, 0.4, 0.2];
    expect(() => parseAssessments(broken)).toThrow(
      /data\/assessments\.json at selling\.factors\[0\]\.measures\[0\]\.cuts: the four cuts must rise/,
    );
    const renamed = structuredClone(RAW);
    renamed.selling.factors[0].factor = "Lead Source";
    expect(() => checkAssessments(m, parseAssessments(renamed))).toThrow(MethodologyDataError);
    const phaseless = structuredClone(RAW);
    phaseless.maturity.phases.steps.process_design.foundation = ["Hold a Retreat"];
    expect(() => checkAssessments(m, parseAssessments(phaseless))).toThrow(
      /phase foundation has no key activity "Hold a Retreat"/,
    );
    const typo = structuredClone(RAW);
    typo.selling.factors[2].measures[0].feature_led_types = ["demos"];
    expect(() => checkAssessments(m, parseAssessments(typo))).toThrow(/no activity type demos/);
  });

  it("rounds an exact half toward the middle of the scale", () => {
    expect([1.5, 2.5, 3.5, 4.5, 4.6, 1.4].map(toStep)).toEqual([2, 3, 3, 4, 5, 1]);
  });
});
