// Cell values as CRMs export them: money with symbols, separators and suffixes, and dates in
// the handful of formats HubSpot, Salesforce and Pipedrive write. Pure functions; a value that
// cannot be read is an error with the accepted forms, never a guess.

export type Parsed<T> = { ok: true; value: T } | { ok: false; reason: string };
const ok = <T>(value: T): Parsed<T> => ({ ok: true, value });
const bad = (reason: string): Parsed<never> => ({ ok: false, reason });

const SYMBOLS: Record<string, string> = {
  $: "USD",
  US$: "USD",
  "€": "EUR",
  "£": "GBP",
  "¥": "JPY",
  "₹": "INR",
  A$: "AUD",
  C$: "CAD",
  CHF: "CHF",
};
const SUFFIX: Record<string, number> = { k: 1e3, m: 1e6, mm: 1e6, mn: 1e6, b: 1e9, bn: 1e9 };

export interface Money {
  amount: number;
  /** The currency the cell itself names ("$", "£", "EUR 120"), if any. */
  currency?: string;
}

/**
 * "$1,234.50", "250k", "£1,009", "1.2M", "EUR 12.500,00", "1 234,5". A comma followed by exactly
 * three digits groups thousands; a lone comma with one or two digits is a decimal comma.
 */
const PLAIN_AMOUNT = /^(\$)?(\d{1,3}(?:,\d{3})+|\d+)(\.\d{1,2})?$/;

export function parseMoney(raw: string): Parsed<Money | null> {
  let s = raw.trim();
  if (s === "") return ok(null);
  // The common case, "48000" or "$12,500.00", without the general rules below.
  const plain = PLAIN_AMOUNT.exec(s);
  if (plain) {
    const value = Number(plain[2]!.replace(/,/g, "") + (plain[3] ?? ""));
    if (value <= 1e13) return ok(plain[1] ? { amount: value, currency: "USD" } : { amount: value });
  }
  let currency: string | undefined;
  const code = /^([A-Z]{3})\s*(.*)$/.exec(s) ?? /^(.*?)\s*([A-Z]{3})$/.exec(s);
  if (code) {
    const [a, b] = [code[1]!, code[2]!];
    const isPrefix = /^[A-Z]{3}$/.test(a) && !/^[A-Z]{3}$/.test(b);
    currency = isPrefix ? a : b;
    s = (isPrefix ? b : a).trim();
  }
  for (const [sym, cur] of Object.entries(SYMBOLS)) {
    if (s.startsWith(sym)) {
      currency ??= cur;
      s = s.slice(sym.length).trim();
      break;
    }
    if (s.endsWith(sym) && sym.length === 1) {
      currency ??= cur;
      s = s.slice(0, -1).trim();
      break;
    }
  }
  if (/^[-(]|\)$/.test(s)) return bad(`"${raw}" is negative; amounts are zero or more`);
  s = s.replace(/[\s\u00a0\u202f']/g, "");
  let scale = 1;
  const suffix = /^(.*\d)\s*(k|m|mm|mn|b|bn)$/i.exec(s);
  if (suffix) {
    scale = SUFFIX[suffix[2]!.toLowerCase()]!;
    s = suffix[1]!;
  }
  let n: number;
  if (/^\d+(\.\d+)?$/.test(s)) n = Number(s);
  else if (/^\d{1,3}(,\d{3})+(\.\d+)?$/.test(s)) n = Number(s.replace(/,/g, ""));
  else if (/^\d{1,3}(\.\d{3})+(,\d+)?$/.test(s)) n = Number(s.replace(/\./g, "").replace(",", "."));
  else if (/^\d+,\d{1,2}$/.test(s)) n = Number(s.replace(",", "."));
  else if (/^\.\d+$/.test(s)) n = Number(s);
  else return bad(`"${raw}" is not an amount (e.g. 48000, $1,234.50, 250k, 1.2M, EUR 12.500,00)`);
  const value = Math.round(n * scale * 100) / 100;
  if (!Number.isFinite(value) || value > 1e13) return bad(`"${raw}" is too large`);
  return ok({ amount: value, ...(currency ? { currency } : {}) });
}

/** A whole count such as employees: "1,200", "1200", "1.2k". */
export function parseCount(raw: string): Parsed<number | null> {
  const m = parseMoney(raw);
  if (!m.ok) return bad(`"${raw}" is not a whole number (e.g. 450 or 1,200)`);
  if (m.value === null) return ok(null);
  if (m.value.currency) return bad(`"${raw}" is not a whole number (e.g. 450 or 1,200)`);
  if (!Number.isInteger(m.value.amount) || m.value.amount > 10_000_000)
    return bad(`"${raw}" is not a whole number up to 10,000,000`);
  return ok(m.value.amount);
}

/** How a column writes dates with slashes: month first (US) or day first. */
export type SlashOrder = "mdy" | "dmy";

const MONTHS: Record<string, number> = {
  jan: 1,
  feb: 2,
  mar: 3,
  apr: 4,
  may: 5,
  jun: 6,
  jul: 7,
  aug: 8,
  sep: 9,
  sept: 9,
  oct: 10,
  nov: 11,
  dec: 12,
};
const TIME = String.raw`(?:[T\s]+(\d{1,2}):(\d{2})(?::(\d{2})(?:\.(\d{1,9}))?)?\s*([AaPp][Mm])?\s*(Z|UTC|GMT|[+-]\d{2}:?\d{2})?)?`;
const ISO_RE = new RegExp(String.raw`^(\d{4})-(\d{1,2})-(\d{1,2})${TIME}$`);
const YMD_SLASH_RE = new RegExp(String.raw`^(\d{4})/(\d{1,2})/(\d{1,2})${TIME}$`);
const SLASH_RE = new RegExp(String.raw`^(\d{1,2})/(\d{1,2})/(\d{2}|\d{4})${TIME}$`);
const DOT_RE = new RegExp(String.raw`^(\d{1,2})\.(\d{1,2})\.(\d{4})${TIME}$`);
const NAMED_RE = new RegExp(String.raw`^([A-Za-z]{3,9})\.?\s+(\d{1,2})(?:st|nd|rd|th)?,?\s+(\d{4})${TIME}$`);
const DAY_NAMED_RE = new RegExp(String.raw`^(\d{1,2})(?:st|nd|rd|th)?[\s-]+([A-Za-z]{3,9})\.?,?[\s-]+(\d{4})${TIME}$`);

export const DATE_FORMS = 'ISO 8601, YYYY-MM-DD HH:MM, MM/DD/YYYY, DD.MM.YYYY or "Jan 5, 2026"';

/** The order a slash-dated column uses, from its values: day first only if some value cannot be month first. */
export function slashOrder(values: Iterable<string>): SlashOrder {
  let dayFirst = false;
  for (const v of values) {
    const m = SLASH_RE.exec(v.trim());
    if (!m) continue;
    if (Number(m[2]) > 12) return "mdy";
    if (Number(m[1]) > 12) dayFirst = true;
  }
  return dayFirst ? "dmy" : "mdy";
}

function build(raw: string, y: number, mo: number, d: number, m: RegExpExecArray, t: number): Parsed<string> {
  let hh = m[t] ? Number(m[t]) : 0;
  const mi = m[t + 1] ? Number(m[t + 1]) : 0;
  const ss = m[t + 2] ? Number(m[t + 2]) : 0;
  const ms = m[t + 3] ? Number(m[t + 3]!.slice(0, 3).padEnd(3, "0")) : 0;
  const ampm = m[t + 4]?.toLowerCase();
  if (ampm) {
    if (hh < 1 || hh > 12) return bad(`"${raw}" has an hour outside 1-12 with ${ampm.toUpperCase()}`);
    hh = (hh % 12) + (ampm === "pm" ? 12 : 0);
  }
  if (mo < 1 || mo > 12 || d < 1 || d > 31 || hh > 23 || mi > 59 || ss > 59)
    return bad(`"${raw}" is not a real date or time`);
  let t0 = Date.UTC(y, mo - 1, d, hh, mi, ss, ms);
  const probe = new Date(Date.UTC(y, mo - 1, d));
  if (probe.getUTCMonth() !== mo - 1 || probe.getUTCDate() !== d) return bad(`"${raw}" is not a real calendar date`);
  const zone = m[t + 5];
  if (zone && !/^(Z|UTC|GMT)$/i.test(zone)) {
    const z = /^([+-])(\d{2}):?(\d{2})$/.exec(zone)!;
    t0 -= (z[1] === "-" ? -1 : 1) * (Number(z[2]) * 60 + Number(z[3])) * 60_000;
  }
  return ok(new Date(t0).toISOString());
}

/**
 * A date or timestamp as an ISO string in UTC (values without a zone are taken as UTC).
 * Slash dates follow the column's order (`slashOrder`); dotted dates are day first.
 */
export function parseDate(raw: string, order: SlashOrder = "mdy"): Parsed<string | null> {
  const s = raw.trim();
  if (s === "") return ok(null);
  let m: RegExpExecArray | null;
  if ((m = ISO_RE.exec(s))) return build(raw, Number(m[1]), Number(m[2]), Number(m[3]), m, 4);
  if ((m = YMD_SLASH_RE.exec(s))) return build(raw, Number(m[1]), Number(m[2]), Number(m[3]), m, 4);
  if ((m = SLASH_RE.exec(s))) {
    const a = Number(m[1]);
    const b = Number(m[2]);
    const y = m[3]!.length === 2 ? 2000 + Number(m[3]) : Number(m[3]);
    const [mo, d] = order === "mdy" ? [a, b] : [b, a];
    if (mo > 12) {
      return bad(`"${raw}" is not a ${order === "mdy" ? "MM/DD/YYYY" : "DD/MM/YYYY"} date like the rest of the column`);
    }
    return build(raw, y, mo, d, m, 4);
  }
  if ((m = DOT_RE.exec(s))) return build(raw, Number(m[3]), Number(m[2]), Number(m[1]), m, 4);
  if ((m = NAMED_RE.exec(s))) {
    const mo = MONTHS[m[1]!.toLowerCase().slice(0, m[1]!.toLowerCase().startsWith("sept") ? 4 : 3)];
    if (mo) return build(raw, Number(m[3]), mo, Number(m[2]), m, 4);
  }
  if ((m = DAY_NAMED_RE.exec(s))) {
    const mo = MONTHS[m[2]!.toLowerCase().slice(0, 3)];
    if (mo) return build(raw, Number(m[3]), mo, Number(m[1]), m, 4);
  }
  return bad(`"${raw}" is not a date (${DATE_FORMS})`);
}
