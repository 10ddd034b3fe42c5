// `export`: every deal as CSV (our field names, re-importable) or JSON, to a file or stdout.
import { renameSync, openSync, writeSync, closeSync } from "node:fs";
import { ConfigError, type Config } from "../config.js";
import type { Deps } from "../app/deps.js";
import { layoutDiffers } from "../app/stage-layout.js";
import { dealsToCsv } from "../app/export.js";
import { presentDeal } from "../app/deal-view.js";
import type { Terminal } from "./terminal.js";

export async function exportCommand(config: Config, deps: Deps, term: Terminal): Promise<void> {
  const { out } = term;
  const format = (config.options.format as string | undefined) ?? "csv";
  if (format !== "csv" && format !== "json") throw new ConfigError(`--format must be csv or json, got ${format}`);
  const store = deps.store();
  // Export never moves a store; its stage ids must be the methodology's to be read back.
  const differs = layoutDiffers(store, deps.methodology);
  if (differs)
    throw new ConfigError(
      `${differs} Export never moves a store: ${
        config.methodology
          ? "start the server once with this methodology to move the store onto its stages, then export"
          : "export with the methodology the server runs on (--methodology or LEAN_SALES_METHODOLOGY), or copy the store as it is with lean-sales-mcp backup FILE"
      }. Nothing was written.`,
    );
  const target = config.options.out as string | undefined;
  const tmp = target ? `${target}.partial` : undefined;
  const fd = tmp ? openSync(tmp, "w") : undefined;
  const write = fd === undefined ? out : (s: string) => void writeSync(fd, s);
  let after = 0;
  let n = 0;
  if (format === "json") write("[\n");
  for (;;) {
    const { deals } = store.listDeals({}, 1000, after);
    if (deals.length === 0) break;
    if (format === "csv") write(dealsToCsv(deals, n === 0));
    else
      write(
        deals.map((d, i) => `${n + i > 0 ? ",\n" : ""}${JSON.stringify(presentDeal(deps.methodology, d))}`).join(""),
      );
    n += deals.length;
    after = Number(deals[deals.length - 1]!.id.slice(2));
  }
  if (format === "json") write("\n]\n");
  else if (n === 0) write(dealsToCsv([], true));
  if (fd !== undefined && tmp && target) {
    closeSync(fd);
    renameSync(tmp, target);
    term.err(`exported ${n} deals to ${target}\n`);
  }
}
