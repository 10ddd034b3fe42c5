// Migration 5: narrow covering indexes for the reads that touch most deals, so they scan a few
// tens of megabytes at a million deals instead of the whole (wide) deals table:
// the open deals the pipeline analysis reads, the closed deals win-loss and waste group,
// the closed won/lost deals lead scoring learns from, and list filters on status and stage.
export default /* sql */ `
CREATE INDEX deals_open_facts ON deals (
  status, id, tier, readiness, stage, stage_index, created_at, stage_entered_at, last_activity_at, expected_close_date,
  owner_changes, bant_budget, bant_timeline, bant_verdict, stakeholder_count, decision_makers, stage_meetings, stage_proposals,
  n_email, n_call, n_meeting, n_demo, n_proposal, n_note, n_internal, n_approval
) WHERE status = 'open';
CREATE INDEX deals_closed_facts ON deals (status, closed_at, stage, close_reason, created_at, segment, source) WHERE status <> 'open';
CREATE INDEX deals_close_reasons ON deals (status, stage, close_reason, created_at) WHERE status <> 'open';
CREATE INDEX deals_scoring ON deals (
  status, id, segment, source, bant_budget, bant_authority, bant_need, bant_timeline, bant_score, amount, furthest_stage_index
) WHERE status IN ('won', 'lost');
CREATE INDEX deals_status_stage_name ON deals (status, stage);
`;
