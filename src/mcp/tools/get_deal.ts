import { z } from "zod";
import { defineTool, reply } from "../define.js";
import { DealId } from "../../app/schemas.js";
import { DealRecord, dealRecord, dealRecordText } from "../../app/deal-record.js";

export default defineTool({
  name: "get_deal",
  title: "Get a deal",
  kind: "read",
  description: [
    "One deal with stakeholders, stage history, latest activities, latest qualification and stage check. Read it before advising on a deal.",
    'Example: {"deal_id":"D-0042"}',
  ].join(" "),
  input: {
    deal_id: DealId,
    activities_limit: z.number().int().min(0).max(200).optional().describe("default 20"),
  },
  output: DealRecord,
  handle(input, ctx) {
    const r = dealRecord(ctx.methodology, ctx.store(), input.deal_id, input.activities_limit ?? 20);
    const t = dealRecordText(ctx.methodology, r);
    return reply(r, t.summary, t.data);
  },
});
