// A store that outlives a change of stages. Deals keep stage ids and positions; when the
// methodology's stages differ from those the store was written with, the store is moved onto
// them once, in one transaction: a stage that is gone goes where stages.json's stage_map sends
// it, positions follow the new order, and each moved deal's history records the move. A stored
// stage with nowhere to go is never dropped or relabelled silently: the store is refused with the
// stage ids and deal counts, and nothing is written. Read-only servers never write: they refuse
// any change the same way.
import type { Methodology } from "../methodology/load.js";
import { StoreError, type DealStore } from "../store/types.js";
import { closest } from "./schemas.js";

export interface StageLayoutChange {
  /** Old stage id -> the stage it now is (only ids that changed). */
  moved: Record<string, string>;
  /** Deals whose current or past stage moved. */
  deals: number;
  /** Rows rewritten, and history rows folded into one stay where stages merged. */
  rows: number;
  folded: number;
}

/**
 * Brings the store onto the methodology's stages (undefined when it already was), and has it
 * refuse later writes if another process moves it onto other stages while this one runs.
 */
export function syncStageLayout(
  store: DealStore,
  m: Methodology,
  opts: { readOnly?: boolean; now: string; starting?: (moved: Record<string, string>) => void },
): StageLayoutChange | undefined {
  const stages = m.stages.map((s) => s.id);
  if (sameStages(store.stageLayout(), stages)) {
    store.followStages(stages);
    return undefined;
  }
  const plan = () => {
    const { map, homeless } = stageLayoutPlan(store, m);
    if (homeless.length > 0) throw homelessError(m, homeless, store.stageLayout());
    return map;
  };
  if (opts.readOnly) {
    plan();
    throw new StoreError(
      `${layoutDiffers(store, m)} A read-only server does not move stored deals: start it once without --read-only to apply the change. Nothing was changed.`,
    );
  }
  const change = store.transaction(() => {
    // Another process may have applied it meanwhile: re-read inside the write lock.
    if (sameStages(store.stageLayout(), stages)) return undefined;
    const map = plan();
    const moving = Object.fromEntries(Object.entries(map).filter(([from, to]) => from !== to));
    opts.starting?.(moving);
    return { moved: moving, ...store.applyStageLayout(stages, map, opts.now) };
  });
  store.followStages(stages);
  return change;
}

/**
 * Where each stage the store refers to goes under the methodology's stages (`map`: itself, or
 * through stage_map), and the stages with deals that have nowhere to go (`homeless`).
 */
export function stageLayoutPlan(
  store: DealStore,
  m: Methodology,
): { map: Record<string, string>; homeless: Array<{ stage: string; deals: number }> } {
  const used = store.stageUsage();
  const known = new Set([...store.stageLayout(), ...used.map((u) => u.stage)]);
  const map: Record<string, string> = {};
  const homeless: Array<{ stage: string; deals: number }> = [];
  for (const id of known) {
    const to = m.resolveStage(id);
    if (to !== undefined) map[id] = to;
    else {
      const deals = used.find((u) => u.stage === id)?.deals ?? 0;
      // A stage of the old layout that no deal ever touched has nothing to move.
      if (deals > 0) homeless.push({ stage: id, deals });
    }
  }
  return { map, homeless };
}

const sameStages = (a: readonly string[], b: readonly string[]) =>
  a.length === b.length && a.every((id, i) => id === b[i]);

/** "proposal (2 deals), success (1 deal)": stages with their deal counts, as refusals name them. */
export const stageCounts = (list: ReadonlyArray<{ stage: string; deals: number }>) =>
  list.map((h) => `${h.stage} (${h.deals} deal${h.deals === 1 ? "" : "s"})`).join(", ");

/** What differs between the store's stages and the methodology's, in a sentence; undefined when nothing. */
export function layoutDiffers(store: DealStore, m: Methodology): string | undefined {
  const layout = store.stageLayout();
  const stages = m.stages.map((s) => s.id);
  if (sameStages(layout, stages)) return undefined;
  return `The store was written with the stages ${layout.join(", ")}; the methodology has ${stages.join(", ")}.`;
}

function homelessError(
  m: Methodology,
  homeless: Array<{ stage: string; deals: number }>,
  layout: readonly string[],
): StoreError {
  const list = stageCounts(homeless);
  const ids = m.stages.map((s) => s.id);
  const example = `"stage_map": { ${homeless.map((h) => `"${h.stage}": "${closest(h.stage, ids)}"`).join(", ")} }`;
  // The stages are the store's own (the last server that opened it had them): most often this
  // server was started without the methodology folder the store was moved with.
  const own = homeless.every((h) => layout.includes(h.stage))
    ? ` The store's stages are ${layout.join(", ")}, as the last server to open it had them: if that server ran with a methodology folder, start this one with the same folder (--methodology DIR or LEAN_SALES_METHODOLOGY).`
    : "";
  return new StoreError(
    `The store holds deals in stages the methodology does not have: ${list}.${own} To move them onto this methodology's stages instead, map each to one of ${ids.join(", ")} in stages.json (e.g. ${example}) and start again. Nothing was changed.`,
  );
}
