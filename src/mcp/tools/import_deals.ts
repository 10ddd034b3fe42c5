import { z } from "zod";
import { commitImport, finishProgress, importArgs, prepareImport, type ImportResult } from "../../app/import/run.js";
import { MethodologyDataError } from "../../methodology/load.js";
import { answeredStages, stageForm, stageMessage, stageQuestions } from "../../app/import/ask-stages.js";
import { ask, defineTool, reply } from "../define.js";
import { InputError } from "../../methodology/errors.js";

/** The key of the stage-mapping question in an input-required result. */
const STAGE_QUESTION = "stage_map";

const RowErrorOut = z.object({ row: z.number(), field: z.string().optional(), reason: z.string() });

export default defineTool({
  name: "import_deals",
  title: "Import deals from a CRM",
  kind: "update",
  description: [
    "Imports deals and stage history from a CRM CSV (path or csv; HubSpot, Salesforce, Pipedrive detected, others by mapping and stage_map). Unknown stage labels are asked of the user where the client can ask. Re-imports update by external id; bad rows are reported by row while good rows import; dry_run writes nothing.",
    'Example: {"path":"/home/dana/hubspot-deals.csv","dry_run":true}',
  ].join(" "),
  input: importArgs,
  output: {
    format: z.string(),
    source: z.string().describe("external_source stored on the deals"),
    dry_run: z.boolean(),
    rows: z.number(),
    created: z.number(),
    updated: z.number(),
    unchanged: z.number(),
    rejected: z.number(),
    errors: z.array(RowErrorOut),
    errors_total: z.number(),
    deal_ids: z.array(z.string()),
    stage_mapping_used: z.record(z.string(), z.string()),
    columns_mapped: z.record(z.string(), z.string()),
    unmapped_columns: z.array(z.string()),
    notes: z.array(z.string()),
  },
  async handle(input, ctx) {
    const dryRun = input.dry_run ?? false;
    // The user's stage mapping, when this call is the retry after asking for it.
    const answer = ctx.answer(STAGE_QUESTION);
    if (answer?.action === "cancel")
      throw new InputError("The import was cancelled when asked for the stage mapping; nothing was written.");
    const env = {
      methodology: ctx.methodology,
      store: ctx.store,
      now: ctx.now(),
      importRoots: ctx.importRoots,
      progress: ctx.progress,
      signal: ctx.signal,
      answeredStages: answeredStages(ctx.methodology, answer?.action === "accept" ? answer.content : undefined),
    };
    try {
      const plan = await prepareImport(input, env);
      // Unknown stage labels: ask once (never again after an answer, declined or not).
      const questions = dryRun || answer ? undefined : stageQuestions(ctx.methodology, plan.unknownStages);
      if (questions && ctx.canAsk())
        return ask(STAGE_QUESTION, stageMessage(questions, plan.format), stageForm(ctx.methodology, questions));
      if (answer?.action === "decline")
        plan.notes.set(
          "the stage mapping was declined when asked: rows with unknown stage labels were not imported",
          0,
        );
      const done = (r: ImportResult) => reply(r, summary(r), details(r));
      const result = dryRun
        ? done(commitImport(plan, env, true))
        : ctx.write(() => done(commitImport(plan, env, false)));
      await finishProgress(
        plan,
        ctx,
        `${dryRun ? "checked" : "imported"} ${plan.rowsRead.toLocaleString("en-US")} rows`,
      );
      return result;
    } catch (err) {
      if (err instanceof MethodologyDataError)
        throw new InputError(
          `import_deals cannot run: ${err.message}. The file ships with the server; reinstall or fix it.`,
        );
      throw err;
    }
  },
});

/** Counts and ids only: file content (names, columns, cell values) goes in the fenced part. */
function summary(r: ImportResult): string[] {
  const lines = [
    `**${r.dry_run ? "Dry run (nothing written)" : "Imported"}** ${r.rows.toLocaleString("en-US")} rows as ${r.format} (source ${r.source}): ${r.created} ${r.dry_run ? "to create" : "created"}, ${r.updated} ${r.dry_run ? "to update" : "updated"}, ${r.unchanged} unchanged, ${r.rejected} rejected.`,
  ];
  if (r.errors_total) {
    const rows = [...new Set(r.errors.map((e) => e.row))];
    lines.push(
      `Rejected rows: ${rows.slice(0, 15).join(", ")}${rows.length > 15 || r.errors_total > r.errors.length ? ", ..." : ""} (reasons below and in structuredContent.errors).`,
    );
  }
  if (r.deal_ids.length)
    lines.push(`Deals: ${r.deal_ids.slice(0, 10).join(", ")}${r.deal_ids.length > 10 ? ", ..." : ""}`);
  lines.push(
    r.dry_run
      ? "Next: fix the rejected rows (or add stage_map / mapping), then call again without dry_run."
      : r.errors_total
        ? "Next: fix the rejected rows and import the file again; imported rows update in place."
        : "Next: find_waste or list_deals over the imported pipeline.",
  );
  return lines;
}

function details(r: ImportResult): string {
  const parts = [
    `columns_mapped: ${JSON.stringify(r.columns_mapped)}`,
    ...(r.unmapped_columns.length ? [`unmapped_columns: ${JSON.stringify(r.unmapped_columns.slice(0, 50))}`] : []),
    ...(Object.keys(r.stage_mapping_used).length
      ? [`stage_mapping_used: ${JSON.stringify(r.stage_mapping_used)}`]
      : []),
    ...r.notes.map((n) => `note: ${n}`),
    ...r.errors.slice(0, 20).map((e) => `row ${e.row}${e.field ? ` (${e.field})` : ""}: ${e.reason}`),
  ];
  return parts.join("\n");
}
