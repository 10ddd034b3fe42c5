// The stored pipeline through the seven wastes: the store's facts and norms fed to the pure
// rule (methodology/pipeline-waste.ts). Shared by find_waste and the pipeline report.
import type { Methodology } from "../methodology/load.js";
import { findPipelineWaste, normKey, type PipelineWasteReport, type StageNorms } from "../methodology/pipeline-waste.js";
import type { DealFilters, DealStore } from "../store/types.js";

export const MAX_FLAGS_PER_RULE = 100;

export function analysePipeline(m: Methodology, store: DealStore, filters: DealFilters, asOf: Date): { report: PipelineWasteReport; norms: StageNorms } {
  const norms: StageNorms = new Map(store.stageNorms().map((n) => [normKey(n.tier, n.stage), n]));
  const at = asOf.toISOString();
  const report = findPipelineWaste(
    m,
    {
      open: store.openDealFacts(filters, at),
      closed: store.closedFacts(filters, at, MAX_FLAGS_PER_RULE),
      lostDeals: (reasons, limit) => store.lostDealsWithReasons(filters, at, reasons, limit),
    },
    { as_of: asOf, norms, max_flags_per_rule: MAX_FLAGS_PER_RULE },
  );
  return { report, norms };
}
