import { z } from "zod";
import { ActivityType } from "../../methodology/schema.js";
import { defineTool, reply } from "../define.js";
import { toTimestamp } from "../../app/dates.js";
import { DealId, IsoDate, looseEnum, Note } from "../../app/schemas.js";
import { InputError } from "../../methodology/errors.js";
import { assertPast } from "../../app/dates.js";

export default defineTool({
  name: "log_activity",
  title: "Log an activity on a deal",
  kind: "append",
  description: [
    "Records what happened on a deal (type, when, summary, minutes). Log internal work too: find_waste reads the mix.",
    'Example: {"deal_id":"D-0042","type":"call","summary":"Discovery call: go-live by Q2","duration_minutes":45}',
  ].join(" "),
  input: {
    deal_id: DealId,
    type: looseEnum(ActivityType.options),
    summary: Note,
    occurred_at: IsoDate.optional(),
    duration_minutes: z
      .number()
      .refine((n) => Number.isInteger(n) && n >= 0 && n <= 1440, "must be whole minutes, 0-1440")
      .optional()
      .describe("minutes"),
  },
  output: {
    activity: z.object({
      id: z.number(),
      deal_id: DealId,
      type: z.string(),
      occurred_at: z.string(),
      summary: z.string(),
      duration_minutes: z.number().nullable(),
      stage: z.string(),
    }),
  },
  handle(input, ctx) {
    const now = ctx.now();
    const at = input.occurred_at ? toTimestamp(input.occurred_at) : now.toISOString();
    assertPast(at, now, "occurred_at", "log activities once they happened.");
    return ctx.write(() => {
      const store = ctx.store();
      const deal = store.requireDeal(input.deal_id);
      if (at < deal.created_at.slice(0, 10))
        throw new InputError(
          `occurred_at is before ${input.deal_id} was created (${deal.created_at.slice(0, 10)}).`,
          "occurred_at",
        );
      const activity = store.logActivity(
        input.deal_id,
        { type: input.type, occurred_at: at, summary: input.summary, duration_minutes: input.duration_minutes ?? null },
        now.toISOString(),
      );
      return reply(
        { activity },
        `Logged ${activity.type} #${activity.id} on ${input.deal_id} at ${at.slice(0, 16).replace("T", " ")} UTC.`,
        activity.summary,
      );
    });
  },
});
