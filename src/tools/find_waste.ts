import { z } from "zod";
import type { PipelineWasteReport } from "../methodology/pipeline-waste.js";
import { WasteId } from "../methodology/schema.js";
import { classifyDescribedWork } from "../methodology/waste.js";
import { defineTool, reply } from "./define.js";
import { AppliedFilters, Filters, toStoreFilters } from "./deal-view.js";
import { resolvePeriod } from "./period.js";
import { analysePipeline } from "./pipeline-analysis.js";
import { cleanText, IsoDate } from "./schemas.js";

const Severity = z.enum(["high", "medium", "low"]);

export default defineTool({
  name: "find_waste",
  title: "Find waste (the seven wastes of Lean Sales)",
  kind: "read",
  description: [
    "Finds the seven wastes (over_processing, defects, waiting, motion, qualification_defects, overproduction, unutilized_talent).",
    "With activities, classifies the work a rep describes (by kind when given, else from the words against each waste's definition and signals).",
    "Without activities, analyses the stored pipeline as of as_of (default today) under the filters: stalled deals (time in stage against the tier's median), silence beyond the tier limit, past close dates, unqualified or single-threaded deals past discovery, handoffs, meetings without progress, internal work outweighing customer work, proposal rework, losses to errors, closes without a reason.",
    "Each finding names its waste, severity, threshold, evidence with numbers, deal_count, the first flagged deal_ids (max_deals_per_finding, default 10) and the reference's elimination approach as remedy.",
    'Example: {"activities":[{"description":"Weekly pipeline status report for management","hours_per_week":3}]}',
  ].join(" "),
  input: {
    as_of: IsoDate.optional().describe("Analyse the pipeline as of this date (ISO, default today), e.g. 2026-11-28"),
    filters: Filters.optional().describe("Which stored deals to analyse (from/to bound the creation date)"),
    activities: z
      .array(
        z
          .object({
            description: cleanText(1000).describe("What the rep does, e.g. 'Re-keying call notes into the CRM'"),
            hours_per_week: z.number().finite().min(0).max(168).optional().describe("Hours per week it takes, e.g. 3"),
            kind: z.string().max(40).optional().describe("A waste id or an activity kind (approval, reporting, data_entry, rework, handoff, internal_meeting, ...), when known"),
          })
          .strict(),
      )
      .max(100)
      .optional()
      .describe("Work to classify; leave out to analyse the stored pipeline"),
    max_deals_per_finding: z.number().int().min(1).max(100).optional().describe("How many flagged deals each finding lists (default 10, up to 100); deal_count always gives the total"),
  },
  output: {
    findings: z.array(
      z.object({
        waste: WasteId,
        name: z.string(),
        severity: Severity,
        evidence: z.string(),
        deal_ids: z.array(z.string()),
        remedy: z.array(z.string()),
        rule: z.string().optional(),
        threshold: z.string().optional(),
        deal_count: z.number().optional(),
        value_at_stake: z.record(z.string(), z.number()).optional(),
        flags: z.array(z.object({ deal_id: z.string(), owner: z.string().optional(), severity: Severity, evidence: z.string() })).optional(),
      }),
    ),
    by_waste: z.record(z.string(), z.number()),
    deals_analyzed: z.number(),
    activities: z
      .array(
        z.object({
          index: z.number(),
          description: z.string(),
          hours_per_week: z.number().nullable(),
          waste: WasteId.nullable(),
          basis: z.string(),
          matched: z.array(z.string()),
          remedy: z.string().nullable(),
        }),
      )
      .optional(),
    waste_hours_per_week: z.number().optional(),
    total_hours_per_week: z.number().optional(),
    as_of: z.string(),
    filters: AppliedFilters.optional(),
    summary: z.string(),
  },
  async handle(input, ctx) {
    const m = ctx.methodology;
    // A date alone means the end of that day, as in every analysis (see period.ts).
    const asOf = new Date(resolvePeriod(undefined, input.as_of, ctx.now()).as_of);
    const described = input.activities ? classifyDescribedWork(m, input.activities) : undefined;
    const wantPipeline = !input.activities || input.filters !== undefined || input.as_of !== undefined;

    let pipeline: PipelineWasteReport | undefined;
    const filters = toStoreFilters(input.filters);
    if (wantPipeline) {
      await ctx.progress(0, 1, "analysing the stored pipeline");
      pipeline = analysePipeline(m, ctx.store(), filters, asOf).report;
      await ctx.progress(1, 1, `analysed ${pipeline.deals_analyzed} deals`);
    }

    // Sized for a context window: each finding lists its worst deals; deal_count has them all.
    const keep = input.max_deals_per_finding ?? 10;
    const listed = (pipeline?.findings ?? []).map((f) => ({ ...f, deal_ids: f.deal_ids.slice(0, keep), flags: f.flags.slice(0, keep) }));
    const findings = [...(described?.findings ?? []), ...listed];
    const by_waste: Record<string, number> = Object.fromEntries(m.wastes.map((w) => [w.id, 0]));
    for (const f of findings) by_waste[f.waste] = (by_waste[f.waste] ?? 0) + ("deal_count" in f ? (f.deal_count as number) : 1);

    const parts: string[] = [];
    if (described) {
      const wasteCount = described.activities.filter((a) => a.waste).length;
      parts.push(
        `${wasteCount} of ${described.activities.length} described activities are waste` +
          (described.total_hours_per_week > 0 ? ` (${described.waste_hours_per_week} of ${described.total_hours_per_week} h/week)` : ""),
      );
    }
    if (pipeline) {
      parts.push(
        `${pipeline.deals_analyzed} deals analysed (${pipeline.open_deals} open, ${pipeline.closed_deals} closed): ${pipeline.findings.length} findings` +
          (pipeline.unsegmented_open_deals ? `; ${pipeline.unsegmented_open_deals} open deals have no tier, so their time in stage was not judged (classify_segment fixes that)` : ""),
      );
    }
    const summary = parts.join(". ") + ".";
    const lines = [
      `**Waste found** as of ${asOf.toISOString().slice(0, 10)}: ${summary}`,
      ...findings.slice(0, 12).map((f) => `- **${f.name}** (${f.severity}): ${f.evidence}${f.deal_ids.length ? ` Deals: ${f.deal_ids.slice(0, 8).join(", ")}${f.deal_ids.length > 8 ? ", ..." : ""}` : ""}`),
      ...(findings.length > 12 ? [`...and ${findings.length - 12} more in structuredContent.`] : []),
      findings.length ? `First remedy: ${findings[0]!.remedy[0]}` : "Nothing flagged.",
    ];
    // Described activities are the caller's own words: fenced like stored text.
    const data = described ? described.activities.map((a) => `${a.index}: ${a.description} -> ${a.waste ?? "value / none"}`).join("\n") : undefined;
    return reply(
      {
        findings,
        by_waste,
        deals_analyzed: pipeline?.deals_analyzed ?? 0,
        ...(described
          ? { activities: described.activities, waste_hours_per_week: described.waste_hours_per_week, total_hours_per_week: described.total_hours_per_week }
          : {}),
        as_of: asOf.toISOString(),
        ...(pipeline ? { filters: filters as never } : {}),
        summary,
      },
      lines,
      data,
    );
  },
});
