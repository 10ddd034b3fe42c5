import { z } from "zod";
import { compareToBaseline } from "../../methodology/baseline.js";
import type { PipelineMetrics } from "../../methodology/metrics.js";
import { defineTool, reply } from "../define.js";
import { AppliedFilters, Filters, type FiltersInput } from "../../app/deal-view.js";
import { measure, MetricsOut } from "../../app/metrics.js";
import { resolvePeriod } from "../../app/period.js";
import { Label } from "../../app/baseline.js";
import { IsoDate, Reasons } from "../../app/schemas.js";
import { InputError } from "../../methodology/errors.js";
import { Changes, Indicator } from "../../app/baseline.js";
import { localDay } from "../../zone.js";

export default defineTool({
  name: "compare_to_baseline",
  title: "Compare with a baseline",
  kind: "read",
  description: [
    "Compares the metrics since a recorded baseline with it, judged against the reference's success indicators: achieved, on track, behind or missed, and why.",
    'Example: {"label":"lean-kickoff"}',
  ].join(" "),
  input: {
    label: Label,
    filters: Filters.optional().describe("default: the baseline's own, from its date"),
    as_of: IsoDate.optional(),
  },
  output: {
    label: z.string(),
    baseline_as_of: z.string(),
    as_of: z.string(),
    filters: AppliedFilters,
    months_elapsed: z.number(),
    on_track: z.boolean(),
    verdict: z.enum(["on_track", "behind", "too_early"]),
    changes: Changes,
    indicators: z.array(Indicator),
    current: MetricsOut,
    reasons: Reasons,
  },
  handle(input, ctx) {
    const store = ctx.store();
    const b = store.analytics().baseline(input.label);
    if (!b) {
      const known = store.analytics().baselineLabels("", 10);
      throw new InputError(
        `No baseline "${input.label}". ${known.length ? `Recorded: ${known.join(", ")}.` : "Record one with record_baseline first."}`,
        "label",
      );
    }
    const baseFilters = b.filters as FiltersInput;
    const filters: FiltersInput = input.filters ?? { ...baseFilters, from: localDay(b.as_of), to: undefined };
    const period = resolvePeriod(filters, input.as_of, ctx.now());
    if (period.as_of < b.as_of)
      throw new InputError(
        `as_of ${localDay(period.as_of)} is before the baseline's date ${localDay(b.as_of)}.`,
        "as_of",
      );
    const current = measure(ctx.methodology, store, filters, period, ctx.methodology.currency);
    const c = compareToBaseline(ctx.methodology, b.metrics as PipelineMetrics, current, b.as_of, period.as_of);
    const fmt = (v: number | null) => (v === null ? "n/a" : `${v > 0 ? "+" : ""}${v}%`);
    return reply(
      {
        label: input.label,
        baseline_as_of: b.as_of,
        as_of: period.as_of,
        filters,
        months_elapsed: c.months_elapsed,
        on_track: c.on_track,
        verdict: c.verdict,
        changes: c.changes,
        indicators: c.indicators,
        current,
        reasons: c.reasons,
      },
      [
        `**${c.verdict === "too_early" ? "Too early to judge" : c.on_track ? "On track" : "Not on track"}** against the baseline of ${b.as_of.slice(0, 10)} (${c.months_elapsed} months).`,
        ...c.indicators.map((i) => `- ${i.status}: ${i.reason}`),
        `Changes: win rate ${fmt(c.changes.win_rate!.change_pct)}, median cycle ${fmt(c.changes.cycle_time_median_days!.change_pct)}, avg deal ${fmt(c.changes.avg_deal_size!.change_pct)}, velocity ${fmt(c.changes.pipeline_velocity_per_day!.change_pct)}.`,
      ],
    );
  },
});
