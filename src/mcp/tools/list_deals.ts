import { z } from "zod";
import { defineTool, reply } from "../define.js";
import {
  dealLine,
  DealOut,
  DealRowOut,
  filtersFor,
  presentDeal,
  presentDealRow,
  toStoreFilters,
} from "../../app/deal-view.js";
import { Cursor, PageOut, pageOfDeals } from "../../app/paging.js";

export default defineTool({
  name: "list_deals",
  title: "List deals",
  kind: "read",
  description: [
    "Lists deals matching filters, oldest first, a compact row each (detail full: every field), with total, truncated and next_cursor (pass it as cursor). Parked deals due for a look are flagged.",
    'Example: {"filters":{"status":"open","stage":"discovery"},"limit":50}',
  ].join(" "),
  input: (m) => ({
    filters: filtersFor(m).optional(),
    limit: z.number().int().min(1).max(200).optional().describe("default 25"),
    cursor: Cursor.optional(),
    detail: z.enum(["summary", "full"]).optional(),
  }),

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
    const { page, total, more, next_cursor } = pageOfDeals(
      ctx.store(),
      filters,
      input.limit ?? 25,
      input.cursor,
      input.filters,
    );
    const full = input.detail === "full";
    // Parked deals that are due come back up, whatever the filters say about status.
    const due = input.cursor
      ? undefined
      : ctx.store().nurtureDue({ ...filters, status: undefined }, ctx.now().toISOString(), 10);
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
        ...(due && due.total > 0
          ? [
              `${due.total} parked deal${due.total === 1 ? " is" : "s are"} due for a revisit: ${due.deals.map((d) => d.id).join(", ")} (qualify_prospect, then update_deal status open, or close_deal).`,
            ]
          : []),
        ...(page.length > 25
          ? [`The first 25 are below; ${page.length - 25} more rows in structuredContent.deals.`]
          : []),
      ],
      // One line per deal: ids and numbers with the stored names, all fenced as data.
      page.length
        ? page
            .slice(0, 25)
            .map(
              (d) =>
                `${dealLine(m, d)}: name=${JSON.stringify(d.name)} account=${JSON.stringify(d.account)} owner=${JSON.stringify(d.owner)}`,
            )
            .join("\n")
        : undefined,
    );
  },
});
