// Prompt arguments: one vocabulary, so a name means the same in every prompt file (how its
// value is checked, completed and shown).
import { z } from "zod";
import type { Methodology } from "../../methodology/load.js";
import { FocusId } from "../../methodology/schema.js";
import { SEGMENT_IDS } from "../../app/deal-view.js";
import type { Deps } from "../../app/deps.js";
import { cleanText, DealIdPattern } from "../../app/schemas.js";

// ---------------------------------------------------------------- arguments
// Each accepts "" as "not given": some clients send empty strings for optional fields left blank.
const oneOf = (what: string, ids: readonly string[]) =>
  z.string().refine((v) => v === "" || ids.includes(v), `${what} must be one of ${ids.join(", ")}`);
const startingWith = (ids: readonly string[]) => (v: string | undefined) => ids.filter((id) => id.startsWith(v ?? ""));

export interface ArgumentKind {
  schema(m: Methodology): z.ZodType<string, string>;
  complete?(deps: Deps): (value: string | undefined) => string[];
  /** How {{arg.NAME}} shows the value: an id as is, free text JSON-quoted or fenced as data. */
  show: "id" | "quoted" | "fenced";
}

export const ARGUMENTS = {
  deal_id: {
    schema: () =>
      z.string().refine((v) => v === "" || DealIdPattern.test(v), "deal_id looks like D-0042 (list_deals finds ids)"),
    complete: (deps) => (v) =>
      deps
        .store()
        .dealsLike(v ?? "", 20)
        .map((d) => d.id),
    show: "id",
  },
  owner: {
    schema: () => cleanText(200, { optional: true }),
    complete: (deps) => (v) => deps.store().ownersLike(v ?? "", 20),
    show: "quoted",
  },
  stage: {
    schema: (m) =>
      oneOf(
        "stage",
        m.stages.map((s) => s.id),
      ),
    complete: (deps) => startingWith(deps.methodology.stages.map((s) => s.id)),
    show: "id",
  },
  segment: { schema: () => oneOf("segment", SEGMENT_IDS), complete: () => startingWith(SEGMENT_IDS), show: "id" },
  focus: { schema: () => oneOf("focus", FocusId.options), complete: () => startingWith(FocusId.options), show: "id" },
  notes: { schema: () => cleanText(20_000, { multiline: true, optional: true }), show: "fenced" },
} satisfies Record<string, ArgumentKind>;
export type ArgName = keyof typeof ARGUMENTS;
export const ARG_NAMES = Object.keys(ARGUMENTS) as [ArgName, ...ArgName[]];
