import { z } from "zod";
import type { Methodology } from "../../methodology/load.js";
import { qualificationScore, qualificationStatuses, signalsOf } from "../../methodology/qualify.js";
import { amountBucket, explain, winProbability, type FeatureValues } from "../../methodology/scoring.js";
import type { ScoringFeature } from "../../methodology/schema.js";
import { defineTool, reply } from "../define.js";
import { Segment } from "../../app/deal-view.js";
import {
  qualificationStatusShape,
  cleanText,
  Count,
  DealId,
  Money,
  Months,
  Reasons,
  stageRef,
  Tier,
} from "../../app/schemas.js";
import { deriveSegment } from "../../app/derive.js";
import { InputError } from "../../methodology/errors.js";
import { trainedModel } from "../../app/lead-scoring.js";

export default defineTool({
  name: "score_lead",
  title: "Score a lead",
  kind: "read",
  description: (m) =>
    [
      `Win probability of a deal or new lead, learned from the store's closed deals, with the factors that move it and held-out AUC (${m.qualification.name} score below ${m.scoring.min_closed_per_class} won and ${m.scoring.min_closed_per_class} lost). Give what the rep knows; the segment is derived.`,
      `Example: ${example(m)}`,
    ].join(" "),
  input: (m) => ({
    deal_id: DealId.optional(),
    employees: Count.optional(),
    annual_revenue: Money.optional(),
    amount: Money.optional(),
    source: cleanText(100).optional().describe("lead source, e.g. referral"),
    ...qualificationStatusShape(m),
    actively_evaluating: z.boolean().optional(),
    timeline_months: Months.optional().describe("until they intend to buy"),
    tier: Tier.optional().describe("overrides size"),
    segment: Segment.optional().describe("overrides size and readiness"),
    stage: stageRef(m).optional().describe("default the first stage"),
  }),
  output: {
    win_probability: z.number().min(0).max(1),
    fallback: z.boolean(),
    factors: z.array(
      z.object({
        feature: z.string(),
        label: z.string(),
        value: z.string(),
        effect: z.number(),
        direction: z.enum(["up", "down"]),
        detail: z.string(),
      }),
    ),
    top_up: z.array(z.string()),
    top_down: z.array(z.string()),
    trained_on: z.object({ won: z.number(), lost: z.number(), total: z.number() }),
    base_win_rate: z.number().nullable(),
    auc: z.number().nullable(),
    brier: z.number().nullable(),
    bant_auc: z.number().nullable(),
    holdout_deals: z.number(),
    bant_score: z.number().nullable(),
    deal_id: DealId.optional(),
    reasons: Reasons,
  },
  handle(input, ctx) {
    const m = ctx.methodology;
    const store = ctx.store();
    const values: FeatureValues = {};
    const derivation: string[] = [];
    // When the deal's qualification is another framework's (not scored under this one).
    const notes: string[] = [];
    const fw = m.qualification;
    // The active framework's statuses: the deal's last qualification (if made under it), or what was sent.
    let statuses: Record<string, string> = {};
    if (input.deal_id) {
      const d = store.requireDeal(input.deal_id);
      if (d.status !== "open")
        throw new InputError(`${d.id} is already ${d.status}; score_lead scores open deals and prospects.`, "deal_id");
      Object.assign(values, {
        segment: d.segment,
        source: d.source,
        bant_budget: d.bant?.budget ?? null,
        bant_authority: d.bant?.authority ?? null,
        bant_need: d.bant?.need ?? null,
        bant_timeline: d.bant?.timeline ?? null,
        amount_bucket: d.currency === m.currency ? amountBucket(m, d.amount) : null,
        reached_stage: m.stageIndex(d.stage as never),
      });
      const q = store.latestQualification(d.id);
      if (q && q.framework === fw.id) statuses = q.statuses;
      else if (q)
        notes.push(
          `${d.id}'s last qualification was under ${m.frameworks.find((f) => f.id === q.framework)?.name ?? q.framework}, so its ${fw.name} score counts every dimension unknown; qualify it again with qualify_prospect.`,
        );
    } else {
      const given = input as unknown as Record<string, string | undefined>;
      for (const dim of fw.dimensions) if (given[dim.id]) statuses[dim.id] = given[dim.id]!;
      const signals = signalsOf(m, statuses);
      const status = { budget: signals.budget ?? undefined, timeline: signals.timeline ?? undefined };
      const segment = input.segment ?? leadSegment(m, input, status, derivation);
      if (segment) values.segment = segment;
      if (input.source) values.source = input.source;
      // The model learns from the budget, authority, need and timeline signals of every framework.
      if (signals.budget) values.bant_budget = signals.budget;
      if (signals.authority) values.bant_authority = signals.authority;
      if (signals.need) values.bant_need = signals.need;
      if (signals.timeline) values.bant_timeline = signals.timeline;
      if (input.amount !== undefined) values.amount_bucket = amountBucket(m, input.amount);
      values.reached_stage = m.stageIndex(input.stage ?? m.stages[0]!.id);
    }
    const bant = qualificationScore(
      m,
      qualificationStatuses(m, Object.fromEntries(Object.entries(statuses).map(([k, v]) => [k, { status: v }]))),
    );
    const t = trainedModel(m, store);
    const min = m.scoring.min_closed_per_class;
    const trained_on = { won: t.model.won, lost: t.model.lost, total: t.model.won + t.model.lost };
    const base = trained_on.total ? Math.round((t.model.won / trained_on.total) * 10000) / 10000 : null;
    const common = {
      trained_on,
      base_win_rate: base,
      holdout_deals: t.quality.holdout_deals,
      bant_score: bant,
      ...(input.deal_id ? { deal_id: input.deal_id } : {}),
    };

    if (t.model.won < min || t.model.lost < min) {
      const why = `Only ${t.model.won} won and ${t.model.lost} lost deals are closed in the store; the model needs at least ${min} of each, so this is the ${fw.name} score (${bant}/100) as a probability.`;
      return reply(
        {
          win_probability: bant / 100,
          fallback: true,
          factors: [],
          top_up: [],
          top_down: [],
          auc: null,
          brier: null,
          bant_auc: null,
          ...common,
          reasons: [why, ...notes],
        },
        [`**Win probability ${Math.round(bant)}%** (fallback: ${fw.name} score).`, why],
      );
    }
    const features = m.scoring.features.map((f) => f.id as ScoringFeature);
    const { p, contributions } = winProbability(t.model, features, values);
    const factors = explain(m, t.model, contributions);
    const top = m.scoring.top_factors;
    const top_up = factors
      .filter((f) => f.direction === "up")
      .slice(0, top)
      .map((f) => `${f.label}: ${f.value} (${f.detail})`);
    const top_down = factors
      .filter((f) => f.direction === "down")
      .slice(0, top)
      .map((f) => `${f.label}: ${f.value} (${f.detail})`);
    const r3 = (v: number | null) => (v === null ? null : Math.round(v * 1000) / 1000);
    const reasons = [
      ...derivation,
      ...notes,
      `Learned from ${trained_on.total} closed deals (${trained_on.won} won, ${trained_on.lost} lost); base win rate ${base === null ? "n/a" : `${Math.round(base * 1000) / 10}%`}.`,
      `Held-out quality on ${t.quality.holdout_deals} deals (scored without the stage reached): AUC ${r3(t.quality.auc)}, Brier ${r3(t.quality.brier)}; the stored ${fw.name} score alone ranks them with AUC ${r3(t.quality.bant_auc)}.`,
    ];
    return reply(
      {
        win_probability: Math.round(p * 10000) / 10000,
        fallback: false,
        factors,
        top_up,
        top_down,
        auc: r3(t.quality.auc),
        brier: r3(t.quality.brier),
        bant_auc: r3(t.quality.bant_auc),
        ...common,
        reasons,
      },
      [
        `**Win probability ${Math.round(p * 100)}%** (base rate ${base === null ? "n/a" : `${Math.round(base * 100)}%`}; model AUC ${r3(t.quality.auc)} on held-out deals)`,
        ...(top_up.length ? [`Up: ${top_up.join("; ")}`] : []),
        ...(top_down.length ? [`Down: ${top_down.join("; ")}`] : []),
      ],
    );
  },
});

/** A valid call under the active framework: the budget dimension (else the need one) at its best status. */
function example(m: Methodology): string {
  const fw = m.qualification;
  const dim =
    fw.dimensions.find((d) => d.id === (fw.signals.budget.dimension ?? fw.signals.need.dimension)) ?? fw.dimensions[0]!;
  return JSON.stringify({ employees: 450, source: "referral", [dim.id]: dim.statuses[0]!.id, amount: 40000 });
}

/**
 * The segment of a new lead from what the rep knows, as classify_segment derives it: tier from
 * size (or the tier given), readiness from the buying signals (unknown without one).
 */
function leadSegment(
  m: Methodology,
  input: {
    employees?: number;
    annual_revenue?: number;
    amount?: number;
    tier?: string;
    actively_evaluating?: boolean;
    timeline_months?: number;
  },
  status: { budget?: string; timeline?: string },
  notes: string[],
): string | undefined {
  const seg = deriveSegment(m, {
    employees: input.employees,
    annual_revenue: input.annual_revenue,
    amount: input.amount,
    tier: (input.tier as never) ?? null,
    actively_evaluating: input.actively_evaluating,
    timeline_months: input.timeline_months,
    budget_status: status.budget,
    timeline_status: status.timeline,
  });
  if (!seg) {
    notes.push(
      "Nothing places the lead in a tier (employees, annual_revenue, amount or tier), so the segment is left out of the score.",
    );
    return undefined;
  }
  notes.push(
    `Segment ${seg.segment}: tier ${seg.tier} and readiness ${seg.readiness} from what is known, as classify_segment places it.`,
  );
  return seg.segment;
}
