import { DASHBOARD_TOOL_META, DASHBOARD_URI } from "../report/dashboard.js";
import { ReportShape } from "../report/schema.js";
import { defineTool, reply } from "./define.js";
import { Filters } from "./deal-view.js";
import { Currency, IsoDate } from "./schemas.js";

export default defineTool({
  name: "show_pipeline_dashboard",
  title: "Show the pipeline dashboard (MCP App)",
  kind: "read",
  description: [
    "Shows the pipeline dashboard inline in clients that support MCP Apps (the ui://lean-sales/dashboard.html view): stage funnel and conversion, cycle time per segment against target, waste x stage heat map, monthly win rate and cycle time, the stalled deals to act on first and the latest baseline comparison.",
    "Other clients get the key numbers as text and all of them in structuredContent (the same as pipeline_report's; use pipeline_report for an HTML file to save or share).",
    'Example: {"filters":{"owner":"Dana Lee"}}',
  ].join(" "),
  input: {
    filters: Filters.optional(),
    as_of: IsoDate.optional().describe("Dashboard as of this date (ISO, default today), e.g. 2026-11-28"),
    currency: Currency.optional(),
  },
  output: ReportShape,
  meta: DASHBOARD_TOOL_META,
  async handle(input, ctx) {
    const [{ gatherPipelineReport }, { reportSummary, reportData }] = await Promise.all([import("../report/data.js"), import("../report/summary.js")]);
    const data = gatherPipelineReport(ctx.methodology, ctx.store(), input, ctx.now());
    return reply(data, [...reportSummary(data), `Clients with MCP Apps draw this as the dashboard ${DASHBOARD_URI}; pipeline_report returns it as an HTML file.`], reportData(data));
  },
});
