// What a baseline is and how the comparison with one is shaped, shared by the baseline tools and the report.
import { z } from "zod";
import { cleanText } from "./schemas.js";

/** Percentage changes of the tracked metrics since the baseline. */
export const Changes = z.record(
  z.string(),
  z.object({ baseline: z.number().nullable(), current: z.number().nullable(), change_pct: z.number().nullable() }),
);

/** One success indicator of the reference, judged. */
export const Indicator = z.object({
  id: z.string(),
  text: z.string(),
  metric: z.string(),
  baseline: z.number().nullable(),
  current: z.number().nullable(),
  improvement_pct: z.number().nullable(),
  target_pct: z.object({ min: z.number(), max: z.number() }),
  within_months: z.number(),
  months_elapsed: z.number(),
  expected_by_now_pct: z.number(),
  status: z.string(),
  reason: z.string(),
});

export const Label = cleanText(100).describe("e.g. kickoff");
