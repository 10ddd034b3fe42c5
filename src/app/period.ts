// The period an analysis covers: filters.from/to (inclusive days) ending at as_of, echoed back.
import { dayBound } from "../store/sqlite/filters.js";
import type { FiltersInput } from "./deal-view.js";
import { toTimestamp } from "./dates.js";
import type { DealFilters } from "../store/types.js";

/**
 * The period, and whether it ends in the past: then analyses take the pipeline as it stood at
 * its end (point in time). Decided here, against the one `now` the defaults were taken from.
 */
export function resolvePeriod(
  filters: FiltersInput | undefined,
  asOf: string | undefined,
  now: Date,
): { from: string | null; to: string; as_of: string; past: boolean } {
  const as_of = asOf ? dayBound(asOf.length === 10 ? asOf : toTimestamp(asOf), true) : now.toISOString();
  const to = filters?.to ? dayBound(filters.to.length === 10 ? filters.to : toTimestamp(filters.to), true) : as_of;
  const from = filters?.from
    ? dayBound(filters.from.length === 10 ? filters.from : toTimestamp(filters.from), false)
    : null;
  const end = to < as_of ? to : as_of;
  return { from, to: end, as_of, past: end < now.toISOString() };
}

/** The deal scope of an analysis: the filters without the period bounds. */
export function scopeFilters(filters: FiltersInput | undefined): DealFilters {
  const { from: _f, to: _t, ...rest } = filters ?? {};
  return rest as DealFilters;
}
