// Schema pieces shared by several tools: public identifiers (docs/interface.md) with descriptions
// written for an agent. The identifiers themselves come from the methodology schema.
// Lean by design: every tool definition costs context in every conversation, so the JSON Schema
// a model sees carries the shape, the enums and a short hint; bounds that only guard the server
// (lengths, magnitudes) are checked in code, with a message that says how to fix the call.
import { z } from "zod";
import {
  AuthorityStatus,
  BudgetStatus,
  FocusId,
  NeedStatus,
  ReadinessId,
  TierId,
  TimelineStatus,
  WasteId,
  SignalId,
  type SignalName,
} from "../methodology/schema.js";
import type { Methodology, QualificationDimensionDef } from "../methodology/load.js";
import type { QualifyInput } from "../methodology/qualify.js";

// ---------------------------------------------------------------- forgiving enums
/** How people type an enum value: "Proposal & Negotiation", "Mid-Market", "HubSpot", "Won". */
export const enumKey = (s: string) =>
  s
    .normalize("NFKC")
    .trim()
    .toLowerCase()
    .replace(/&/g, " ")
    .replace(/[^a-z0-9]+/g, "_")
    .replace(/^_+|_+$/g, "");

function distance(a: string, b: string): number {
  const row = Array.from({ length: b.length + 1 }, (_, j) => j);
  for (let i = 1; i <= a.length; i++) {
    let prev = row[0]!;
    row[0] = i;
    for (let j = 1; j <= b.length; j++) {
      const cur = row[j]!;
      row[j] = Math.min(row[j]! + 1, row[j - 1]! + 1, prev + (a[i - 1] === b[j - 1] ? 0 : 1));
      prev = cur;
    }
  }
  return row[b.length]!;
}

/** The valid value closest to what was typed (for "did you mean"). */
export function closest(typed: string, values: readonly string[]): string {
  const k = enumKey(typed);
  // A value one of whose words was typed whole ("negotiation" for proposal_negotiation) beats
  // one that is merely a few letters away.
  const cost = (v: string) =>
    (k.length >= 3 && (v.split("_").includes(k) || v.includes(k)) ? 0 : 1) * 1000 + distance(k, v);
  return values.reduce((best, v) => (cost(v) < cost(best) ? v : best), values[0]!);
}

/**
 * The valid value a typo most likely meant, or undefined when none is near enough to suggest
 * ("negotiation" is not "prospecting"). `aliases` (e.g. old stage ids) may be typed for the value they name.
 */
export function nearest(
  typed: string,
  values: readonly string[],
  aliases: Readonly<Record<string, string>> = {},
): string | undefined {
  const k = enumKey(typed);
  if (!k) return undefined;
  const named = [...values, ...Object.keys(aliases)];
  const word = named.find((v) => v.split("_").includes(k) || (k.length >= 3 && (v.includes(k) || k.includes(v))));
  const best = word ?? closest(typed, named);
  if (!word && distance(k, best) > Math.max(1, Math.floor(k.length / 3))) return undefined;
  return aliases[best] ?? best;
}
const didYouMean = (typed: string, values: readonly string[], aliases?: Readonly<Record<string, string>>) => {
  const n = nearest(typed, values, aliases);
  return n ? `; did you mean ${n}?` : "";
};

/**
 * An enum that accepts what people type when the meaning is unambiguous (case, spaces, hyphens,
 * "&", a display name such as "Proposal & Negotiation"), and otherwise names the closest value.
 */
export function looseEnum<const T extends string>(values: readonly T[], aliases: Record<string, T> = {}) {
  const lookup = new Map<string, T>(values.map((v) => [enumKey(v), v]));
  for (const [name, v] of Object.entries(aliases)) lookup.set(enumKey(name), v);
  return z.preprocess(
    (v) => (typeof v === "string" ? (lookup.get(enumKey(v)) ?? v) : v),
    z.enum(values as [T, ...T[]], {
      error: (iss) =>
        typeof iss.input === "string"
          ? `"${iss.input.slice(0, 40)}" is not one of ${values.join(", ")}${didYouMean(iss.input, values, aliases)}`
          : `must be one of ${values.join(", ")}`,
    }),
  );
}

/** The keys of an object schema, through optional, default, nullable and preprocess wrappers. */
function objectShape(t: unknown): Record<string, unknown> | undefined {
  for (let i = 0, cur = t as { _zod?: { def: Record<string, unknown> } } | undefined; cur?._zod && i < 8; i++) {
    const def = cur._zod.def;
    if (def.shape) return def.shape as Record<string, unknown>;
    cur = (def.innerType ?? def.out) as typeof cur;
  }
  return undefined;
}

/**
 * "unknown argument ..." for keys an object does not take, with the key each one most likely
 * meant: a near key of the object ("to" -> to_stage), or a key of one of its nested objects
 * ("stage" -> filters.stage); then the keys it takes.
 */
export function unknownArguments(keys: readonly string[], shape: Record<string, unknown>): string {
  const own = Object.keys(shape);
  const meant = (k: string) => {
    const near = nearest(k, own);
    if (near) return near;
    for (const [name, t] of Object.entries(shape)) if (objectShape(t)?.[k] !== undefined) return `${name}.${k}`;
    return undefined;
  };
  const named = keys.map((k) => {
    const m = meant(k);
    return `"${k}"${m ? ` (did you mean ${m}?)` : ""}`;
  });
  return `unknown argument${keys.length > 1 ? "s" : ""} ${named.join(", ")}; expected ${own.join(", ")}`;
}

// ---------------------------------------------------------------- nested objects
/**
 * An object that refuses keys it does not know, by name (zod's strict object; the message is
 * unknownArguments', through zod-messages.ts). A tool's advertised JSON Schema leaves out its
 * `additionalProperties: false` (define.ts): the top level keeps it, which tells clients and
 * models the rule once per tool. (It replaced a preprocess doing the same check around a plain
 * object: the same messages, one step less for zod's compiled parser.)
 */
export function closedObject<S extends z.ZodRawShape>(shape: S) {
  return z.object(shape).strict();
}

// ---------------------------------------------------------------- clean text
// Text that may be stored is normalised on the way in: NFC, trimmed, zero-width characters
// removed; C0/C1 controls (but tab and newline), bidi controls, Unicode tag characters and
// lone surrogates are refused, and the length is bounded (docs/reliability.md, hostile input).
const REFUSED =
  /[\u0000-\u0008\u000B\u000C\u000E-\u001F\u007F-\u009F\u061C\u200E\u200F\u202A-\u202E\u2066-\u2069]|\u{E0000}|[\u{E0001}-\u{E007F}]/u;
const ZERO_WIDTH = /[\u200B-\u200D\u2060\uFEFF]/g;
/** Printable ASCII only: already NFC, no zero-width, control, bidi or tag character, no line break. */
const PLAIN = /^[\x20-\x7E]*$/;

export function cleanText(max: number, opts: { multiline?: boolean; optional?: boolean } = {}) {
  return z.string().transform((raw, ctx) => {
    if (raw.length > max * 4) {
      ctx.addIssue({ code: "custom", message: `is too long (at most ${max} characters)` });
      return z.NEVER;
    }
    // Most text is printable ASCII: only trimming, blankness and length are left to check (one
    // character per code unit), with the same messages as below.
    if (PLAIN.test(raw)) {
      const s = raw.trim();
      if (s.length === 0 && !opts.optional) {
        ctx.addIssue({ code: "custom", message: "must not be blank" });
        return z.NEVER;
      }
      if (s.length > max) {
        ctx.addIssue({ code: "custom", message: `is too long (at most ${max} characters)` });
        return z.NEVER;
      }
      return s;
    }
    if (!raw.isWellFormed()) {
      ctx.addIssue({ code: "custom", message: "contains a lone surrogate (malformed Unicode)" });
      return z.NEVER;
    }
    const s = raw.replace(/\r\n?/g, "\n").replace(ZERO_WIDTH, "").normalize("NFC").trim();
    const bad = REFUSED.exec(s);
    if (bad) {
      const cp = bad[0].codePointAt(0)!.toString(16).toUpperCase().padStart(4, "0");
      ctx.addIssue({ code: "custom", message: `contains a control, bidi or tag character (U+${cp}); send plain text` });
      return z.NEVER;
    }
    if (!opts.multiline && /[\n\t]/.test(s)) {
      ctx.addIssue({ code: "custom", message: "must be a single line" });
      return z.NEVER;
    }
    if (s.length === 0 && !opts.optional) {
      ctx.addIssue({ code: "custom", message: "must not be blank" });
      return z.NEVER;
    }
    // Code points, not code units (an emoji is one character); no more than the length.
    if (s.length > max && [...s].length > max) {
      ctx.addIssue({ code: "custom", message: `is too long (at most ${max} characters)` });
      return z.NEVER;
    }
    return s;
  });
}
export const Name = cleanText(200);

/** A file path: taken as given (no trimming), but never with control, bidi, zero-width or tag characters. */
export const FilePath = z
  .string()
  .min(1)
  .refine(
    (p) => p.length <= 4096 && p.isWellFormed() && !REFUSED.test(p) && !/[\u200B-\u200D\u2060\uFEFF]/.test(p),
    "contains control, bidi, zero-width or tag characters; send a plain file path",
  );
export const Note = cleanText(4000, { multiline: true });

// ---------------------------------------------------------------- identifiers
/** The active stages' ids, listed in the schema (where the stage is what the tool is about). */
export const stageEnum = (m: Methodology) => looseEnum(stageIds(m), m.stageMap);
/** A stage id, listed once per tool where it is central; elsewhere checked in code with the ids in the message. */
/**
 * One of `values`, validated in code rather than listed in the schema (for ids the model is told
 * once, in the server instructions): typed forms are accepted, and a miss names the closest value.
 */
export function oneOf<const T extends string>(
  values: readonly T[],
  noun: string,
  aliases: Readonly<Record<string, T>> = {},
) {
  return z.preprocess(
    (v) => (typeof v === "string" ? enumKey(v) : v),
    z.string().refine((v) => (values as readonly string[]).includes(v), {
      error: (iss) =>
        `"${String(iss.input).slice(0, 40)}" is not a ${noun}; ${noun === "stage" ? "stages" : "values"} are ${values.join(", ")}${didYouMean(String(iss.input), values, aliases)}`,
    }),
  ) as unknown as z.ZodType<T, string>;
}

/** A stage id, without a description (filters: the instructions list the stages); a mapped old id is accepted. */
export const stageValue = (m: Methodology) =>
  z.preprocess(
    (v) => (typeof v === "string" ? (m.resolveStage(enumKey(v)) ?? v) : v),
    oneOf(stageIds(m), "stage", m.stageMap),
  );
export const stageRef = (m: Methodology) => stageValue(m).describe("stage id");
const stageIds = (m: Methodology) => m.stages.map((s) => s.id) as [string, ...string[]];
export const Tier = looseEnum(TierId.options);
export const Readiness = looseEnum(ReadinessId.options);
export const Waste = WasteId;
export const Focus = looseEnum(FocusId.options);
export const Reasons = z
  .array(z.string())
  .describe("Why: each reason points at the methodology element behind the verdict");
export const Recorded = z.boolean().describe("true when the result was saved on the deal given by deal_id");

export const SEGMENT_IDS = TierId.options.flatMap((t) => ReadinessId.options.map((r) => `${t}_${r}`)) as [
  string,
  ...string[],
];
/** A segment id; typed forms ("Mid-Market Exploring") are accepted. Validated in code: the list is long. */
/** A segment id without a description (filters: the instructions say what a segment is). */
export const SegmentValue = z.preprocess(
  (v) => (typeof v === "string" && SEGMENT_IDS.includes(enumKey(v)) ? enumKey(v) : v),
  z.string().refine((v) => SEGMENT_IDS.includes(v), {
    error: (iss) =>
      `"${String(iss.input).slice(0, 40)}" is not a segment (<tier>_<readiness>)${didYouMean(String(iss.input), SEGMENT_IDS) || `; segments are ${SEGMENT_IDS.join(", ")}`}`,
  }),
);
export const Segment = SegmentValue.describe("tier_readiness, e.g. smb_ready");

export const DealIdPattern = /^D-\d{4,}$/;
/** D-0042; "d-42" or "D42" are read as D-0042. */
export const DealId = z.preprocess(
  (v) => {
    const m = typeof v === "string" ? /^\s*d-?\s*0*(\d{1,12})\s*$/i.exec(v) : null;
    return m ? `D-${m[1]!.padStart(4, "0")}` : v;
  },
  z.string().refine((v) => DealIdPattern.test(v), {
    error: (iss) =>
      `"${String(iss.input).slice(0, 40)}" is not a deal id (they look like D-0042); find it with list_deals filters.q (name or account)`,
  }),
);

// ---------------------------------------------------------------- dates and money
const RELATIVE =
  /\b(today|yesterday|tomorrow|now|last|next|this|ago|week|month|quarter|monday|tuesday|wednesday|thursday|friday|saturday|sunday)\b/i;
/** An ISO 8601 date or timestamp. Relative words are refused with today's date and the form to send. */
export const IsoDate = z
  .string()
  .superRefine((s, ctx) => {
    const shape = /^\d{4}-\d{2}-\d{2}(T\d{2}:\d{2}(:\d{2}(\.\d{1,3})?)?(Z|[+-]\d{2}:\d{2})?)?$/.test(s);
    if (shape && !Number.isNaN(Date.parse(s.length === 10 ? `${s}T00:00:00Z` : s))) return;
    const today = new Date().toISOString().slice(0, 10);
    ctx.addIssue({
      code: "custom",
      message: shape
        ? `"${s}" is not a real calendar date`
        : RELATIVE.test(s)
          ? `"${s.slice(0, 40)}" is relative; today is ${today}, so send the ISO date, e.g. ${today}`
          : `"${s.slice(0, 40)}" is not an ISO 8601 date; send e.g. ${today} or ${today}T14:30:00Z`,
    });
  })
  .meta({ format: "date" });

export const Currency = z
  .preprocess(
    (v) => (typeof v === "string" ? v.trim().toUpperCase() : v),
    z.string().refine((c) => /^[A-Z]{3}$/.test(c), {
      error: (iss) => `"${String(iss.input).slice(0, 20)}" is not an ISO 4217 code; send e.g. USD or EUR`,
    }),
  )
  .describe("ISO 4217, e.g. EUR");

export const Money = z
  .number()
  .refine((n) => Number.isFinite(n) && n >= 0 && n <= 1e13, "must be an amount between 0 and 10 trillion");
export const Count = z
  .number()
  .refine((n) => Number.isInteger(n) && n >= 0 && n <= 10_000_000, "must be a whole number from 0 to 10 million");
export const Months = z.number().refine((n) => n >= 0 && n <= 120, "must be 0-120 months");

// ---------------------------------------------------------------- qualification, one shape everywhere
// Each dimension of the active framework (data/qualification.json) as `{"status": "approved",
// "note": "..."}`, or the status alone ("approved"): both mean the same. A dimension that speaks
// to the budget, need or timeline signal also takes that signal's details.
/** Marks a {status, note?} input whose tools/list form is its status alone (define.ts reads it). */
export const ADVERTISED_AS_STATUS = "x-advertised-as-status";
const statusShorthand = (v: unknown) => (typeof v === "string" ? { status: v } : v);
const dimension = <S extends z.ZodType, E extends z.ZodRawShape>(status: S, extra: E) =>
  z.preprocess(statusShorthand, closedObject({ status, ...extra, note: Note.optional() }));

const SIGNAL_DETAILS = {
  budget: { amount: Money.optional(), currency: Currency.optional() },
  authority: {},
  need: { pain_points: z.array(cleanText(500)).max(20).optional() },
  timeline: { decision_date: IsoDate.optional(), months: Months.optional() },
} satisfies Record<SignalName, z.ZodRawShape>;

type DimensionShape = z.ZodOptional<z.ZodType<QualifyInput[string], unknown>>;
type StatusShape = z.ZodOptional<z.ZodType<string, unknown>>;
const statusIds = (d: QualificationDimensionDef) => d.statuses.map((s) => s.id) as [string, ...string[]];

const shapes = new WeakMap<
  Methodology,
  { full: Record<string, DimensionShape>; status: Record<string, StatusShape> }
>();
function shapesFor(m: Methodology) {
  let s = shapes.get(m);
  if (!s) {
    const full: Record<string, DimensionShape> = {};
    const status: Record<string, StatusShape> = {};
    for (const d of m.qualification.dimensions) {
      const details = SignalId.options
        .filter((sig) => m.qualification.signals[sig].dimension === d.id)
        .reduce<z.ZodRawShape>((acc, sig) => ({ ...acc, ...SIGNAL_DETAILS[sig] }), {});
      const plain = Object.keys(details).length === 0;
      // A dimension with no details of its own is advertised as its status alone (the shorter form,
      // ~100 characters less in tools/list); {status, note} is read as before.
      full[d.id] = (plain
        ? dimension(looseEnum(statusIds(d)), details)
            .optional()
            .meta({ [ADVERTISED_AS_STATUS]: true })
        : dimension(looseEnum(statusIds(d)), details).optional()) as unknown as DimensionShape;
      if (SignalId.options.some((sig) => m.qualification.signals[sig].dimension === d.id))
        status[d.id] = statusOnly(looseEnum(statusIds(d))).optional() as unknown as StatusShape;
    }
    shapes.set(m, (s = { full, status }));
  }
  return s;
}

/**
 * The status alone, for tools that only score: advertised as the status (the shorter form, the
 * same meaning), and {status} is read as the status too, so either form qualify_prospect takes works.
 */
const statusOnly = <S extends z.ZodType>(status: S) =>
  z.preprocess(
    (v) =>
      v !== null && typeof v === "object" && !Array.isArray(v) && Object.keys(v).join() === "status"
        ? (v as { status: unknown }).status
        : v,
    status,
  );
/**
 * The active framework's dimensions that speak to the budget, authority, need or timeline signal,
 * statuses only: what lead scoring learns from (all of BANT's; three of MEDDICC's eight), which
 * keeps every definition short enough for the tools/list budget.
 */
export const qualificationStatusShape = (m: Methodology) => shapesFor(m).status;

/** The active framework's dimensions as every tool takes them: {status, note?} or just the status. */
export const qualificationShape = (m: Methodology) => shapesFor(m).full;

export { AuthorityStatus, BudgetStatus, NeedStatus, TimelineStatus };
