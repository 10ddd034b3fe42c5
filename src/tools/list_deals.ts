import { createHash } from "node:crypto";
import { z } from "zod";
import { parseDealId, type DealFilters, type DealStore } from "../store/types.js";
import { defineTool, reply, ToolError } from "./define.js";
import { AppliedFilters, dealLine, DealOut, DealRowOut, Filters, presentDeal, presentDealRow, toStoreFilters } from "./deal-view.js";

const Cursor = z.string().refine((v) => v.length <= 200, "cursor is next_cursor as returned").describe("next_cursor");

/** Opaque cursor: the last id seen, bound to the query it came from. */
export function encodeCursor(lastId: number, query: unknown): string {
  return Buffer.from(JSON.stringify({ a: lastId, h: queryHash(query) })).toString("base64url");
}
export function decodeCursor(cursor: string, query: unknown): number {
  let parsed: { a?: unknown; h?: unknown };
  try {
    parsed = JSON.parse(Buffer.from(cursor, "base64url").toString("utf8"));
  } catch {
    throw new ToolError("cursor is not one this server issued; pass next_cursor exactly as returned, or leave it out for the first page.", "cursor");
  }
  if (typeof parsed.a !== "number" || !Number.isInteger(parsed.a) || parsed.a < 0) {
    throw new ToolError("cursor is not one this server issued; pass next_cursor exactly as returned.", "cursor");
  }
  if (parsed.h !== queryHash(query)) throw new ToolError("cursor belongs to a different query: keep the same filters while paging, or drop the cursor.", "cursor");
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
export function pageOfDeals(store: DealStore, filters: DealFilters, limit: number, cursor: string | undefined, query: unknown) {
  const after = cursor ? decodeCursor(cursor, query) : 0;
  const { deals, total } = store.listDeals(filters, limit + 1, after);
  const page = deals.slice(0, limit);
  const more = deals.length > limit;
  const last = page[page.length - 1];
  return { page, total, more, first: after === 0, next_cursor: more && last ? encodeCursor(parseDealId(last.id)!, query) : null };
}

const queryHash = (q: unknown) => createHash("sha256").update(JSON.stringify(q ?? {})).digest("base64url").slice(0, 12);

export default defineTool({
  name: "list_deals",
  title: "List deals",
  kind: "read",
  description: [
    "Lists deals matching filters, oldest first, a compact row each (detail full: every field), with total, truncated and next_cursor (pass it as cursor). Parked deals due for a look are flagged.",
    "Example: {\"filters\":{\"status\":\"open\",\"stage\":\"discovery\"},\"limit\":50}",
  ].join(" "),
  input: {
    filters: Filters.optional(),
    limit: z.number().int().min(1).max(200).optional().describe("default 25"),
    cursor: Cursor.optional(),
    detail: z.enum(["summary", "full"]).optional(),
  },
  output: {
    deals: z.array(z.union([DealOut, DealRowOut])),
    ...PageOut,
    nurture_due: z
      .object({ total: z.number(), deal_ids: z.array(z.string()) })
      .optional()
      .describe("Deals parked in nurture whose revisit date has come (first page only): requalify or close them"),
  },
  handle(input, ctx) {
    const m = ctx.methodology;
    const filters = toStoreFilters(input.filters);
    const { page, total, more, next_cursor } = pageOfDeals(ctx.store(), filters, input.limit ?? 25, input.cursor, input.filters);
    const full = input.detail === "full";
    // Parked deals that are due come back up, whatever the filters say about status.
    const due = input.cursor ? undefined : ctx.store().nurtureDue({ ...filters, status: undefined }, ctx.now().toISOString(), 10);
    return reply(
      {
        deals: page.map((d) => (full ? presentDeal(m, d) : presentDealRow(m, d))),
        total,
        returned: page.length,
        truncated: more,
        next_cursor,
        filters,
        ...(due && due.total > 0 ? { nurture_due: { total: due.total, deal_ids: due.deals.map((d) => d.id) } } : {}),
      },
      [
        `${total} deal${total === 1 ? "" : "s"} match; ${page.length} shown${more ? " (more: pass next_cursor)" : ""}; each row below is also in structuredContent.deals.`,
        ...(due && due.total > 0 ? [`${due.total} parked deal${due.total === 1 ? " is" : "s are"} due for a revisit: ${due.deals.map((d) => d.id).join(", ")} (qualify_prospect, then update_deal status open, or close_deal).`] : []),
        ...(page.length > 25 ? [`The first 25 are below; ${page.length - 25} more rows in structuredContent.deals.`] : []),
      ],
      // One line per deal: ids and numbers with the stored names, all fenced as data.
      page.length ? page.slice(0, 25).map((d) => `${dealLine(m, d)}: name=${JSON.stringify(d.name)} account=${JSON.stringify(d.account)} owner=${JSON.stringify(d.owner)}`).join("\n") : undefined,
    );
  },
});
