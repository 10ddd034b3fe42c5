import { z } from "zod";
import { DASHBOARD_TOOL_META, DASHBOARD_URI, reportUri } from "../../report/dashboard.js";
import { ReportShape } from "../../app/report/schema.js";
import { defineTool, reply } from "../define.js";
import { Filters, toStoreFilters } from "../../app/deal-view.js";
import { resolvePeriod } from "../../app/period.js";
import { Currency, IsoDate } from "../../app/schemas.js";
import { localDay } from "../../zone.js";

export default defineTool({
  name: "pipeline_report",
  title: "Pipeline dashboard and report",
  kind: "read",
  description: [
    "The pipeline dashboard (funnel, cycle vs target, waste x stage, monthly trend, stalled deals, baseline, forecast, selling profile): drawn inline by MCP Apps clients, numbers for all, and a link to a printable HTML report.",
    'Example: {"filters":{"owner":"Dana Lee"}}',
  ].join(" "),
  input: {
    filters: Filters.optional(),
    as_of: IsoDate.optional(),
    currency: Currency.optional(),
    quota: z.number().positive().optional().describe("for the forecast section"),
  },
  output: ReportShape,
  meta: DASHBOARD_TOOL_META,
  async handle(input, ctx) {
    // Loaded on the first call: serving starts without the report's code.
    const [{ gatherPipelineReport, STALLED_IN_ANSWER }, { reportSummary, reportData }] = await Promise.all([
      import("../../app/report/data.js"),
      import("../../report/summary.js"),
    ]);
    const data = gatherPipelineReport(
      ctx.methodology,
      ctx.store(),
      { ...input, stalled_shown: STALLED_IN_ANSWER },
      ctx.now(),
    );
    const asOf = localDay(resolvePeriod(input.filters, input.as_of, ctx.now()).as_of);
    const uri = reportUri(asOf, toStoreFilters(input.filters), input.currency, input.quota);
    const r = reply(
      data,
      [...reportSummary(data), `Clients with MCP Apps draw this as ${DASHBOARD_URI}. The HTML report: read ${uri}.`],
      reportData(data),
    );
    return {
      ...r,
      content: [
        {
          type: "resource_link",
          uri,
          name: `pipeline-report-${asOf}.html`,
          mimeType: "text/html",
          description: "Self-contained HTML report (no network), printable",
        },
      ],
    };
  },
});
