// The two self-assessments as use cases: the store's records reduced to the evidence the pure
// rules read (methodology/assessment.ts), with what to compare a seller with.
import {
  assessLeanMaturity,
  assessSellingApproach,
  assessmentRules,
  type MaturityAssessment,
  type MaturityEvidence,
  type RepAnswers,
  type SellingAssessment,
  type TeamMedians,
} from "../methodology/assessment.js";
import type { Methodology } from "../methodology/load.js";
import type { DealFilters, DealStore } from "../store/types.js";
import { measure } from "./metrics.js";
import { analysePipeline } from "./pipeline-analysis.js";
import { resolvePeriod } from "./period.js";
import { localDay } from "../zone.js";

const DAY = 86_400_000;
const share = (n: number, of: number) => (of > 0 ? n / of : 0);

/**
 * How proactively one owner (or the team) sells, from the deals created in the period. An owner is
 * compared with the team's medians over the same period; the team with its latest baseline, if any.
 */
export function assessSelling(
  m: Methodology,
  store: DealStore,
  input: { owner?: string; from?: string; to?: string; answers?: RepAnswers },
  now: Date,
): SellingAssessment & { compared_with: string | null } {
  const rules = assessmentRules(m);
  const period = resolvePeriod({ from: input.from, to: input.to }, undefined, now);
  const scope: DealFilters = {
    ...(input.from ? { from: input.from } : {}),
    ...(input.to ? { to: input.to } : {}),
    date_field: "created_at",
  };
  const deals = store.sellingEvidence(
    input.owner ? { ...scope, owner: input.owner } : scope,
    rules.data.selling.evidence,
  );
  let team_medians: TeamMedians | undefined;
  let compared_with: string | null = null;
  if (input.owner) {
    const t = measure(m, store, { from: input.from, to: input.to }, period, m.currency);
    team_medians = {
      win_rate: t.win_rate,
      cycle_days: t.cycle_time.won.median_days,
      deal_size: t.median_deal_size,
      currency: m.currency,
    };
    compared_with = "the team's medians over the same period";
  } else {
    const label = store.analytics().baselineLabels("", 1)[0];
    const b = label ? store.analytics().baseline(label) : undefined;
    const x = b?.metrics as
      | {
          win_rate?: number | null;
          cycle_time?: { won?: { median_days?: number | null } };
          median_deal_size?: number | null;
        }
      | undefined;
    if (b && x) {
      team_medians = {
        win_rate: x.win_rate ?? null,
        cycle_days: x.cycle_time?.won?.median_days ?? null,
        deal_size: x.median_deal_size ?? null,
        currency: m.currency,
      };
      compared_with = `the baseline "${b.label}" of ${localDay(b.as_of)}`;
    }
  }
  const result = assessSellingApproach(m, deals, {
    scope: input.owner ?? "team",
    rules,
    ...(team_medians ? { team_medians } : {}),
    ...(input.answers ? { answers: input.answers } : {}),
  });
  return { ...result, compared_with };
}

/** The store's evidence for the maturity assessment, as shares and counts. */
export function maturityEvidence(m: Methodology, store: DealStore, now: Date): MaturityEvidence {
  const f = store.maturityFacts(m.stageIndex(m.bant.qualification_stage.stage));
  const flags = f.open
    ? analysePipeline(m, store, {}, now)
        .report.findings.filter((x) => x.rule !== "closed_without_reason" && x.rule !== "loss_from_errors")
        .reduce((n, x) => n + x.deal_count, 0)
    : 0;
  return {
    deals: f.deals,
    closed: f.closed,
    stage_checks_share: share(f.moves_passed, f.moves),
    overrides_share: share(f.moves_overridden, f.moves),
    qualified_share_past_discovery: share(f.open_past_qualification_qualified, f.open_past_qualification),
    waste_flags_per_open_deal: share(flags, f.open),
    close_reason_share: share(f.closed_won_lost_with_reason, f.closed_won_lost),
    baselines: f.baselines,
    last_baseline_days_ago: f.last_baseline_at
      ? Math.max(0, Math.floor((+now - Date.parse(f.last_baseline_at)) / DAY))
      : null,
    activity_logging_per_deal: share(f.activities, f.deals),
    win_loss_reviewed: f.win_loss_baselines > 0,
    segments_known_share: share(f.with_segment, f.deals),
    readiness_known_share: share(f.with_readiness, f.deals),
  };
}

export function assessMaturity(
  m: Methodology,
  store: DealStore,
  input: { answers?: RepAnswers },
  now: Date,
): MaturityAssessment & { evidence: MaturityEvidence } {
  const evidence = maturityEvidence(m, store, now);
  const result = assessLeanMaturity(m, evidence, {
    rules: assessmentRules(m),
    ...(input.answers ? { answers: input.answers } : {}),
  });
  return { ...result, evidence };
}
