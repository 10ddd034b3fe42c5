// Sub-commands for people at a terminal. They use the same store and rules as the tools.
// A command run never serves MCP: the CLI hands it the terminal's streams (its result on `out`,
// notices and progress on `err`), and the commands themselves touch no process stream.
import { ConfigError, type Config, type COMMANDS } from "../config.js";
import type { Deps } from "../app/deps.js";
import { VERSION } from "../version.js";
import { backupCommand } from "./backup.js";
import { demoCommand } from "./demo.js";
import { exportCommand } from "./export.js";
import { importCommand } from "./import.js";
import { reportCommand } from "./report.js";
import { restoreCommand } from "./restore.js";
import { statusCommand } from "./status.js";
import type { Terminal } from "./terminal.js";

export type { Terminal } from "./terminal.js";

export const HELP = `lean-sales-mcp ${VERSION}: Lean Sales methodology tools over MCP, with a local SQLite deal store.

Serve MCP:
  lean-sales-mcp                         stdio (what Claude Desktop and Claude Code spawn)
  lean-sales-mcp --http [--port 3000] [--host 127.0.0.1] [--token T]
                                         Streamable HTTP at /mcp; any host but loopback needs a token

Options:
  --db PATH            SQLite file (env LEAN_SALES_DB; default a per-user data file)
  --log-level LEVEL    fatal|error|warn|info|debug|trace|silent (env LEAN_SALES_LOG_LEVEL); logs go to stderr
  --token T            bearer token for HTTP (env LEAN_SALES_HTTP_TOKEN, at least 16 characters)
  --allow-origin O     an extra browser Origin allowed over HTTP (repeatable; loopback origins are allowed)
  --import-root DIR    a folder import_deals may read files from (repeatable; env LEAN_SALES_IMPORT_ROOTS)
  --time-zone TZ       IANA zone for day, month and quarter boundaries (env LEAN_SALES_TZ; default UTC)
  --methodology DIR    a team's methodology folder: its files replace the shipped ones of the same name
                       (env LEAN_SALES_METHODOLOGY; see methodology init)

Commands:
  status [--json]                  the store: file, schema version, row counts, integrity
  export [--format csv|json] [--out FILE]
                                   every deal (stdout unless --out)
  report [--out FILE] [--as-of DATE]
                                   the pipeline dashboard as one self-contained HTML file (stdout unless --out)
  import FILE [--format hubspot|salesforce|pipedrive|generic] [--dry-run] [--mapping JSON] [--stage-map JSON]
                                   deals from a CRM's CSV export (same rules as the import_deals tool)
  demo [--seed 42] [--deals 300] [--as-of DATE] [--force]
                                   a deterministic demo pipeline (refuses a store that holds deals unless --force)
  methodology init DIR [--force]   write the shipped methodology files to DIR for a team to edit
  methodology check DIR            validate DIR as start-up would; list what differs from the shipped files
  backup FILE                      consistent copy of the store while others write (VACUUM INTO)
  restore FILE [--force]           replace the store's contents with a backup (checked first)
  help, version
`;

type Command = (config: Config, deps: Deps, term: Terminal) => Promise<void>;
const RUN: Partial<Record<(typeof COMMANDS)[number], Command>> = {
  status: statusCommand,
  export: exportCommand,
  backup: backupCommand,
  restore: restoreCommand,
  report: reportCommand,
  import: importCommand,
  demo: demoCommand,
};

export async function runCommand(config: Config, deps: Deps, term: Terminal): Promise<void> {
  const run = RUN[config.command as keyof typeof RUN];
  if (!run) throw new ConfigError(`unknown command ${config.command}`);
  return run(config, deps, term);
}
