// The forecast use case: the store's deal histories, the methodology's forecast settings and
// stage roles, a period (the current quarter by default) and the backtest over past periods of
// the same length, so every forecast says how far to trust it.
import type { Methodology } from "../methodology/load.js";
import {
  backtest,
  forecast,
  type BacktestResult,
  type ForecastConfig,
  type ForecastResult,
} from "../methodology/forecast.js";
import { InputError } from "../methodology/errors.js";
import type { DealStore } from "../store/types.js";
import { mulberry32 } from "./demo/generate.js";
import { daysInclusive, quarterOf } from "./dates.js";
import { toStoreFilters, type FiltersInput } from "./deal-view.js";
import { localDate } from "../zone.js";

export interface ForecastInput {
  from?: string;
  to?: string;
  as_of?: string;
  filters?: FiltersInput;
  quota?: number;
  quota_currency?: string;
}

/** The forecast settings of data/forecast.json with the stage roles of data/stages.json. */
export function forecastConfig(m: Methodology): ForecastConfig {
  const selling = m.stages.filter((s) => s.role !== "after_sale");
  return {
    ...m.forecast,
    stage_count: selling.length,
    closing_stages: selling.flatMap((s, i) => (s.role === "closing" ? [i] : [])),
  };
}

export function runForecast(
  m: Methodology,
  store: DealStore,
  input: ForecastInput,
  now: Date,
): { forecast: ForecastResult; backtest: BacktestResult } {
  const asOf = input.as_of ?? localDate(now);
  const quarter = quarterOf(input.from ?? asOf);
  const from = input.from ?? quarter.from;
  const to = input.to ?? (input.from ? quarterOf(input.from).to : quarter.to);
  if (to < from) throw new InputError(`to (${to}) is before from (${from}).`, "to");
  const cfg = forecastConfig(m);
  const histories = store.dealHistories(toStoreFilters(input.filters));
  const quota =
    input.quota === undefined ? {} : { quota: { amount: input.quota, currency: input.quota_currency ?? m.currency } };
  const result = forecast(histories, { from, to, as_of: asOf, ...quota }, cfg, mulberry32);
  // Past periods of the same length, each ending before as_of, so what happened in them is known.
  const lastEnd = new Date(Date.parse(asOf.slice(0, 10)) - 86_400_000).toISOString().slice(0, 10);
  const checked = backtest(
    histories,
    { period_days: daysInclusive(from, to), periods: m.forecast.backtest_periods, last_end: lastEnd },
    cfg,
    mulberry32,
  );
  return { forecast: result, backtest: checked };
}
