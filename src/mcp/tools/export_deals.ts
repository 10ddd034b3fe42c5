import { z } from "zod";
import { EXPORT_COLUMNS, exportUri } from "../../app/export.js";
import { defineTool, reply } from "../define.js";
import { AppliedFilters, filtersFor, toStoreFilters } from "../../app/deal-view.js";
import { looseEnum } from "../../app/schemas.js";

// A row of CSV runs ~350 characters: enough to say roughly how big the file is.
const CHARS_PER_ROW = 350;

export default defineTool({
  name: "export_deals",
  title: "Export deals to a file",
  kind: "read",
  description: [
    "The deals matching filters as a CSV (re-importable) or JSON file, answered as a resource link: read its URI for the file. list_deals shows deals inline.",
    'Example: {"filters":{"status":"won"},"format":"csv"}',
  ].join(" "),
  input: (m) => ({
    filters: filtersFor(m).optional(),
    format: looseEnum(["csv", "json"]).optional().describe("default csv"),
  }),

  output: {
    format: z.enum(["csv", "json"]),
    uri: z.string().describe("resources/read this URI for the file"),
    total: z.number(),
    columns: z.array(z.string()),
    approx_chars: z.number(),
    filters: AppliedFilters,
  },
  handle(input, ctx) {
    const format = input.format ?? "csv";
    const filters = toStoreFilters(input.filters);
    const { total } = ctx.store().listDeals(filters, 1, 0);
    const uri = exportUri(format, filters);
    const approx = total * CHARS_PER_ROW;
    const size =
      approx > 1_000_000 ? `~${Math.round(approx / 1_000_000)} MB` : `~${Math.max(1, Math.round(approx / 1000))} KB`;
    const r = reply({ format, uri, total, columns: [...EXPORT_COLUMNS], approx_chars: approx, filters }, [
      `${total} deal${total === 1 ? "" : "s"} as ${format.toUpperCase()} (${size}): read ${uri} for the file.`,
      "At a terminal, `lean-sales-mcp export --format " + format + "` writes the same file.",
    ]);
    return {
      ...r,
      content: [
        {
          type: "resource_link",
          uri,
          name: `deals.${format}`,
          mimeType: format === "csv" ? "text/csv" : "application/json",
          description: `${total} deals`,
        },
      ],
    };
  },
});
