import { type DealStore } from "../store/types.js";
import { type Methodology } from "../methodology/load.js";
import {
  type NaiveBayesModel,
  type Quality,
  type TrainingRow,
  addExample,
  emptyModel,
  evaluate,
} from "../methodology/scoring.js";
// The lead-scoring model, trained on the store's closed deals and kept until the store changes.

export interface Trained {
  version: string;
  model: NaiveBayesModel;
  quality: Quality;
}

// One trained model per store, rebuilt when any closed deal changes.
const cache = new WeakMap<DealStore, Trained>();

/** Trains on every closed won/lost deal; quality comes from a model trained without the held-out share. */
export function trainedModel(m: Methodology, store: DealStore): Trained {
  const version = store.analytics().version();
  const hit = cache.get(store);
  if (hit && hit.version === version) return hit;
  const cfg = m.scoring;
  const features = cfg.features.map((f) => f.id);
  const full = emptyModel(cfg.smoothing_alpha);
  const train = emptyModel(cfg.smoothing_alpha);
  for (const row of store.analytics().scoringRows(cfg.amount_buckets, cfg.holdout_every, "all")) {
    addExample(full, features, row as TrainingRow);
    if (!row.holdout) addExample(train, features, row as TrainingRow);
  }
  // Closed deals all reached the end of their road, so the stage they reached would give the
  // outcome away: held-out deals are scored without it (a conservative, first-contact quality).
  const evalFeatures = features.filter((f) => f !== "reached_stage");
  const quality = evaluate(
    train,
    evalFeatures,
    store.analytics().scoringRows(cfg.amount_buckets, cfg.holdout_every, "holdout") as Iterable<TrainingRow>,
  );
  const t = { version, model: full, quality };
  cache.set(store, t);
  return t;
}
