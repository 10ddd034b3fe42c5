// `demo`: a deterministic demo pipeline in the store.
import { resolve } from "node:path";
import { ConfigError, type Config } from "../config.js";
import type { Deps } from "../app/deps.js";
import type { Terminal } from "./terminal.js";
import { localDate } from "../zone.js";

/** `demo`: a deterministic pipeline; the same seed and as-of give the same store. */
export async function demoCommand(config: Config, deps: Deps, { out }: Terminal): Promise<void> {
  const { generateDeals, loadPipeline } = await import("../app/demo/generate.js");
  const int = (flag: string, fallback: number, max: number) => {
    const v = config.options[flag];
    if (v === undefined) return fallback;
    const n = Number(v);
    if (typeof v !== "string" || !/^\d+$/.test(v) || n > max)
      throw new ConfigError(
        `--${flag} must be a whole number from 0 to ${max.toLocaleString("en-US")}, got ${String(v)}`,
      );
    return n;
  };
  const seed = int("seed", 42, 2 ** 32 - 1);
  const deals = int("deals", 300, 10_000_000);
  const asOf = (config.options["as-of"] as string | undefined) ?? localDate(deps.now());
  if (!/^\d{4}-\d{2}-\d{2}$/.test(asOf) || Number.isNaN(Date.parse(`${asOf}T00:00:00Z`)))
    throw new ConfigError(`--as-of must be an ISO date such as 2026-11-28, got ${asOf}`);
  const store = deps.store();
  const before = store.counts().deals ?? 0;
  if (before > 0 && !config.options.force) {
    throw new ConfigError(
      `${config.db} already holds ${before} deals; pass --force to add the demo deals to them, or choose an empty store with --db.`,
    );
  }
  const started = performance.now();
  const byStatus: Record<string, number> = {};
  const segments = new Set<string>();
  function* tally() {
    for (const d of generateDeals({ seed, deals, as_of: asOf, methodology: deps.methodology })) {
      byStatus[d.status] = (byStatus[d.status] ?? 0) + 1;
      segments.add(d.segment);
      yield d;
    }
  }
  // "now" is the as-of day, so the same seed and as-of always give the same rows.
  const r = loadPipeline(store, tally(), `${asOf}T00:00:00.000Z`, deps.methodology);
  const ms = Math.round(performance.now() - started);
  out(
    [
      `seeded ${r.deals} demo deals${r.first_id ? ` (${r.first_id} to ${r.last_id})` : ""} into ${resolve(config.db)}: seed ${seed}, as of ${asOf}${before ? `, next to ${before} existing deals` : ""}`,
      `status: ${["open", "won", "lost", "disqualified"].map((s) => `${byStatus[s] ?? 0} ${s}`).join(", ")}; ${segments.size} segments`,
      `${r.stage_history} stage-history rows, ${r.activities} activities, ${r.stakeholders} stakeholders, ${r.qualifications} BANT qualifications, in ${ms} ms`,
      `try: find_waste (as_of ${asOf}), list_deals, pipeline_metrics, or lean-sales-mcp report --as-of ${asOf}`,
    ].join("\n") + "\n",
  );
}
