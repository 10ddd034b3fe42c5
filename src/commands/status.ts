// `status`: which store file is in use, its schema version, integrity and row counts.
import { resolve } from "node:path";
import { type Config } from "../config.js";
import type { Deps } from "../app/deps.js";
import { VERSION } from "../version.js";
import type { Terminal } from "./terminal.js";

export async function statusCommand(config: Config, deps: Deps, term: Terminal): Promise<void> {
  const { out } = term;
  const store = deps.store();
  const info = { version: VERSION, db: resolve(config.db), ...store.status(), counts: store.counts() };
  out(
    config.options.json
      ? `${JSON.stringify(info, null, 2)}\n`
      : `${Object.entries(info)
          .map(([k, v]) => `${k}: ${typeof v === "object" ? JSON.stringify(v) : v}`)
          .join("\n")}\n`,
  );
}
