// `status`: which store file is in use, its schema version, integrity and row counts.
import { resolve } from "node:path";
import { type Config } from "../config.js";
import type { Deps } from "../app/deps.js";
import { layoutDiffers } from "../app/stage-layout.js";
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
    ...(differs
      ? {
          stages_note: `${differs} The server moves the store onto its stages at start-up, or refuses with what is missing.`,
        }
      : {}),
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
