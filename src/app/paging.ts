// Paging through deals: opaque cursors bound to the query they came from, and the page fields every list answers.
import { createHash } from "node:crypto";
import { z } from "zod";
import { AppliedFilters } from "./deal-view.js";
import { type DealFilters, type DealStore, parseDealId } from "../store/types.js";
import { InputError } from "../methodology/errors.js";

export const Cursor = z
  .string()
  .refine((v) => v.length <= 200, "cursor is next_cursor as returned")
  .describe("next_cursor");

/** Opaque cursor: the last id seen, bound to the query it came from. */
export function encodeCursor(lastId: number, query: unknown): string {
  return Buffer.from(JSON.stringify({ a: lastId, h: queryHash(query) })).toString("base64url");
}

export function decodeCursor(cursor: string, query: unknown): number {
  let parsed: { a?: unknown; h?: unknown };
  try {
    parsed = JSON.parse(Buffer.from(cursor, "base64url").toString("utf8"));
  } catch {
    throw new InputError(
      "cursor is not one this server issued; pass next_cursor exactly as returned, or leave it out for the first page.",
      "cursor",
    );
  }
  if (typeof parsed.a !== "number" || !Number.isInteger(parsed.a) || parsed.a < 0) {
    throw new InputError("cursor is not one this server issued; pass next_cursor exactly as returned.", "cursor");
  }
  if (parsed.h !== queryHash(query))
    throw new InputError(
      "cursor belongs to a different query: keep the same filters while paging, or drop the cursor.",
      "cursor",
    );
  return parsed.a;
}

/** What every paged list answers besides its rows: nothing is cut or filtered silently. */
export const PageOut = {
  total: z.number().describe("How many deals match in all"),
  returned: z.number(),
  truncated: z.boolean().describe("true when more pages exist: pass next_cursor as cursor"),
  next_cursor: z.string().nullable(),
  filters: AppliedFilters,
};

/** One page of deals in id order, with the cursor to the next one (bound to `query`). */
export function pageOfDeals(
  store: DealStore,
  filters: DealFilters,
  limit: number,
  cursor: string | undefined,
  query: unknown,
) {
  const after = cursor ? decodeCursor(cursor, query) : 0;
  const { deals, total } = store.listDeals(filters, limit + 1, after);
  const page = deals.slice(0, limit);
  const more = deals.length > limit;
  const last = page[page.length - 1];
  return {
    page,
    total,
    more,
    first: after === 0,
    next_cursor: more && last ? encodeCursor(parseDealId(last.id)!, query) : null,
  };
}

const queryHash = (q: unknown) =>
  createHash("sha256")
    .update(JSON.stringify(q ?? {}))
    .digest("base64url")
    .slice(0, 12);
