// Shared test factories: a realistic seeded pipeline (the demo generator, so tests and the demo
// agree), and small deals built field by field.
import { generateDeals, loadPipeline } from "../../src/app/demo/generate.js";
import type { Deal, NewDeal } from "../../src/store/types.js";
import type { Harness } from "./connect.js";

/** A pipeline of `deals` generated deals (won, lost, open; every segment) as of the harness's day. */
export function seedStore(h: Harness, opts: { deals?: number; seed?: number; as_of?: string } = {}) {
  const as_of = opts.as_of ?? h.deps.now().toISOString().slice(0, 10);
  return loadPipeline(
    h.store,
    generateDeals({ seed: opts.seed ?? 42, deals: opts.deals ?? 300, as_of, methodology: h.deps.methodology }),
    h.deps.now().toISOString(),
    h.deps.methodology,
  );
}

/** Enough closed history for score_lead to train (at least 30 won and 30 lost). */
export async function seedClosedDeals(h: Harness, deals = 200) {
  return seedStore(h, { deals });
}

let counter = 0;
/** One deal with sensible defaults; override any field. */
export function makeDeal(h: Harness, over: Partial<NewDeal> = {}): Deal {
  const n = ++counter;
  const stage = over.stage ?? h.deps.methodology.stages[0]!.id;
  const at = over.created_at ?? "2026-10-01T00:00:00.000Z";
  return h.store.createDeal(
    {
      name: `Deal ${n}`,
      account: `Account ${n}`,
      owner: "Dana Lee",
      currency: "USD",
      stage,
      stage_index: h.deps.methodology.stageIndex(stage as never),
      created_at: at,
      stage_entered_at: at,
      ...over,
    },
    h.deps.now().toISOString(),
  );
}
