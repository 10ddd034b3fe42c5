// Each activity type has a counter column n_<type> on deals (migration 4; a new type needs a
// migration adding its column, which the schema snapshot test catches).
import { ActivityType } from "../../methodology/schema.js";
import type { BantSnapshot } from "../types.js";

export const ACTIVITY_TYPES = ActivityType.options;
export type ActivityTypeColumn = `n_${(typeof ACTIVITY_TYPES)[number]}`;

export function countColumn(type: string): ActivityTypeColumn {
  if (!(ACTIVITY_TYPES as readonly string[]).includes(type)) throw new Error(`unknown activity type ${type}`);
  return `n_${type}` as ActivityTypeColumn;
}

/** One qualification row, as the single write and the bulk load both insert it. */
export const INSERT_QUALIFICATION =
  "INSERT INTO qualifications (deal_id, recorded_at, budget, authority, need, timeline, score, verdict, detail, framework, statuses) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)";

/**
 * The values of INSERT_QUALIFICATION. Without a framework it is BANT (as every qualification
 * before frameworks was), and a BANT qualification's statuses are its signals.
 */
export function qualificationValues(
  dealId: number,
  recordedAt: string,
  q: BantSnapshot & { statuses?: Record<string, string>; detail: Record<string, unknown> },
): unknown[] {
  const statuses = q.statuses ?? { budget: q.budget, authority: q.authority, need: q.need, timeline: q.timeline };
  return [
    dealId,
    recordedAt,
    q.budget,
    q.authority,
    q.need,
    q.timeline,
    q.score,
    q.verdict,
    JSON.stringify(q.detail),
    q.framework ?? UNNAMED_FRAMEWORK,
    JSON.stringify(statuses),
  ];
}

/** The framework of a qualification stored without one: every one before migration 8 was BANT. */
export const UNNAMED_FRAMEWORK = "bant";
