// Sub-commands for people at a terminal. They use the same store and rules as the tools.
// A command run never serves MCP: the CLI hands it the terminal's streams (its result on `out`,
// notices and progress on `err`), and the commands themselves touch no process stream.
import { existsSync, renameSync, writeFileSync, openSync, writeSync, closeSync } from "node:fs";
import { resolve } from "node:path";
import { ConfigError, type Config } from "../config.js";
import type { Deps } from "../app/deps.js";
import { dealsToCsv } from "../app/export.js";
import { presentDeal } from "../app/deal-view.js";
import { VERSION } from "../version.js";

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
  backup FILE                      consistent copy of the store while others write (VACUUM INTO)
  restore FILE [--force]           replace the store's contents with a backup (checked first)
  help, version
`;

/** Where a command writes: its result (`out`, e.g. CSV to pipe on), notices and progress (`err`). */
export interface Terminal {
  out: (s: string) => void;
  err: (s: string) => void;
  /** Whether `err` is a terminal (progress redraws a line only there). */
  tty: boolean;
}

export async function runCommand(config: Config, deps: Deps, term: Terminal): Promise<void> {
  const { out } = term;
  switch (config.command) {
    case "status": {
      const store = deps.store();
      const info = { version: VERSION, db: resolve(config.db), ...store.status(), counts: store.counts() };
      out(
        config.options.json
          ? `${JSON.stringify(info, null, 2)}\n`
          : `${Object.entries(info)
              .map(([k, v]) => `${k}: ${typeof v === "object" ? JSON.stringify(v) : v}`)
              .join("\n")}\n`,
      );
      return;
    }
    case "export": {
      const format = (config.options.format as string | undefined) ?? "csv";
      if (format !== "csv" && format !== "json") throw new ConfigError(`--format must be csv or json, got ${format}`);
      const store = deps.store();
      const target = config.options.out as string | undefined;
      const tmp = target ? `${target}.partial` : undefined;
      const fd = tmp ? openSync(tmp, "w") : undefined;
      const write = fd === undefined ? out : (s: string) => void writeSync(fd, s);
      let after = 0;
      let n = 0;
      if (format === "json") write("[\n");
      for (;;) {
        const { deals } = store.listDeals({}, 1000, after);
        if (deals.length === 0) break;
        if (format === "csv") write(dealsToCsv(deals, n === 0));
        else
          write(
            deals
              .map((d, i) => `${n + i > 0 ? ",\n" : ""}${JSON.stringify(presentDeal(deps.methodology, d))}`)
              .join(""),
          );
        n += deals.length;
        after = Number(deals[deals.length - 1]!.id.slice(2));
      }
      if (format === "json") write("\n]\n");
      else if (n === 0) write(dealsToCsv([], true));
      if (fd !== undefined && tmp && target) {
        closeSync(fd);
        renameSync(tmp, target);
        term.err(`exported ${n} deals to ${target}\n`);
      }
      return;
    }
    case "backup": {
      const dest = config.args[0];
      if (!dest) throw new ConfigError("backup needs a destination file: lean-sales-mcp backup FILE");
      if (existsSync(dest)) throw new ConfigError(`${dest} already exists; choose a new file name.`);
      const started = Date.now();
      deps.store().backupTo(dest);
      out(`backup of ${resolve(config.db)} written to ${resolve(dest)} in ${Date.now() - started} ms (integrity ok)\n`);
      return;
    }
    case "restore": {
      const src = config.args[0];
      if (!src) throw new ConfigError("restore needs a backup file: lean-sales-mcp restore FILE");
      if (!existsSync(src)) throw new ConfigError(`${src} does not exist.`);
      const store = deps.store();
      if ((store.counts().deals ?? 0) > 0 && !config.options.force) {
        throw new ConfigError(`${config.db} already holds deals; pass --force to replace them with ${src}.`);
      }
      const { deals } = await store.restoreFrom(src);
      out(`restored ${deals} deals from ${resolve(src)} into ${resolve(config.db)}\n`);
      return;
    }
    case "report": {
      // The report's code is loaded for this command only.
      const [{ gatherPipelineReport }, { renderReportHtml }, { IsoDate }] = await Promise.all([
        import("../app/report/data.js"),
        import("../report/html.js"),
        import("../app/schemas.js"),
      ]);
      const asOf = config.options["as-of"] as string | undefined;
      if (asOf !== undefined && !IsoDate.safeParse(asOf).success)
        throw new ConfigError(`--as-of must be an ISO date such as 2026-11-28, got ${asOf}`);
      const data = gatherPipelineReport(
        deps.methodology,
        deps.store(),
        asOf === undefined ? {} : { as_of: asOf },
        deps.now(),
      );
      const html = renderReportHtml(data);
      const target = config.options.out as string | undefined;
      if (!target) {
        out(html);
        return;
      }
      writeFileAtomic(target, html);
      term.err(
        `pipeline report as of ${data.as_of.slice(0, 10)} written to ${resolve(target)} (${Math.ceil(html.length / 1024)} KB): ${data.waste.deals_analyzed} deals, ${data.stalled.total} stalled${data.baseline ? `, compared with the baseline of ${data.baseline.baseline_as_of.slice(0, 10)}` : ""}\n`,
      );
      return;
    }
    case "import":
      return importCommand(config, deps, term);
    case "demo":
      return demoCommand(config, deps, term);
    default:
      throw new ConfigError(`unknown command ${config.command}`);
  }
}

export function writeFileAtomic(path: string, data: string): void {
  const tmp = `${path}.partial`;
  writeFileSync(tmp, data);
  renameSync(tmp, path);
}

/** `import FILE`: the import_deals rules (same code), any readable file, one transaction. */
async function importCommand(config: Config, deps: Deps, { out, err, tty }: Terminal): Promise<void> {
  const [{ z }, run, { InputError }] = await Promise.all([
    import("zod"),
    import("../app/import/run.js"),
    import("../methodology/errors.js"),
  ]);
  const file = config.args[0];
  if (!file)
    throw new ConfigError(
      "import needs a CSV file: lean-sales-mcp import FILE [--format F] [--dry-run] [--mapping JSON] [--stage-map JSON]",
    );
  const json = (flag: string) => {
    const v = config.options[flag];
    if (typeof v !== "string") return undefined;
    try {
      return JSON.parse(v) as unknown;
    } catch {
      throw new ConfigError(`--${flag} must be a JSON object, e.g. --${flag} '{"name":"Opportunity"}'`);
    }
  };
  const parsed = z
    .object(run.ImportArgs)
    .strict()
    .safeParse({
      path: resolve(file),
      format: config.options.format,
      dry_run: config.options["dry-run"] === true || undefined,
      mapping: json("mapping"),
      stage_map: json("stage-map"),
    });
  if (!parsed.success) {
    const issue = parsed.error.issues[0]!;
    const flag =
      { stage_map: "stage-map", dry_run: "dry-run", path: "FILE" }[String(issue.path[0])] ?? String(issue.path[0]);
    throw new ConfigError(
      `--${flag}${issue.path.length > 1 ? ` (${issue.path.slice(1).join(".")})` : ""}: ${issue.message}`,
    );
  }
  const input = parsed.data;
  const env = {
    methodology: deps.methodology,
    store: deps.store,
    now: deps.now(),
    importRoots: null,
    progress: async (done: number, total: number, message: string) => {
      if (tty) err(`\r${Math.floor((100 * done) / total)}% ${message}   `);
    },
  };
  let result;
  try {
    const plan = await run.prepareImport(input, env);
    result = input.dry_run
      ? run.commitImport(plan, env, true)
      : deps.store().transaction(() => run.commitImport(plan, env, false));
  } catch (e) {
    if (e instanceof InputError) throw new ConfigError(e.message);
    throw e;
  } finally {
    if (tty) err("\r\x1b[K");
  }
  const r = result;
  out(
    [
      `${r.dry_run ? "dry run, nothing written: " : ""}${r.rows} rows read from ${resolve(file)} as ${r.format} (external_source ${r.source})`,
      `${r.created} ${r.dry_run ? "to create" : "created"}, ${r.updated} ${r.dry_run ? "to update" : "updated"}, ${r.unchanged} unchanged, ${r.rejected} rejected`,
      `columns: ${Object.entries(r.columns_mapped)
        .map(([f, c]) => `${f} <- ${c}`)
        .join("; ")}`,
      ...(r.unmapped_columns.length ? [`not imported: ${r.unmapped_columns.join(", ")}`] : []),
      ...(Object.keys(r.stage_mapping_used).length
        ? [
            `stages: ${Object.entries(r.stage_mapping_used)
              .map(([k, v]) => `${k} -> ${v}`)
              .join("; ")}`,
          ]
        : []),
      ...r.notes.map((n) => `note: ${n}`),
      ...r.errors.map((e) => `row ${e.row}${e.field ? ` (${e.field})` : ""}: ${e.reason}`),
      ...(r.errors_total > r.errors.length ? [`...and ${r.errors_total - r.errors.length} more errors`] : []),
    ].join("\n") + "\n",
  );
}

/** `demo`: a deterministic pipeline; the same seed and as-of give the same store. */
async function demoCommand(config: Config, deps: Deps, { out }: Terminal): Promise<void> {
  const { generateDeals, loadPipeline } = await import("../app/demo/generate.js");
  const int = (flag: string, fallback: number, max: number) => {
    const v = config.options[flag];
    if (v === undefined) return fallback;
    const n = Number(v);
    if (typeof v !== "string" || !/^\d+$/.test(v) || n > max)
      throw new ConfigError(
        `--${flag} must be a whole number from 0 to ${max.toLocaleString("en-US")}, got ${String(v)}`,
      );
    return n;
  };
  const seed = int("seed", 42, 2 ** 32 - 1);
  const deals = int("deals", 300, 10_000_000);
  const asOf = (config.options["as-of"] as string | undefined) ?? deps.now().toISOString().slice(0, 10);
  if (!/^\d{4}-\d{2}-\d{2}$/.test(asOf) || Number.isNaN(Date.parse(`${asOf}T00:00:00Z`)))
    throw new ConfigError(`--as-of must be an ISO date such as 2026-11-28, got ${asOf}`);
  const store = deps.store();
  const before = store.counts().deals ?? 0;
  if (before > 0 && !config.options.force) {
    throw new ConfigError(
      `${config.db} already holds ${before} deals; pass --force to add the demo deals to them, or choose an empty store with --db.`,
    );
  }
  const started = performance.now();
  const byStatus: Record<string, number> = {};
  const segments = new Set<string>();
  function* tally() {
    for (const d of generateDeals({ seed, deals, as_of: asOf, methodology: deps.methodology })) {
      byStatus[d.status] = (byStatus[d.status] ?? 0) + 1;
      segments.add(d.segment);
      yield d;
    }
  }
  // "now" is the as-of day, so the same seed and as-of always give the same rows.
  const r = loadPipeline(store, tally(), `${asOf}T00:00:00.000Z`, deps.methodology);
  const ms = Math.round(performance.now() - started);
  out(
    [
      `seeded ${r.deals} demo deals${r.first_id ? ` (${r.first_id} to ${r.last_id})` : ""} into ${resolve(config.db)}: seed ${seed}, as of ${asOf}${before ? `, next to ${before} existing deals` : ""}`,
      `status: ${["open", "won", "lost", "disqualified"].map((s) => `${byStatus[s] ?? 0} ${s}`).join(", ")}; ${segments.size} segments`,
      `${r.stage_history} stage-history rows, ${r.activities} activities, ${r.stakeholders} stakeholders, ${r.qualifications} BANT qualifications, in ${ms} ms`,
      `try: find_waste (as_of ${asOf}), list_deals, pipeline_metrics, or lean-sales-mcp report --as-of ${asOf}`,
    ].join("\n") + "\n",
  );
}
