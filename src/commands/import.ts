// `import FILE`: the import_deals rules on any readable file.
import { resolve } from "node:path";
import { ConfigError, type Config } from "../config.js";
import type { Deps } from "../app/deps.js";
import { layoutDiffers } from "../app/stage-layout.js";
import type { Terminal } from "./terminal.js";

export /** `import FILE`: the import_deals rules (same code), any readable file, one transaction. */
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
    .object(run.importArgs(deps.methodology))
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
  // A dry run changes nothing, so it does not move a store written with other stages onto the
  // methodology's (the real import does that first, as a server does when it starts): its counts
  // would not be the real import's.
  const differs = input.dry_run ? layoutDiffers(deps.store(), deps.methodology) : undefined;
  if (differs)
    throw new ConfigError(
      `${differs} The import moves the store onto the methodology's stages before it writes, which a dry run does not do, so its counts would be wrong. Run \`lean-sales-mcp status\` to see what the move does, then import without --dry-run (or start the server once first). Nothing was changed.`,
    );
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
