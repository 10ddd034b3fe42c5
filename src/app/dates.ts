// Date rules every surface shares: how a date or timestamp given by a caller becomes a stored
// timestamp, and what "in the future" means for something that has already happened (a day of
// slack, for time zones: a rep in Tokyo logs today's call before UTC reaches today).
import { InputError } from "../methodology/errors.js";

export const FUTURE_SLACK_MS = 86_400_000;

/** An ISO date (midnight UTC) or timestamp, as a full ISO timestamp. */
export function toTimestamp(iso: string): string {
  return new Date(iso.length === 10 ? `${iso}T00:00:00.000Z` : iso).toISOString();
}

/** The latest timestamp a past event may carry, seen from `now`. */
export const latestPast = (now: Date | number): string => new Date(+now + FUTURE_SLACK_MS).toISOString();

/** Refuses a date of something that has happened (a close, a call, a stage move) if it lies ahead. */
export function assertPast(at: string, now: Date, field: string, hint = ""): void {
  if (toTimestamp(at) > latestPast(now))
    throw new InputError(`${field} is in the future (${at.slice(0, 10)})${hint ? `; ${hint}` : "."}`, field);
}

/** The calendar quarter (UTC) that contains an ISO date: its first and last day and its name. */
export function quarterOf(day: string): { from: string; to: string; name: string } {
  const d = new Date(`${day.slice(0, 10)}T00:00:00.000Z`);
  const q = Math.floor(d.getUTCMonth() / 3);
  const y = d.getUTCFullYear();
  const from = new Date(Date.UTC(y, q * 3, 1)).toISOString().slice(0, 10);
  const to = new Date(Date.UTC(y, q * 3 + 3, 0)).toISOString().slice(0, 10);
  return { from, to, name: `${y}-Q${q + 1}` };
}

/** Whole days from one ISO date to another, both counted. */
export const daysInclusive = (from: string, to: string): number =>
  Math.round((Date.parse(to.slice(0, 10)) - Date.parse(from.slice(0, 10))) / 86_400_000) + 1;

/** The last full calendar quarter before a day (YYYY-MM-DD): what a quarterly review looks back on. */
export function lastFullQuarter(today: string): { from: string; to: string; name: string } {
  const start = quarterOf(today).from;
  return quarterOf(new Date(Date.parse(start) - 86_400_000).toISOString().slice(0, 10));
}
