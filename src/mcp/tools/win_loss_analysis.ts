import { z } from "zod";
import { analyseWinLoss } from "../../methodology/winloss.js";
import { WasteId } from "../../methodology/schema.js";
import { defineTool, reply } from "../define.js";
import { AppliedFilters, Filters } from "../../app/deal-view.js";
import { resolvePeriod, scopeFilters } from "../../app/period.js";
import { IsoDate, Reasons } from "../../app/schemas.js";
import { localDay } from "../../zone.js";

const Spread = z.object({ n: z.number(), mean_days: z.number().nullable(), median_days: z.number().nullable() });
const Rate = z.object({ won: z.number(), lost: z.number(), win_rate: z.number().nullable() });

export default defineTool({
  name: "win_loss_analysis",
  title: "Win-loss analysis",
  kind: "read",
  description: [
    "Win-loss review of deals closed in filters.from..to: win rate, top reasons, where losses stopped, cycle of wins vs losses, win rate by segment and source, and what to change.",
    'Example: {"filters":{"from":"2026-07-01","to":"2026-09-30"}}',
  ].join(" "),
  input: {
    filters: Filters.optional(),
    as_of: IsoDate.optional(),
  },
  output: {
    won: z.number(),
    lost: z.number(),
    win_rate: z.number().nullable(),
    top_win_reasons: z.array(z.object({ reason: z.string(), count: z.number() })),
    top_loss_reasons: z.array(z.object({ reason: z.string(), count: z.number(), waste: WasteId.nullable() })),
    closed_without_reason: z.object({ won: z.number(), lost: z.number() }),
    lost_at_stage: z.array(
      z.object({ stage: z.string(), stage_name: z.string(), count: z.number(), share: z.number() }),
    ),
    cycle_time: z.object({ won: Spread, lost: Spread }),
    by_segment: z.array(Rate.extend({ segment: z.string() })),
    by_source: z.array(Rate.extend({ source: z.string() })),
    recommendations: z.array(
      z.object({ waste: WasteId, name: z.string(), evidence: z.string(), remedy: z.array(z.string()) }),
    ),
    period: z.object({ from: z.string().nullable(), to: z.string() }),
    filters: AppliedFilters,
    reasons: Reasons,
  },
  handle(input, ctx) {
    const m = ctx.methodology;
    const period = resolvePeriod(input.filters, input.as_of, ctx.now());
    const raw = ctx.store().analytics().winLoss(scopeFilters(input.filters), period);
    const w = analyseWinLoss(m, raw);
    const pct = (v: number | null) => (v === null ? "n/a" : `${Math.round(v * 1000) / 10}%`);
    return reply(
      { ...w, period: { from: period.from, to: period.to }, filters: input.filters ?? {} },
      [
        `**Win-loss** ${period.from ? localDay(period.from) : "all history"} to ${localDay(period.to)}: win rate ${pct(w.win_rate)} (${w.won} won, ${w.lost} lost).`,
        `Median cycle: wins ${w.cycle_time.won.median_days ?? "n/a"} d, losses ${w.cycle_time.lost.median_days ?? "n/a"} d. Lost deals stopped in: ${w.lost_at_stage.map((s) => `${s.stage_name} ${s.count}`).join(", ") || "none"}.`,
        ...w.recommendations.slice(0, 4).map((r) => `- ${r.name}: ${r.remedy[0]}`),
      ],
      [
        ...w.top_win_reasons.slice(0, 5).map((r) => `won (${r.count}): ${r.reason}`),
        ...w.top_loss_reasons.slice(0, 5).map((r) => `lost (${r.count}): ${r.reason}`),
      ].join("\n") || undefined,
    );
  },
});
