// The time zone that day, month and quarter boundaries follow (LEAN_SALES_TZ, an IANA name;
// default UTC): "as of 2026-11-28" is the end of that day there, a quarter starts at its first
// midnight there. Set once at start-up; timestamps are stored and compared in UTC either way.

let zone = "UTC";
let parts: Intl.DateTimeFormat | undefined;

/** Sets the zone for this process; throws a readable error for a name Intl does not know. */
export function setTimeZone(name: string): void {
  // UTC (the default) needs no formatter: creating one loads ICU's time-zone data, about 20 ms
  // before the first answer.
  if (name === "UTC" || name === "Etc/UTC") {
    zone = "UTC";
    parts = undefined;
    return;
  }
  try {
    parts = new Intl.DateTimeFormat("en-US", {
      timeZone: name,
      hourCycle: "h23",
      year: "numeric",
      month: "2-digit",
      day: "2-digit",
      hour: "2-digit",
      minute: "2-digit",
      second: "2-digit",
    });
  } catch {
    throw new Error(
      `LEAN_SALES_TZ "${name}" is not a time zone this Node knows (use an IANA name, e.g. Europe/Berlin).`,
    );
  }
  zone = parts.resolvedOptions().timeZone;
  if (zone === "UTC" || zone === "Etc/UTC") parts = undefined;
}

export const timeZone = () => zone;

/** Minutes the zone is ahead of UTC at an instant. */
function offsetMs(ms: number): number {
  if (!parts) return 0;
  const p = Object.fromEntries(parts.formatToParts(new Date(ms)).map((x) => [x.type, x.value]));
  const wall = Date.UTC(+p.year!, +p.month! - 1, +p.day!, +p.hour!, +p.minute!, +p.second!);
  return wall - Math.floor(ms / 1000) * 1000;
}

/** The instant (epoch ms) the local day `date` (YYYY-MM-DD) starts at. */
export function dayStartMs(date: string): number {
  const day = date.slice(0, 10);
  const utc = Date.parse(`${day}T00:00:00.000Z`);
  if (!parts) return utc;
  // Twice: the offset at the guess may differ from the offset at local midnight (DST). Where
  // DST starts at midnight (Santiago, Havana) local midnight does not exist: the day then starts
  // at 01:00, which the first guess gives.
  const first = utc - offsetMs(utc);
  const second = utc - offsetMs(first);
  return localDate(second) === day ? second : first;
}

/** A local day's first or last millisecond, as an ISO timestamp (UTC). */
export function dayBoundIso(date: string, end: boolean): string {
  if (!end) return new Date(dayStartMs(date)).toISOString();
  const next = new Date(Date.parse(`${date.slice(0, 10)}T00:00:00.000Z`) + 86_400_000).toISOString().slice(0, 10);
  return new Date(dayStartMs(next) - 1).toISOString();
}

/** The local calendar day of an ISO timestamp (a date alone is already a day). */
export const localDay = (iso: string): string => (iso.length <= 10 ? iso : localDate(Date.parse(iso)));

/** The local calendar date (YYYY-MM-DD) of an instant. */
export function localDate(at: Date | number): string {
  const ms = +at;
  return new Date(ms + offsetMs(ms)).toISOString().slice(0, 10);
}
