// Numbered, forward-only migrations. Append; never edit or reorder a shipped one.
import m0001 from "./0001_init.js";
import m0002 from "./0002_baselines.js";
import m0003 from "./0003_analytics_indexes.js";
import m0004 from "./0004_deal_activity_counts.js";
import m0005 from "./0005_pipeline_indexes.js";
import m0006 from "./0006_nurture.js";
import m0007 from "./0007_deal_id_high_water.js";
import m0008 from "./0008_qualification_frameworks.js";
import m0009 from "./0009_stage_layout.js";
import m0010 from "./0010_planner_statistics.js";
import m0011 from "./0011_replay_indexes.js";

/** foreignKeysOff: the migration rebuilds a table, so foreign keys are off around it (checked before commit). */
export const MIGRATIONS: ReadonlyArray<{ version: number; name: string; sql: string; foreignKeysOff?: boolean }> = [
  { version: 1, name: "init", sql: m0001 },
  { version: 2, name: "baselines", sql: m0002 },
  { version: 3, name: "analytics_indexes", sql: m0003 },
  { version: 4, name: "deal_activity_counts", sql: m0004 },
  { version: 5, name: "pipeline_indexes", sql: m0005 },
  { version: 6, name: "nurture", sql: m0006, foreignKeysOff: true },
  { version: 7, name: "deal_id_high_water", sql: m0007 },
  { version: 8, name: "qualification_frameworks", sql: m0008 },
  { version: 9, name: "stage_layout", sql: m0009 },
  { version: 10, name: "planner_statistics", sql: m0010 },
  { version: 11, name: "replay_indexes", sql: m0011 },
];
