import { z } from "zod";
import { money } from "../../app/deal-view.js";
import { Filters } from "../../app/deal-view.js";
import { runForecast } from "../../app/forecast.js";
import { Currency, IsoDate, Money, Reasons } from "../../app/schemas.js";
import type { BacktestResult, CurrencyForecast } from "../../methodology/forecast.js";
import { defineTool, reply } from "../define.js";
import { localDay } from "../../zone.js";

const Amounts = { expected_value: z.number(), expected_deals: z.number() };
const Category = z.object({ deals: z.number(), value: z.number(), expected_value: z.number(), definition: z.string() });
const TOP = 10;

const pct = (v: number | null) => (v === null ? "n/a" : `${Math.round(v * 100)}%`);

function trust(b: BacktestResult): string {
  const n = b.periods.length;
  if (n === 0) return `Backtest: no past period could be replayed (${b.skipped[0]?.reason ?? "too little history"}).`;
  const inside = b.periods.filter((p) => p.inside_range).length;
  const verdict =
    b.wape !== null && b.naive_wape !== null && b.wape > b.naive_wape
      ? " On this history the method did worse than simply repeating the last period: weigh it accordingly."
      : n < 4
        ? " Few periods: a rough guide only."
        : "";
  return `Backtest over the last ${n} periods of the same length: error (WAPE) ${pct(b.wape)} against ${pct(b.naive_wape)} for last period's won value; the actual fell inside the range ${inside} of ${n} times.${verdict}`;
}

export default defineTool({
  name: "forecast",
  title: "Forecast won value",
  kind: "read",
  description: [
    "What will close in a period (default: this quarter) as of a date: expected won value and deals, a 10-90th percentile range, commit/best case/pipeline, per owner and segment, gap to quota, and a backtest on past periods saying how far to trust it.",
    'Example: {"quota":1500000,"filters":{"owner":"Dana Lee"}}',
  ].join(" "),
  input: {
    from: IsoDate.optional(),
    to: IsoDate.optional(),
    as_of: IsoDate.optional(),
    filters: Filters.optional(),
    quota: Money.optional(),
    quota_currency: Currency.optional(),
  },
  output: {
    period: z.object({ from: z.string(), to: z.string(), as_of: z.string() }),
    currency: z.string().nullable(),
    expected_won_value: z.number(),
    expected_won_deals: z.number(),
    low: z.number(),
    high: z.number(),
    interval: z.string(),
    categories: z.object({ commit: Category, best_case: Category, pipeline: Category }),
    components: z.record(z.string(), z.record(z.string(), z.number())),
    by_owner: z.array(z.object({ owner: z.string(), ...Amounts })),
    by_segment: z.array(z.object({ segment: z.string().nullable(), ...Amounts })),
    other_currencies: z.array(
      z.object({ currency: z.string(), expected_won_value: z.number(), low: z.number(), high: z.number() }),
    ),
    gap_to_quota: z
      .object({
        currency: z.string(),
        quota: z.number(),
        expected_won_value: z.number(),
        gap: z.number(),
        probability_to_reach: z.number(),
      })
      .nullable(),
    top_deals: z.array(
      z.object({
        deal_id: z.string(),
        owner: z.string(),
        stage_index: z.number(),
        amount: z.number().nullable(),
        amount_imputed: z.boolean(),
        probability: z.number(),
        category: z.string(),
      }),
    ),
    open_deals: z.number(),
    backtest: z.object({
      currency: z.string().nullable(),
      wape: z.number().nullable(),
      naive_wape: z.number().nullable(),
      coverage: z.number().nullable(),
      periods: z.array(
        z.object({
          from: z.string(),
          to: z.string(),
          predicted: z.number(),
          low: z.number(),
          high: z.number(),
          actual: z.number(),
        }),
      ),
      skipped: z.number(),
    }),
    method: z.array(z.string()),
    reasons: Reasons,
  },
  handle(input, ctx) {
    const m = ctx.methodology;
    const { forecast: f, backtest: b } = runForecast(m, ctx.store(), input, ctx.now());
    const c = f.main_currency;
    const main: CurrencyForecast | undefined = c ? f.by_currency[c] : undefined;
    const zero = { deals: 0, value: 0, expected_value: 0, definition: "" };
    const [lo, hi] = m.forecast.interval.map((x) => `${Math.round(x * 100)}th`);
    const stageName = (i: number) => m.stages[i]?.name ?? String(i);
    const top = [...f.deals]
      .sort((x, y) => y.value_share * (y.amount ?? 0) - x.value_share * (x.amount ?? 0))
      .slice(0, TOP);
    const structured = {
      period: f.period,
      currency: c,
      expected_won_value: main?.expected_won_value ?? 0,
      expected_won_deals: main?.expected_won_deals ?? 0,
      low: main?.low ?? 0,
      high: main?.high ?? 0,
      interval: `${lo} to ${hi} percentile of simulated outcomes`,
      categories: main?.categories ?? { commit: zero, best_case: zero, pipeline: zero },
      components: (main?.components ?? {}) as Record<string, Record<string, number>>,
      by_owner: (main?.by_owner ?? []).slice(0, TOP),
      by_segment: main?.by_segment ?? [],
      other_currencies: Object.values(f.by_currency)
        .filter((x) => x.currency !== c)
        .map((x) => ({ currency: x.currency, expected_won_value: x.expected_won_value, low: x.low, high: x.high })),
      gap_to_quota: f.gap_to_quota,
      top_deals: top.map((d) => ({
        deal_id: d.id,
        owner: d.owner,
        stage_index: d.stage_index,
        amount: d.amount,
        amount_imputed: d.amount_imputed,
        probability: d.probability,
        category: d.category,
      })),
      open_deals: f.deals.length,
      backtest: {
        currency: b.currency,
        wape: b.wape,
        naive_wape: b.naive_wape,
        coverage: b.coverage,
        periods: b.periods.map(({ from, to, predicted, low, high, actual }) => ({
          from,
          to,
          predicted,
          low,
          high,
          actual,
        })),
        skipped: b.skipped.length,
      },
      method: f.notes,
      reasons: [...f.reasons, ...b.notes],
    };
    const cur = c ?? m.currency;
    const cat = structured.categories;
    const lines = [
      `**Forecast ${f.period.from} to ${f.period.to}** as of ${localDay(f.period.as_of)}: expected won ${money(structured.expected_won_value, cur)} (${Math.round(structured.expected_won_deals * 10) / 10} deals), range ${money(structured.low, cur)} to ${money(structured.high, cur)} (${structured.interval})`,
      `Commit ${money(cat.commit.expected_value, cur)} (${cat.commit.deals} deals) · best case ${money(cat.best_case.expected_value, cur)} (${cat.best_case.deals}) · pipeline ${money(cat.pipeline.expected_value, cur)} (${cat.pipeline.deals})`,
      ...(f.gap_to_quota
        ? [
            `Quota ${money(f.gap_to_quota.quota, f.gap_to_quota.currency)}: ${f.gap_to_quota.gap > 0 ? `${money(f.gap_to_quota.gap, f.gap_to_quota.currency)} short` : "covered"} on expectation; ${pct(f.gap_to_quota.probability_to_reach)} of simulations reach it`,
          ]
        : []),
      ...(top.length
        ? [
            `Most expected from: ${top
              .slice(0, 3)
              .map((d) => `${d.id} (${stageName(d.stage_index)}, ${pct(d.probability)})`)
              .join(", ")}`,
          ]
        : []),
      ...(structured.other_currencies.length
        ? [
            `Other currencies, forecast apart: ${structured.other_currencies.map((x) => money(x.expected_won_value, x.currency)).join(", ")}`,
          ]
        : []),
      trust(b),
    ];
    return reply(structured, lines, undefined, [
      ...(top[0]
        ? [{ tool: "get_deal", arguments: { deal_id: top[0].id }, why: "the deal the forecast counts on most" }]
        : []),
      {
        tool: "find_waste",
        arguments: { filters: input.filters ?? {} },
        why: "what stands in the way of the pipeline behind it",
      },
    ]);
  },
});
