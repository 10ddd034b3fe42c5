// The stored pipeline through the seven wastes: the store's facts and norms fed to the pure
// rule (methodology/pipeline-waste.ts). Shared by find_waste and the pipeline report.
import type { Methodology } from "../methodology/load.js";
import {
  dealWarnings,
  findPipelineWaste,
  normKey,
  type DealWarning,
  type PipelineWasteReport,
  type StageNorms,
} from "../methodology/pipeline-waste.js";
import type { DealFilters, DealStore } from "../store/types.js";

export const MAX_FLAGS_PER_RULE = 100;

// The last few analyses per store, kept until the store changes: a pipeline review asks again
// (find_waste, then the report) of data that has not moved.
const recent = new WeakMap<DealStore, Map<string, { report: PipelineWasteReport; norms: StageNorms }>>();

/**
 * The pipeline's waste as of asOf. With pointInTime (asOf before now) every deal is taken as it
 * stood then, and the stage-time norms are learned only from exits made by then.
 */
export function analysePipeline(
  m: Methodology,
  store: DealStore,
  filters: DealFilters,
  asOf: Date,
  pointInTime = false,
): { report: PipelineWasteReport; norms: StageNorms } {
  const key = `${store.analytics().version()}|${asOf.toISOString()}|${pointInTime}|${JSON.stringify(filters)}`;
  let cache = recent.get(store);
  if (!cache) recent.set(store, (cache = new Map()));
  const hit = cache.get(key);
  if (hit) return hit;
  const result = compute(m, store, filters, asOf, pointInTime);
  if (cache.size >= 4) cache.delete(cache.keys().next().value!);
  cache.set(key, result);
  return result;
}

const norms = (store: DealStore, before?: string): StageNorms =>
  new Map(store.stageNorms(before).map((n) => [normKey(n.tier, n.stage), n]));

/**
 * The pipeline rules a deal will break once it stands in `stage` from `at` (a stage move resets
 * its time in stage and its meetings and proposals there): the same rules find_waste applies.
 */
export function warningsAfterMove(
  m: Methodology,
  store: DealStore,
  dealId: string,
  stage: { index: number; at: string },
  now: Date,
): DealWarning[] {
  const facts = store.dealFacts(dealId, {
    internal: m.wasteRules.pipeline.internal_activity_types,
    customer: m.wasteRules.pipeline.customer_facing_activity_types,
  });
  const after = {
    ...facts,
    stage_index: stage.index,
    stage_entered_ms: Date.parse(stage.at),
    meetings_in_stage: 0,
    proposals_in_stage: 0,
    proposal_notes: "",
  };
  return dealWarnings(m, after, { as_of: now, norms: norms(store) });
}

function compute(
  m: Methodology,
  store: DealStore,
  filters: DealFilters,
  asOf: Date,
  pointInTime: boolean,
): { report: PipelineWasteReport; norms: StageNorms } {
  const at = asOf.toISOString();
  const stageNorms = norms(store, pointInTime ? at : undefined);
  const report = findPipelineWaste(
    m,
    {
      open: store.openDealFacts(
        filters,
        at,
        {
          internal: m.wasteRules.pipeline.internal_activity_types,
          customer: m.wasteRules.pipeline.customer_facing_activity_types,
        },
        pointInTime,
      ),
      closed: store.closedFacts(filters, at, MAX_FLAGS_PER_RULE, pointInTime),
      lostDeals: (reasons, limit) => store.lostDealsWithReasons(filters, at, reasons, limit, pointInTime),
      nurtureDue: store.nurtureDue(filters, at, MAX_FLAGS_PER_RULE),
    },
    { as_of: asOf, norms: stageNorms, max_flags_per_rule: MAX_FLAGS_PER_RULE },
  );
  return { report, norms: stageNorms };
}
