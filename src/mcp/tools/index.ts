// Every tool the server offers, by group (--toolsets). Adding a tool: its file, one line here,
// and test/tools/<name>.test.ts.
import type { ToolDef } from "../define.js";
import type { Deps } from "../../app/deps.js";
import advanceStage from "./advance_stage.js";
import checkStageExit from "./check_stage_exit.js";
import classifySegment from "./classify_segment.js";
import closeDeal from "./close_deal.js";
import compareToBaseline from "./compare_to_baseline.js";
import coreQuestions from "./core_questions.js";
import createDeal from "./create_deal.js";
import deleteDeal from "./delete_deal.js";
import exportDeals from "./export_deals.js";
import findWaste from "./find_waste.js";
import getDeal from "./get_deal.js";
import importDeals from "./import_deals.js";
import listDeals from "./list_deals.js";
import logActivity from "./log_activity.js";
import pipelineMetrics from "./pipeline_metrics.js";
import forecast from "./forecast.js";
import assessSellingApproach from "./assess_selling_approach.js";
import assessLeanMaturity from "./assess_lean_maturity.js";
import pipelineReport from "./pipeline_report.js";
import qualifyProspect from "./qualify_prospect.js";
import recordBaseline from "./record_baseline.js";
import scoreLead from "./score_lead.js";
import updateDeal from "./update_deal.js";
import winLossAnalysis from "./win_loss_analysis.js";

export const TOOL_GROUPS = {
  methodology: [qualifyProspect, classifySegment, checkStageExit, findWaste, coreQuestions],
  deals: [
    createDeal,
    updateDeal,
    getDeal,
    listDeals,
    logActivity,
    advanceStage,
    closeDeal,
    deleteDeal,
    exportDeals,
    importDeals,
  ],
  analytics: [
    pipelineMetrics,
    forecast,
    recordBaseline,
    compareToBaseline,
    scoreLead,
    winLossAnalysis,
    assessSellingApproach,
    assessLeanMaturity,
  ],
  dashboard: [pipelineReport],
} as unknown as Record<string, ToolDef[]>;

export const ALL_TOOLS: ToolDef[] = Object.values(TOOL_GROUPS).flat();

/**
 * The methodology tools that record on a deal only when asked with deal_id: in read-only mode
 * they still answer (from the deal's data) without recording, so they stay served.
 */
export const RECORDS_ONLY_WITH_DEAL = new Set(["qualify_prospect", "classify_segment", "check_stage_exit"]);

/** The tools this server serves: the groups asked for, and in read-only mode only what reads. */
export function servedTools(deps: Pick<Deps, "toolsets" | "readOnly">): ToolDef[] {
  const groups = deps.toolsets ?? Object.keys(TOOL_GROUPS);
  return groups
    .flatMap((g) => TOOL_GROUPS[g] ?? [])
    .filter((t) => !deps.readOnly || t.kind === "read" || RECORDS_ONLY_WITH_DEAL.has(t.name))
    .map((t) => (deps.readOnly && t.kind !== "read" ? { ...t, kind: "read" as const } : t));
}
