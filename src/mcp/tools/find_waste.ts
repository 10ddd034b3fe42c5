import { z } from "zod";
import type { Methodology } from "../../methodology/load.js";
import { unsegmentedNote, type PipelineFinding, type PipelineWasteReport } from "../../methodology/pipeline-waste.js";
import { WasteId } from "../../methodology/schema.js";
import { classifyDescribedWork, type WasteFinding } from "../../methodology/waste.js";
import { defineTool, reply, type NextStep } from "../define.js";
import { AppliedFilters, filtersFor, money, toStoreFilters } from "../../app/deal-view.js";
import { resolvePeriod } from "../../app/period.js";
import { analysePipeline } from "../../app/pipeline-analysis.js";
import { cleanText, closedObject, IsoDate } from "../../app/schemas.js";

const Severity = z.enum(["high", "medium", "low"]);
const Flag = z.object({
  deal_id: z.string(),
  owner: z.string().optional(),
  amount: z.number().optional(),
  currency: z.string().optional(),
  severity: Severity.optional(),
  evidence: z.string().optional(),
});

export default defineTool({
  name: "find_waste",
  title: "Find waste: what to fix first",
  kind: "read",
  description: [
    "A manager's one call: where the pipeline leaks and what to fix first. The seven wastes in the stored pipeline (as of as_of, under filters; date activity = worked in the period), ranked by value at stake, with deals, owners, fitting remedy and first actions.",
    "With activities it classifies described work instead. detail full adds evidence per deal.",
    'Example: {"filters":{"from":"2026-11-01","date":"activity"}}',
  ].join(" "),
  input: (m) => ({
    as_of: IsoDate.optional(),
    filters: filtersFor(m).optional(),
    activities: z
      .array(
        closedObject({
          description: cleanText(1000),
          hours_per_week: z
            .number()
            .refine((n) => n >= 0 && n <= 168, "must be 0-168 hours")
            .optional(),
          kind: z
            .string()
            .refine((v) => v.length <= 40, "kind is a waste id or activity kind")
            .optional()
            .describe("waste id or activity kind, when known"),
        }),
      )
      .max(100)
      .optional()
      .describe("work to classify; leave out to analyse the pipeline"),
    max_deals_per_finding: z.number().int().min(1).max(100).optional().describe("default 5"),
    detail: z.enum(["summary", "full"]).optional(),
  }),

  output: {
    findings: z.array(
      z.object({
        waste: WasteId,
        name: z.string(),
        severity: Severity,
        evidence: z.string(),
        deal_ids: z.array(z.string()),
        remedy: z.array(z.string()).describe("the approach that fits first"),
        rule: z.string().optional(),
        threshold: z.string().optional(),
        deal_count: z.number().optional(),
        value_at_stake: z.record(z.string(), z.number()).optional(),
        flags: z.array(Flag).optional(),
      }),
    ),
    actions: z
      .array(
        z.object({
          action: z.string(),
          why: z.string(),
          deal_ids: z.array(z.string()),
          owners: z.array(z.object({ owner: z.string(), deals: z.number() })),
        }),
      )
      .describe("the few things to do first, from the findings with most at stake"),
    by_owner: z.array(z.object({ owner: z.string(), flags: z.number(), value_at_stake: z.number() })).optional(),
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
    const moment = resolvePeriod(undefined, input.as_of, ctx.now());
    const asOf = new Date(moment.as_of);
    const described = input.activities ? classifyDescribedWork(m, input.activities) : undefined;
    const wantPipeline = !input.activities || input.filters !== undefined || input.as_of !== undefined;
    const full = input.detail === "full";

    let pipeline: PipelineWasteReport | undefined;
    const filters = toStoreFilters(input.filters);
    if (wantPipeline) {
      await ctx.progress(0, 1, "analysing the stored pipeline");
      // An as_of in the past: each deal as it stood then, norms from exits made by then.
      pipeline = analysePipeline(m, ctx.store(), filters, asOf, moment.past).report;
      await ctx.progress(1, 1, `analysed ${pipeline.deals_analyzed} deals`);
    }

    // Sized for a context window: each finding lists its deals to act on first; deal_count has them all.
    // Arrays here are built by pushing into literals, not by spreading the results of map(): V8's
    // optimised code makes such arrays with other shapes than its first tiers did, and the
    // handler's optimised code was thrown away and compiled again (bench/README.md).
    const keep = input.max_deals_per_finding ?? 5;
    const findings: Finding[] = [];
    const describedFindings: WasteFinding[] = [];
    for (const f of described?.findings ?? []) {
      const remedy = full ? f.remedy : f.remedy.slice(0, 1);
      const shown = {
        waste: f.waste,
        name: f.name,
        severity: f.severity,
        evidence: f.evidence,
        deal_ids: f.deal_ids,
        remedy,
      };
      describedFindings.push(shown);
      findings.push(shown);
    }
    for (const f of pipeline?.findings ?? []) {
      const flags: ShownFlag[] = [];
      for (const x of f.flags.slice(0, keep))
        flags.push(full ? x : x.owner ? { deal_id: x.deal_id, owner: x.owner } : { deal_id: x.deal_id });
      findings.push({
        ...f,
        deal_ids: f.deal_ids.slice(0, keep),
        remedy: full ? f.remedy : f.remedy.slice(0, 1),
        flags,
      });
    }
    const by_waste: Record<string, number> = Object.fromEntries(m.wastes.map((w) => [w.id, 0]));
    for (const f of findings)
      by_waste[f.waste] = (by_waste[f.waste] ?? 0) + ("deal_count" in f ? (f.deal_count as number) : 1);
    const currency = m.segmentation.tier_thresholds.currency;
    const actions = firstActions(m, pipeline?.findings ?? [], describedFindings, currency);
    const by_owner = pipeline ? owners(pipeline.findings, currency) : undefined;

    const parts: string[] = [];
    if (described) {
      const wasteCount = described.activities.filter((a) => a.waste).length;
      parts.push(
        `${wasteCount} of ${described.activities.length} described activities are waste` +
          (described.total_hours_per_week > 0
            ? ` (${described.waste_hours_per_week} of ${described.total_hours_per_week} h/week)`
            : ""),
      );
    }
    if (pipeline) {
      parts.push(
        `${pipeline.deals_analyzed} deals analysed (${pipeline.open_deals} open, ${pipeline.closed_deals} closed): ${pipeline.findings.length} findings` +
          (pipeline.unsegmented_open_deals ? `; ${unsegmentedNote(pipeline.unsegmented_open_deals)}` : ""),
      );
    }
    const summary = parts.join(". ") + ".";
    const at = (f: (typeof findings)[number]) =>
      "value_at_stake" in f && f.value_at_stake
        ? Object.entries(f.value_at_stake)
            .map(([c, v]) => money(v, c))
            .join(" + ")
        : "";
    const lines = [`**Waste found** as of ${asOf.toISOString().slice(0, 10)}: ${summary}`];
    for (const f of findings.slice(0, 6))
      lines.push(
        `- **${f.name}** (${f.severity}${at(f) ? `, ${at(f)} at stake` : ""}): ${f.evidence}${f.deal_ids.length ? ` Deals: ${f.deal_ids.join(", ")}` : ""}`,
      );
    if (findings.length > 6) lines.push(`...${findings.length - 6} more findings in structuredContent.findings.`);
    if (actions.length) {
      lines.push("**Do first:**");
      for (let i = 0; i < actions.length; i++) lines.push(`${i + 1}. ${actions[i]!.action} (${actions[i]!.why})`);
    } else lines.push("Nothing flagged.");
    // Described activities are the caller's own words: fenced like stored text.
    let data: string | undefined;
    if (described)
      for (const a of described.activities)
        data = `${data === undefined ? "" : `${data}\n`}${a.index}: ${a.description} -> ${a.waste ?? "value / none"}`;
    const next: NextStep[] = [];
    if (pipeline && pipeline.findings.length)
      next.push({
        tool: "get_deal",
        arguments: { deal_id: pipeline.findings[0]!.deal_ids[0] },
        why: "the deal with most at stake, to act on",
      });
    if (!full && pipeline?.findings.length)
      next.push({
        tool: "find_waste",
        arguments: {
          ...(input.as_of ? { as_of: input.as_of } : {}),
          ...(input.filters ? { filters: input.filters } : {}),
          detail: "full",
        },
        why: "each flagged deal's evidence",
      });
    return reply(
      {
        findings,
        actions,
        ...(by_owner ? { by_owner } : {}),
        by_waste,
        deals_analyzed: pipeline?.deals_analyzed ?? 0,
        ...(described
          ? {
              activities: described.activities,
              waste_hours_per_week: described.waste_hours_per_week,
              total_hours_per_week: described.total_hours_per_week,
            }
          : {}),
        as_of: asOf.toISOString(),
        ...(pipeline ? { filters: filters as never } : {}),
        summary,
      },
      lines,
      data,
      next,
    );
  },
});

/** A flag as listed: the deal and its owner, with severity and evidence under detail full. */
type ShownFlag = Pick<PipelineFinding["flags"][number], "deal_id"> & Partial<PipelineFinding["flags"][number]>;
type Finding = WasteFinding | (Omit<PipelineFinding, "flags"> & { flags: ShownFlag[] });

/** The few things to do first: the findings with most at stake, as an action per remedy with their deals and owners. */
function firstActions(m: Methodology, pipeline: PipelineFinding[], described: WasteFinding[], currency: string) {
  const out: Array<{
    action: string;
    why: string;
    deal_ids: string[];
    owners: Array<{ owner: string; deals: number }>;
  }> = [];
  for (const f of pipeline.slice(0, 3)) {
    const owners = new Map<string, number>();
    for (const x of f.flags) if (x.owner) owners.set(x.owner, (owners.get(x.owner) ?? 0) + 1);
    const stake = f.value_at_stake[currency];
    out.push({
      action: `${f.remedy[0]}: start with ${f.deal_ids.slice(0, 3).join(", ")}`,
      why: `${m.waste(f.waste).name}, ${f.deal_count} deal${f.deal_count === 1 ? "" : "s"}${stake ? `, ${money(stake, currency)} open` : ""}`,
      deal_ids: f.deal_ids.slice(0, 5),
      owners: [...owners].sort((a, b) => b[1] - a[1]).map(([owner, deals]) => ({ owner, deals })),
    });
  }
  for (let i = 0; i < described.length && out.length < 3; i++) {
    const f = described[i]!;
    out.push({
      action: f.remedy[0]!,
      why: `${f.name} (${f.severity}) in the described work`,
      deal_ids: [],
      owners: [],
    });
  }
  return out;
}

/**
 * Flags and the open value at stake (each flagged deal counted once, in the main currency) per
 * owner, over the flags each finding keeps (up to 100 per rule), most at stake first.
 */
function owners(findings: PipelineFinding[], currency: string) {
  const by = new Map<string, { flags: number; deals: Map<string, number> }>();
  for (const f of findings) {
    for (const x of f.flags) {
      if (!x.owner) continue;
      let o = by.get(x.owner);
      if (!o) by.set(x.owner, (o = { flags: 0, deals: new Map() }));
      o.flags++;
      o.deals.set(x.deal_id, x.currency === currency ? (x.amount ?? 0) : 0);
    }
  }
  return [...by]
    .map(([owner, o]) => ({ owner, flags: o.flags, value_at_stake: [...o.deals.values()].reduce((a, v) => a + v, 0) }))
    .sort((a, b) => b.value_at_stake - a.value_at_stake || b.flags - a.flags)
    .slice(0, 10);
}
