// `restore FILE`: the store's contents replaced by a checked backup (--force over existing deals).
import { existsSync } from "node:fs";
import { resolve } from "node:path";
import { ConfigError, type Config } from "../config.js";
import type { Deps } from "../app/deps.js";
import type { Terminal } from "./terminal.js";

export async function restoreCommand(config: Config, deps: Deps, term: Terminal): Promise<void> {
  const { out } = term;
  const src = config.args[0];
  if (!src) throw new ConfigError("restore needs a backup file: lean-sales-mcp restore FILE");
  if (!existsSync(src)) throw new ConfigError(`${src} does not exist.`);
  const store = deps.store();
  if ((store.counts().deals ?? 0) > 0 && !config.options.force) {
    throw new ConfigError(`${config.db} already holds deals; pass --force to replace them with ${src}.`);
  }
  const { deals } = await store.restoreFrom(src);
  out(`restored ${deals} deals from ${resolve(src)} into ${resolve(config.db)}\n`);
}
