// Schema pieces shared by several tools: public identifiers (CONTRACT.md) with descriptions
// written for an agent. The identifiers themselves come from the methodology schema.
import { z } from "zod";
import {
  AuthorityStatus,
  BudgetStatus,
  FocusId,
  NeedStatus,
  ReadinessId,
  StageId,
  TierId,
  TimelineStatus,
  WasteId,
} from "../methodology/schema.js";

// ---------------------------------------------------------------- clean text
// Text that may be stored is normalised on the way in: NFC, trimmed, zero-width characters
// removed; C0/C1 controls (but tab and newline), bidi controls, Unicode tag characters and
// lone surrogates are refused, and the length is bounded. (Reliability findings §3.2, §3.6.)
const REFUSED = /[\u0000-\u0008\u000B\u000C\u000E-\u001F\u007F-\u009F\u061C\u200E\u200F\u202A-\u202E\u2066-\u2069]|\u{E0000}|[\u{E0001}-\u{E007F}]/u;
const ZERO_WIDTH = /[\u200B-\u200D\u2060\uFEFF]/g;

export function cleanText(max: number, opts: { multiline?: boolean; optional?: boolean } = {}) {
  return z
    .string()
    .max(max * 4)
    .transform((raw, ctx) => {
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
      if ([...s].length > max) {
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
  .max(4096)
  .refine((p) => p.isWellFormed() && !REFUSED.test(p) && !/[\u200B-\u200D\u2060\uFEFF]/.test(p), "contains control, bidi, zero-width or tag characters; send a plain file path");
export const Note = cleanText(4000, { multiline: true });

export const Stage = StageId.describe(`Pipeline stage id: ${StageId.options.join(", ")}`);
export const Tier = TierId.describe("Customer tier: enterprise, mid_market or smb");
export const Readiness = ReadinessId.describe("Customer readiness: ready, exploring or not_ready");
export const Waste = WasteId;
export const Focus = FocusId.describe(`Core question topic: ${FocusId.options.join(", ")}`);
export const Reasons = z.array(z.string()).describe("Why: each reason points at the methodology element behind the verdict");
export const Recorded = z.boolean().describe("true when the result was saved on the deal given by deal_id");

export const DealIdPattern = /^D-\d{4,}$/;
export const DealId = z
  .string()
  .regex(DealIdPattern, "deal_id looks like D-0042")
  .describe("Deal id from the store, e.g. D-0042 (list_deals finds ids)");

export const IsoDate = z
  .string()
  .regex(/^\d{4}-\d{2}-\d{2}(T\d{2}:\d{2}(:\d{2}(\.\d{1,3})?)?(Z|[+-]\d{2}:\d{2})?)?$/, "use an ISO 8601 date, e.g. 2026-11-26 or 2026-11-26T14:30:00Z")
  .refine((s) => !Number.isNaN(Date.parse(s.length === 10 ? `${s}T00:00:00Z` : s)), "not a real calendar date")
  .describe("ISO 8601 date, e.g. 2026-11-26");

export const Currency = z
  .string()
  .regex(/^[A-Z]{3}$/, "currency is an ISO 4217 code such as USD or EUR")
  .describe("ISO 4217 currency code, e.g. USD (default USD)");

export const Money = z.number().finite().nonnegative().max(1e13);

export const BudgetInput = z
  .object({
    status: BudgetStatus.describe("approved, identified, unknown or none"),
    amount: Money.optional().describe("Budget amount, e.g. 120000"),
    currency: Currency.optional(),
    note: Note.optional().describe("What the prospect said, e.g. 'CFO signed off 150k for Q1'"),
  })
  .strict();
export const AuthorityInput = z
  .object({
    status: AuthorityStatus.describe("decision_maker, access_to_decision_maker, influencer_only or unknown"),
    note: Note.optional().describe("What was said or seen, in a sentence or two"),
  })
  .strict();
export const NeedInput = z
  .object({
    status: NeedStatus.describe("critical, confirmed, latent, unknown or none"),
    pain_points: z.array(cleanText(500)).max(20).optional().describe("Pain points in the customer's words"),
    note: Note.optional().describe("What was said or seen, in a sentence or two"),
  })
  .strict();
export const TimelineInput = z
  .object({
    status: TimelineStatus.describe("defined, tentative, unknown or none"),
    decision_date: IsoDate.optional().describe("Expected decision date, ISO, e.g. 2027-03-31"),
    months: z.number().finite().min(0).max(120).optional().describe("Months until the customer wants to decide or go live, e.g. 4"),
    note: Note.optional().describe("What was said or seen, in a sentence or two"),
  })
  .strict();

export { AuthorityStatus, BudgetStatus, NeedStatus, TimelineStatus };
