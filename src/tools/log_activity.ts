import { z } from "zod";
import { ActivityType } from "../methodology/schema.js";
import { defineTool, reply, ToolError } from "./define.js";
import { toTimestamp } from "./deal-view.js";
import { DealId, IsoDate, Note } from "./schemas.js";

export default defineTool({
  name: "log_activity",
  title: "Log an activity on a deal",
  kind: "append",
  description: [
    "Records something that happened on a deal: type (email, call, meeting, demo, proposal, note, internal, approval), when, a summary and its duration.",
    "Log customer-facing work and internal work alike: find_waste uses the mix (silence, meetings without progress, internal work outweighing customer work, proposal rework).",
    "occurred_at defaults to now. Send a request_id to make a retry safe.",
    'Example: {"deal_id":"D-0042","type":"call","summary":"Discovery call with VP Ops: go-live by Q2, budget not confirmed","duration_minutes":45}',
  ].join(" "),
  input: {
    deal_id: DealId,
    type: ActivityType.describe(`Activity type: ${ActivityType.options.join(", ")}`),
    summary: Note.describe("What happened, in a sentence or two"),
    occurred_at: IsoDate.optional().describe("When it happened (default now), ISO, e.g. 2026-11-27T15:00:00Z"),
    duration_minutes: z.number().int().min(0).max(24 * 60).optional().describe("Duration in minutes, e.g. 30"),
  },
  output: {
    activity: z.object({ id: z.number(), deal_id: DealId, type: z.string(), occurred_at: z.string(), summary: z.string(), duration_minutes: z.number().nullable(), stage: z.string() }),
  },
  handle(input, ctx) {
    const now = ctx.now();
    const at = input.occurred_at ? toTimestamp(input.occurred_at) : now.toISOString();
    if (Date.parse(at) > now.getTime() + 86_400_000) throw new ToolError("occurred_at is in the future; log activities once they happened.", "occurred_at");
    return ctx.write(() => {
      const store = ctx.store();
      const deal = store.requireDeal(input.deal_id);
      if (at < deal.created_at.slice(0, 10)) throw new ToolError(`occurred_at is before ${input.deal_id} was created (${deal.created_at.slice(0, 10)}).`, "occurred_at");
      const activity = store.logActivity(input.deal_id, { type: input.type, occurred_at: at, summary: input.summary, duration_minutes: input.duration_minutes ?? null }, now.toISOString());
      return reply({ activity }, `Logged ${activity.type} #${activity.id} on ${input.deal_id} at ${at.slice(0, 16).replace("T", " ")} UTC.`, activity.summary);
    });
  },
});
