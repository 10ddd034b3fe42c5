// Migration 3: covering indexes for the analytics (pipeline_metrics, win-loss, find_waste), so
// aggregates at a million deals read small, ordered indexes instead of the wide tables.
// Medians are read with ORDER BY ... LIMIT/OFFSET on these indexes (exact, no sort).
export default /* sql */ `
-- Closed deals by status and segment, in cycle-time order (creation to close, in days).
CREATE INDEX deals_closed_cycle ON deals (status, segment, (julianday(closed_at) - julianday(created_at)), closed_at, currency, amount);
-- The same across segments (overall median cycle of wins and of losses).
CREATE INDEX deals_cycle ON deals (status, (julianday(closed_at) - julianday(created_at)), closed_at);
-- Amounts in order per status, for the median deal size and the open pipeline's value.
CREATE INDEX deals_amount ON deals (status, currency, amount, closed_at, created_at);
-- Where lost deals stopped, in a period.
DROP INDEX deals_status_stage;
CREATE INDEX deals_status_stage ON deals (status, stage_index, closed_at);
-- Revenue per owner.
DROP INDEX deals_owner;
CREATE INDEX deals_owner ON deals (owner, status, closed_at, currency, amount);
-- Conversion: how far deals created in a period got.
DROP INDEX deals_created;
CREATE INDEX deals_created ON deals (created_at, furthest_stage_index);
-- Time in each stage, in order, for stage rows that were left.
CREATE INDEX stage_history_time ON stage_history (stage, days, exited_at) WHERE exit IS NOT NULL;
`;
