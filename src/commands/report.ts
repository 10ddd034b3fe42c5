// `report`: the pipeline report as one self-contained HTML file.
import { resolve } from "node:path";
import { ConfigError, type Config } from "../config.js";
import type { Deps } from "../app/deps.js";
import type { Terminal } from "./terminal.js";
import { writeFileAtomic } from "./terminal.js";

export async function reportCommand(config: Config, deps: Deps, term: Terminal): Promise<void> {
  const { out } = term;
  // The report's code is loaded for this command only.
  const [{ gatherPipelineReport }, { renderReportHtml }, { IsoDate }] = await Promise.all([
    import("../app/report/data.js"),
    import("../report/html.js"),
    import("../app/schemas.js"),
  ]);
  const asOf = config.options["as-of"] as string | undefined;
  if (asOf !== undefined && !IsoDate.safeParse(asOf).success)
    throw new ConfigError(`--as-of must be an ISO date such as 2026-11-28, got ${asOf}`);
  const data = gatherPipelineReport(
    deps.methodology,
    deps.store(),
    asOf === undefined ? {} : { as_of: asOf },
    deps.now(),
  );
  const html = renderReportHtml(data);
  const target = config.options.out as string | undefined;
  if (!target) {
    out(html);
    return;
  }
  writeFileAtomic(target, html);
  term.err(
    `pipeline report as of ${data.as_of.slice(0, 10)} written to ${resolve(target)} (${Math.ceil(html.length / 1024)} KB): ${data.waste.deals_analyzed} deals, ${data.stalled.total} stalled${data.baseline ? `, compared with the baseline of ${data.baseline.baseline_as_of.slice(0, 10)}` : ""}\n`,
  );
}
