// Numbered, forward-only migrations. Append; never edit or reorder a shipped one.
import m0001 from "./0001_init.js";

export const MIGRATIONS: ReadonlyArray<{ version: number; name: string; sql: string }> = [
  { version: 1, name: "init", sql: m0001 },
];
