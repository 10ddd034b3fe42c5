// Every tool the server offers. Adding a tool: its file, one line here, and test/tools/<name>.test.ts.
import type { ToolDef } from "./define.js";
import advanceStage from "./advance_stage.js";
import checkStageExit from "./check_stage_exit.js";
import classifySegment from "./classify_segment.js";
import closeDeal from "./close_deal.js";
import compareToBaseline from "./compare_to_baseline.js";
import coreQuestions from "./core_questions.js";
import createDeal from "./create_deal.js";
import exportDeals from "./export_deals.js";
import findWaste from "./find_waste.js";
import getDeal from "./get_deal.js";
import importDeals from "./import_deals.js";
import listDeals from "./list_deals.js";
import logActivity from "./log_activity.js";
import pipelineMetrics from "./pipeline_metrics.js";
import pipelineReport from "./pipeline_report.js";
import qualifyProspect from "./qualify_prospect.js";
import recordBaseline from "./record_baseline.js";
import scoreLead from "./score_lead.js";
import showPipelineDashboard from "./show_pipeline_dashboard.js";
import updateDeal from "./update_deal.js";
import winLossAnalysis from "./win_loss_analysis.js";

export const ALL_TOOLS: ToolDef[] = [
  // The methodology
  qualifyProspect,
  classifySegment,
  checkStageExit,
  findWaste,
  coreQuestions,
  // The deal store
  createDeal,
  updateDeal,
  getDeal,
  listDeals,
  logActivity,
  advanceStage,
  closeDeal,
  exportDeals,
  importDeals,
  // Analytics
  pipelineMetrics,
  recordBaseline,
  compareToBaseline,
  scoreLead,
  winLossAnalysis,
  pipelineReport,
  showPipelineDashboard,
] as unknown as ToolDef[];
