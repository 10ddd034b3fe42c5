// The application's dependency container: what every surface (the MCP server, the commands)
// is built from. The CLI fills it from the configuration; tests fill it with temporary stores
// and a pinned clock.
import type { Logger } from "../log.js";
import type { Methodology } from "../methodology/load.js";
import type { DealStore } from "../store/types.js";

/** What the application runs on. */
export interface Deps {
  methodology: Methodology;
  /** Opens the deal store on first use. */
  store: () => DealStore;
  log: Logger;
  /** Folders import_deals may read from. */
  importRoots: string[];
  promptsDir?: string; // the prompt files' folder; default promptsDir() from paths.ts
  /** Today, for analyses without `as_of` (tests pin it). */
  now: () => Date;
  /** Who "I" am: the default owner of new deals (--user, LEAN_SALES_USER, or the OS user over stdio). */
  user?: string;
  /** Serve only read-only tools; methodology tools answer without recording on a deal. */
  readOnly?: boolean;
  /** Tool groups to serve (default all). */
  toolsets?: readonly string[];
}
