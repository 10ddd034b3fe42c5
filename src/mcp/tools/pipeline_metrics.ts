import { z } from "zod";
import { defineTool, reply } from "../define.js";
import { AppliedFilters, Filters } from "../../app/deal-view.js";
import { resolvePeriod } from "../../app/period.js";
import { Currency, IsoDate } from "../../app/schemas.js";
import { MetricsOut, measure, metricsSummary } from "../../app/metrics.js";
import { localDay } from "../../zone.js";

export default defineTool({
  name: "pipeline_metrics",
  title: "Pipeline metrics",
  kind: "read",
  description: [
    "Win rate, deal size, cycle time per segment vs target, conversion, time in stage, velocity, open value, leading indicators and revenue per owner for filters.from..to (closes by close date) as of as_of.",
    'Example: {"filters":{"from":"2026-07-01","to":"2026-09-30"}}',
  ].join(" "),
  input: {
    filters: Filters.optional(),
    as_of: IsoDate.optional(),
    currency: Currency.optional(),
  },
  output: { ...MetricsOut.shape, as_of: z.string(), filters: AppliedFilters },
  handle(input, ctx) {
    const period = resolvePeriod(input.filters, input.as_of, ctx.now());
    const x = measure(ctx.methodology, ctx.store(), input.filters, period, input.currency ?? ctx.methodology.currency);
    return reply({ ...x, as_of: period.as_of, filters: input.filters ?? {} }, [
      `**Pipeline metrics** ${period.from ? localDay(period.from) : "all history"} to ${localDay(period.to)}`,
      ...metricsSummary(x),
    ]);
  },
});
