// Each activity type has a counter column n_<type> on deals (migration 4; a new type needs a
// migration adding its column, which the schema snapshot test catches).
import { ActivityType } from "../../methodology/schema.js";

export const ACTIVITY_TYPES = ActivityType.options;
export type ActivityTypeColumn = `n_${(typeof ACTIVITY_TYPES)[number]}`;

export function countColumn(type: string): ActivityTypeColumn {
  if (!(ACTIVITY_TYPES as readonly string[]).includes(type)) throw new Error(`unknown activity type ${type}`);
  return `n_${type}` as ActivityTypeColumn;
}
