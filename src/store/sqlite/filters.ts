// The one deal filter shape (docs/interface.md) as a SQL WHERE clause with bound parameters.
import type { DealFilters } from "../types.js";
import { dayBoundIso } from "../../zone.js";

/** Inclusive day bounds in the configured time zone: a date-only `to` covers that whole local day. */
export function dayBound(v: string, end: boolean): string {
  if (v.length > 10) return v;
  return dayBoundIso(v, end);
}

export function filterClause(f: DealFilters, alias = ""): { sql: string; params: unknown[] } {
  const a = alias ? `${alias}.` : "";
  // Subqueries name the outer table explicitly: a bare `id` inside them would be their own.
  const outer = alias ? alias : "deals";
  const where: string[] = [];
  const params: unknown[] = [];
  if (f.owner !== undefined) (where.push(`${a}owner = ?`), params.push(f.owner));
  if (f.segment !== undefined) (where.push(`${a}segment = ?`), params.push(f.segment));
  if (f.stage !== undefined) (where.push(`${a}stage = ?`), params.push(f.stage));
  if (f.status !== undefined) (where.push(`${a}status = ?`), params.push(f.status));
  const field = f.date_field ?? "created_at";
  if (field === "activity" && (f.from !== undefined || f.to !== undefined)) {
    // Worked in the period: an activity logged, or a stage entered, between the bounds.
    const lo = f.from !== undefined ? dayBound(f.from, false) : "0000";
    const hi = f.to !== undefined ? dayBound(f.to, true) : "9999";
    where.push(
      `(EXISTS (SELECT 1 FROM activities x WHERE x.deal_id = ${outer}.id AND x.occurred_at BETWEEN ? AND ?) OR EXISTS (SELECT 1 FROM stage_history y WHERE y.deal_id = ${outer}.id AND y.entered_at BETWEEN ? AND ?))`,
    );
    params.push(lo, hi, lo, hi);
  } else {
    if (f.from !== undefined) (where.push(`${a}${field} >= ?`), params.push(dayBound(f.from, false)));
    if (f.to !== undefined) (where.push(`${a}${field} <= ?`), params.push(dayBound(f.to, true)));
  }
  if (f.q !== undefined) {
    // fold() lower-cases all of Unicode (SQLite's LIKE folds ASCII only): "östra" finds "Östra".
    const like = `%${f.q.toLowerCase().replace(/[\\%_]/g, (c) => `\\${c}`)}%`;
    where.push(`(fold(${a}name) LIKE ? ESCAPE '\\' OR fold(${a}account) LIKE ? ESCAPE '\\')`);
    params.push(like, like);
  }
  return { sql: where.length ? `WHERE ${where.join(" AND ")}` : "", params };
}
