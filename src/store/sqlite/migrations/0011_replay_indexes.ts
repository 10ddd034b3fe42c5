// Migration 11: indexes that answer an analysis as of a past day (pipeline_metrics, find_waste)
// without reading table rows. Such an analysis decides most deals from their own row (closed by
// then, open in a stay begun by then, unchanged since: OPEN_AT in analytics.ts and
// openDealFactsAt in store.ts) and rebuilds only the rest from the stage history:
// - deals_created also holds status, close date, the current stay's start, currency, amount and
//   updated_at (the open pipeline and the stages reached that day; which deals need rebuilding);
// - deals_open_facts also holds updated_at (an open deal unchanged since that day is read from
//   its counters);
// - stage_history_norms also holds exited_at (the stage-time norms learned from exits by then);
// - deals_close_reasons also holds closed_at (the closed deals' reasons as of then).
// Measured on the 100,000-deal demo store in bench/README.md.
export default /* sql */ `
DROP INDEX deals_created;
CREATE INDEX deals_created ON deals (created_at, furthest_stage_index, status, closed_at, stage_entered_at, currency, amount, updated_at);
DROP INDEX deals_open_facts;
CREATE INDEX deals_open_facts ON deals (
  status, id, tier, readiness, stage, stage_index, created_at, stage_entered_at, last_activity_at, expected_close_date,
  owner_changes, bant_budget, bant_timeline, bant_verdict, stakeholder_count, decision_makers, stage_meetings, stage_proposals,
  n_email, n_call, n_meeting, n_demo, n_proposal, n_note, n_internal, n_approval, owner, amount, currency, updated_at
) WHERE status = 'open';
DROP INDEX stage_history_norms;
CREATE INDEX stage_history_norms ON stage_history (exit, tier, stage, days, exited_at);
DROP INDEX deals_close_reasons;
CREATE INDEX deals_close_reasons ON deals (status, stage, close_reason, created_at, closed_at) WHERE status IN ('won', 'lost', 'disqualified');
`;
