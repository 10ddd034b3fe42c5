// `backup FILE`: a consistent, integrity-checked copy of the store while others write.
import { existsSync } from "node:fs";
import { resolve } from "node:path";
import { ConfigError, type Config } from "../config.js";
import type { Deps } from "../app/deps.js";
import type { Terminal } from "./terminal.js";

export async function backupCommand(config: Config, deps: Deps, term: Terminal): Promise<void> {
  const { out } = term;
  const dest = config.args[0];
  if (!dest) throw new ConfigError("backup needs a destination file: lean-sales-mcp backup FILE");
  if (existsSync(dest)) throw new ConfigError(`${dest} already exists; choose a new file name.`);
  const started = Date.now();
  deps.store().backupTo(dest);
  out(`backup of ${resolve(config.db)} written to ${resolve(dest)} in ${Date.now() - started} ms (integrity ok)\n`);
}
