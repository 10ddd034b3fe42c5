// One configuration schema: defaults <- environment (LEAN_SALES_*) <- command-line flags.
// Pure: takes argv and env, returns a Config or throws ConfigError with the flag to fix.
import { homedir } from "node:os";
import { join } from "node:path";
import { parseArgs } from "node:util";
import { z } from "zod";

export class ConfigError extends Error {
  override name = "ConfigError";
}

/** Sub-commands for people at a terminal; no command serves MCP. */
export const COMMANDS = [
  "export",
  "backup",
  "restore",
  "status",
  "report",
  "import",
  "demo",
  "methodology",
  "help",
  "version",
] as const;
const COMMANDS_AND_SERVE = ["serve", ...COMMANDS] as const;

/** The tool groups (--toolsets): the methodology, the deal store, analytics, the dashboard. */
export const TOOLSETS = ["methodology", "deals", "analytics", "dashboard"] as const;
export type Toolset = (typeof TOOLSETS)[number];

const LOOPBACK = new Set(["127.0.0.1", "localhost", "::1", "[::1]"]);
export const isLoopback = (host: string) => LOOPBACK.has(host) || /^127\.\d+\.\d+\.\d+$/.test(host);

export const ConfigSchema = z
  .object({
    command: z.enum(COMMANDS_AND_SERVE),
    http: z.boolean(),
    port: z.coerce.number().int().min(0).max(65535),
    host: z.string().min(1),
    token: z.string().min(16, "the HTTP token must be at least 16 characters").optional(),
    db: z.string().min(1),
    log_level: z.enum(["fatal", "error", "warn", "info", "debug", "trace", "silent"]),
    allowed_origins: z.array(z.string()),
    session_idle_ms: z.number().int().positive(),
    max_sessions: z.number().int().positive(),
    /** Who "I" am: the default owner of new deals (stdio falls back to the operating-system user). */
    user: z.string().trim().min(1).max(200).optional(),
    /** A team's methodology folder: its files replace the shipped data/ files of the same name. */
    methodology: z.string().min(1).optional(),
    /** The IANA time zone day, month and quarter boundaries follow (default UTC). */
    time_zone: z.string().min(1).max(100),
    /** Serve only the read-only tools (the methodology tools then answer without recording). */
    read_only: z.boolean(),
    /** The tool groups to serve. */
    toolsets: z.array(z.enum(TOOLSETS, { error: `toolsets are ${TOOLSETS.join(", ")}` })).min(1),
    /** Folders import_deals may read a file from (the tool's `path`). Empty: paths are refused. */
    import_roots: z.array(z.string()),
    /** Positional arguments of a sub-command (e.g. the CSV file of `import`). */
    args: z.array(z.string()),
    options: z.record(z.string(), z.union([z.string(), z.boolean()])),
  })
  .superRefine((c, ctx) => {
    if (c.command === "serve" && c.http && !isLoopback(c.host) && !c.token) {
      ctx.addIssue({
        code: "custom",
        path: ["token"],
        message: `refusing to listen on ${c.host} without a bearer token: set --token or LEAN_SALES_HTTP_TOKEN (anything but loopback needs one)`,
      });
    }
  });

export type Config = z.infer<typeof ConfigSchema>;

/** The per-user data file: created on first use. */
export function defaultDbPath(env: NodeJS.ProcessEnv = process.env, platform = process.platform): string {
  const home = env.HOME ?? env.USERPROFILE ?? homedir();
  if (platform === "win32") return join(env.APPDATA ?? join(home, "AppData", "Roaming"), "lean-sales-mcp", "deals.db");
  if (platform === "darwin") return join(home, "Library", "Application Support", "lean-sales-mcp", "deals.db");
  return join(env.XDG_DATA_HOME || join(home, ".local", "share"), "lean-sales-mcp", "deals.db");
}

const FLAGS = {
  http: { type: "boolean" },
  port: { type: "string" },
  host: { type: "string" },
  token: { type: "string" },
  db: { type: "string" },
  "log-level": { type: "string" },
  "allow-origin": { type: "string", multiple: true },
  "import-root": { type: "string", multiple: true },
  user: { type: "string" },
  "time-zone": { type: "string" },
  methodology: { type: "string" },
  "read-only": { type: "boolean" },
  toolsets: { type: "string" },
  help: { type: "boolean", short: "h" },
  version: { type: "boolean", short: "v" },
  // sub-command options
  out: { type: "string", short: "o" },
  format: { type: "string" },
  seed: { type: "string" },
  deals: { type: "string" },
  "dry-run": { type: "boolean" },
  "as-of": { type: "string" },
  force: { type: "boolean" },
  json: { type: "boolean" },
  mapping: { type: "string" },
  "stage-map": { type: "string" },
} as const;

export function parseConfig(argv: string[], env: NodeJS.ProcessEnv = process.env): Config {
  let parsed;
  try {
    parsed = parseArgs({ args: argv, options: FLAGS, allowPositionals: true, strict: true });
  } catch (err) {
    throw new ConfigError(`${(err as Error).message}. Run lean-sales-mcp --help for the options.`);
  }
  const { values, positionals } = parsed;
  const first = positionals[0];
  let command: Config["command"] = "serve";
  if (values.help) command = "help";
  else if (values.version) command = "version";
  else if (first !== undefined) {
    if (!(COMMANDS as readonly string[]).includes(first)) {
      throw new ConfigError(
        `unknown command "${first}": expected one of ${COMMANDS.join(", ")} (or no command to serve MCP)`,
      );
    }
    command = first as Config["command"];
  }
  const options: Record<string, string | boolean> = {};
  for (const key of [
    "out",
    "format",
    "seed",
    "deals",
    "dry-run",
    "as-of",
    "force",
    "json",
    "mapping",
    "stage-map",
  ] as const) {
    const v = values[key];
    if (v !== undefined) options[key] = v;
  }
  const list = (v: string | undefined) =>
    v
      ? v
          .split(",")
          .map((s) => s.trim())
          .filter(Boolean)
      : [];
  const raw = {
    command,
    http: values.http ?? false,
    port: values.port ?? env.LEAN_SALES_PORT ?? 3000,
    host: values.host ?? env.LEAN_SALES_HOST ?? "127.0.0.1",
    token: values.token ?? (env.LEAN_SALES_HTTP_TOKEN || undefined),
    db: values.db ?? (env.LEAN_SALES_DB || defaultDbPath(env)),
    log_level: values["log-level"] ?? env.LEAN_SALES_LOG_LEVEL ?? "info",
    allowed_origins: values["allow-origin"] ?? list(env.LEAN_SALES_ALLOWED_ORIGINS),
    session_idle_ms: Number(env.LEAN_SALES_SESSION_IDLE_MS ?? 30 * 60_000),
    max_sessions: Number(env.LEAN_SALES_MAX_SESSIONS ?? 200),
    import_roots: values["import-root"] ?? list(env.LEAN_SALES_IMPORT_ROOTS),
    user: values.user ?? (env.LEAN_SALES_USER || undefined),
    time_zone: values["time-zone"] ?? (env.LEAN_SALES_TZ || "UTC"),
    methodology: values.methodology ?? (env.LEAN_SALES_METHODOLOGY || undefined),
    read_only: values["read-only"] ?? ["1", "true", "yes"].includes((env.LEAN_SALES_READ_ONLY ?? "").toLowerCase()),
    toolsets: list(values.toolsets ?? env.LEAN_SALES_TOOLSETS ?? TOOLSETS.join(",")),
    args: positionals.slice(command === "serve" ? 0 : 1),
    options,
  };
  // Read once: interpreted, no parser compiled (see PARSE_ONCE in methodology/provenance.ts).
  const result = ConfigSchema.safeParse(raw, { jitless: true });
  if (!result.success) {
    const issue = result.error.issues[0]!;
    const flag = String(issue.path[0] ?? "").replace(/_/g, "-");
    throw new ConfigError(`--${flag}: ${issue.message}`);
  }
  return result.data;
}
