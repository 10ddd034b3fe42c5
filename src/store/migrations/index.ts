// Numbered, forward-only migrations. Append; never edit or reorder a shipped one.
import m0001 from "./0001_init.js";
import m0002 from "./0002_baselines.js";

export const MIGRATIONS: ReadonlyArray<{ version: number; name: string; sql: string }> = [
  { version: 1, name: "init", sql: m0001 },
  { version: 2, name: "baselines", sql: m0002 },
];
