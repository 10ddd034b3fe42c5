// The one filter shape of CONTRACT.md as a SQL WHERE clause with bound parameters.
import type { DealFilters } from "./types.js";

/** Inclusive day bounds: a date-only `to` covers that whole day. */
export function dayBound(v: string, end: boolean): string {
  if (v.length > 10) return v;
  return end ? `${v}T23:59:59.999Z` : `${v}T00:00:00.000Z`;
}

export function filterClause(f: DealFilters, alias = ""): { sql: string; params: unknown[] } {
  const a = alias ? `${alias}.` : "";
  const where: string[] = [];
  const params: unknown[] = [];
  if (f.owner !== undefined) (where.push(`${a}owner = ?`), params.push(f.owner));
  if (f.segment !== undefined) (where.push(`${a}segment = ?`), params.push(f.segment));
  if (f.stage !== undefined) (where.push(`${a}stage = ?`), params.push(f.stage));
  if (f.status !== undefined) (where.push(`${a}status = ?`), params.push(f.status));
  const field = f.date_field ?? "created_at";
  if (f.from !== undefined) (where.push(`${a}${field} >= ?`), params.push(dayBound(f.from, false)));
  if (f.to !== undefined) (where.push(`${a}${field} <= ?`), params.push(dayBound(f.to, true)));
  if (f.q !== undefined) {
    const like = `%${f.q.replace(/[\\%_]/g, (c) => `\\${c}`)}%`;
    where.push(`(${a}name LIKE ? ESCAPE '\\' OR ${a}account LIKE ? ESCAPE '\\')`);
    params.push(like, like);
  }
  return { sql: where.length ? `WHERE ${where.join(" AND ")}` : "", params };
}

