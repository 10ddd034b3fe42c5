import { REPORT_URI } from "../report/dashboard.js";
import { ReportShape } from "../report/schema.js";
import { defineTool, reply } from "./define.js";
import { Filters } from "./deal-view.js";
import { Currency, IsoDate } from "./schemas.js";

export default defineTool({
  name: "pipeline_report",
  title: "Pipeline report (HTML)",
  kind: "read",
  description: [
    "Builds the pipeline dashboard as one self-contained HTML file (inline SVG charts, light/dark, printable): stage funnel with conversion rates, cycle time per segment against the segmentation matrix's target range, a waste x stage heat map, win rate and median cycle time by month, the 10 stalled deals to act on first, and the latest baseline comparison.",
    "The numbers are pipeline_metrics', find_waste's and compare_to_baseline's for the same filters and as_of, also returned in structuredContent; the HTML comes as an embedded text/html resource. In clients that show MCP Apps, show_pipeline_dashboard draws the same dashboard inline.",
    'Example: {"as_of":"2026-11-28"}',
  ].join(" "),
  input: {
    filters: Filters.optional(),
    as_of: IsoDate.optional().describe("Report as of this date (ISO, default today), e.g. 2026-11-28"),
    currency: Currency.optional(),
  },
  output: ReportShape,
  async handle(input, ctx) {
    // Loaded on the first call: serving starts without the report's code.
    const [{ gatherPipelineReport }, { renderReportHtml }, { reportSummary, reportData }] = await Promise.all([
      import("../report/data.js"),
      import("../report/html.js"),
      import("../report/summary.js"),
    ]);
    const data = gatherPipelineReport(ctx.methodology, ctx.store(), input, ctx.now());
    const html = renderReportHtml(data);
    return {
      ...reply(data, [...reportSummary(data), `The HTML report (${Math.ceil(html.length / 1024)} KB) is the embedded resource ${REPORT_URI}: save its text as a .html file to open or print it.`], reportData(data)),
      content: [{ type: "resource", resource: { uri: REPORT_URI, mimeType: "text/html", text: html } }],
    };
  },
});
