import { z } from "zod";
import { Label } from "../../app/baseline.js";
import { defineTool, reply } from "../define.js";
import { AppliedFilters, Filters } from "../../app/deal-view.js";
import { measure, metricsSummary, MetricsOut } from "../../app/metrics.js";
import { resolvePeriod } from "../../app/period.js";
import { IsoDate } from "../../app/schemas.js";
import { localDay } from "../../zone.js";

export default defineTool({
  name: "record_baseline",
  title: "Record a baseline",
  kind: "update",
  description: [
    "Records pipeline_metrics' numbers under a label (Phase 1's baseline; the same label replaces it). compare_to_baseline judges progress against it.",
    'Example: {"label":"lean-kickoff","filters":{"from":"2026-05-01"}}',
  ].join(" "),
  input: {
    label: Label,
    filters: Filters.optional(),
    as_of: IsoDate.optional(),
  },
  output: {
    label: z.string(),
    recorded_at: z.string(),
    as_of: z.string(),
    filters: AppliedFilters,
    metrics: MetricsOut,
    replaced: z.boolean(),
  },
  handle(input, ctx) {
    const resolved = resolvePeriod(input.filters, input.as_of, ctx.now());
    // The baseline stands for the end of its period: with filters.to that is the earlier date.
    const period = { ...resolved, as_of: resolved.to };
    return ctx.write(() => {
      const store = ctx.store();
      const metrics = measure(ctx.methodology, store, input.filters, period, ctx.methodology.currency);
      const replaced = store.analytics().baseline(input.label) !== undefined;
      const recorded_at = ctx.now().toISOString();
      store
        .analytics()
        .saveBaseline({ label: input.label, recorded_at, as_of: period.as_of, filters: input.filters ?? {}, metrics });
      return reply(
        { label: input.label, recorded_at, as_of: period.as_of, filters: input.filters ?? {}, metrics, replaced },
        [
          `**Baseline ${replaced ? "replaced" : "recorded"}** as of ${localDay(period.as_of)}.`,
          ...metricsSummary(metrics),
          "Next: compare_to_baseline with the same label at your monthly review.",
        ],
        `label: ${input.label}`,
      );
    });
  },
});
