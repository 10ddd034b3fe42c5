// `status`: which store file is in use, its schema version, integrity and row counts.
import { resolve } from "node:path";
import { type Config } from "../config.js";
import type { Deps } from "../app/deps.js";
import { layoutDiffers, stageCounts, stageLayoutPlan } from "../app/stage-layout.js";
import type { DealStore } from "../store/types.js";
import { VERSION } from "../version.js";
import type { Terminal } from "./terminal.js";

export async function statusCommand(config: Config, deps: Deps, term: Terminal): Promise<void> {
  const { out } = term;
  const store = deps.store();
  // The stages the store's positions refer to; a difference from the methodology's is moved
  // (or refused) when the server next starts, never here.
  const differs = layoutDiffers(store, deps.methodology);
  const info = {
    version: VERSION,
    db: resolve(config.db),
    ...store.status(),
    stages: store.stageLayout(),
    ...(differs ? { stages_note: `${differs} ${startsOn(store, deps)}` } : {}),
    counts: store.counts(),
  };
  out(
    config.options.json
      ? `${JSON.stringify(info, null, 2)}\n`
      : `${Object.entries(info)
          .map(([k, v]) => `${k}: ${typeof v === "object" ? JSON.stringify(v) : v}`)
          .join("\n")}\n`,
  );
}

/** What a server on this methodology would do with the store (status never moves it). */
function startsOn(store: DealStore, deps: Deps): string {
  const { homeless } = stageLayoutPlan(store, deps.methodology);
  if (homeless.length === 0) return "A server on this methodology moves the store onto its stages when it starts.";
  return `A server on this methodology refuses the store: ${stageCounts(homeless)} have no stage in it. Start with the methodology folder the store was moved with (--methodology DIR), or map those stages in its stages.json.`;
}
