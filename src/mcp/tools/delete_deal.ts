import { z } from "zod";
import { defineTool, reply } from "../define.js";
import { DealId, Name } from "../../app/schemas.js";
import { InputError } from "../../methodology/errors.js";

export default defineTool({
  name: "delete_deal",
  title: "Delete a deal for good",
  kind: "update",
  description: [
    "Erases a deal entered by mistake, or a person's data on request, with everything recorded on it and no copy left. Cannot be undone; confirm_name is the deal's name. To end a deal, close_deal.",
    'Example: {"deal_id":"D-0042","confirm_name":"Acme - fleet rollout"}',
  ].join(" "),
  input: {
    deal_id: DealId,
    confirm_name: Name.describe("the deal's name, as a confirmation"),
  },
  output: { deal_id: z.string(), deleted: z.boolean(), removed: z.record(z.string(), z.number()) },
  handle(input, ctx) {
    const store = ctx.store();
    const deal = store.requireDeal(input.deal_id);
    const norm = (s: string) => s.normalize("NFC").trim().toLowerCase();
    if (norm(deal.name) !== norm(input.confirm_name)) {
      throw new InputError(
        `confirm_name does not match the name of ${deal.id}; nothing was deleted. Read it with get_deal and send it exactly.`,
        "confirm_name",
      );
    }
    // Not through ctx.write: the delete is its own transaction, and no reply is stored for replay.
    const removed = store.deleteDeal(deal.id);
    const rows = Object.entries(removed)
      .filter(([, n]) => n > 0)
      .map(([t, n]) => `${n} ${t}`);
    return reply(
      { deal_id: deal.id, deleted: true, removed },
      `Deleted ${deal.id} and everything recorded on it (${rows.join(", ")}).`,
    );
  },
});
