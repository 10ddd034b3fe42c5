// Migration 6: deals may be parked in nurture (status 'nurture' until `revisit_on`). A CHECK
// constraint cannot be altered in SQLite, so the deals table is rebuilt (the documented
// twelve-step way: foreign keys off around it, checked before commit) with every index, and the
// partial indexes of closed deals now name the closed statuses instead of "not open". The open
// deals' covering index also carries owner, amount and currency (flags name owners; findings
// weigh the value at stake).
const CLOSED = "status IN ('won', 'lost', 'disqualified')";
const COUNTERS = [
  "n_email",
  "n_call",
  "n_meeting",
  "n_demo",
  "n_proposal",
  "n_note",
  "n_internal",
  "n_approval",
  "stage_meetings",
  "stage_proposals",
  "stakeholder_count",
  "decision_makers",
];
const COLUMNS = [
  "id",
  "name",
  "account",
  "owner",
  "amount",
  "currency",
  "stage",
  "stage_index",
  "furthest_stage_index",
  "status",
  "tier",
  "readiness",
  "segment",
  "source",
  "industry",
  "employees",
  "annual_revenue",
  "need_awareness",
  "actively_evaluating",
  "timeline_months",
  "external_source",
  "external_id",
  "created_at",
  "stage_entered_at",
  "expected_close_date",
  "closed_at",
  "close_reason",
  "last_activity_at",
  "updated_at",
  "owner_changes",
  "bant_budget",
  "bant_authority",
  "bant_need",
  "bant_timeline",
  "bant_score",
  "bant_verdict",
  ...COUNTERS,
];

export default /* sql */ `
CREATE TABLE deals_v6 (
  id                  INTEGER PRIMARY KEY,
  name                TEXT NOT NULL CHECK (length(name) BETWEEN 1 AND 200),
  account             TEXT NOT NULL CHECK (length(account) BETWEEN 1 AND 200),
  owner               TEXT NOT NULL CHECK (length(owner) BETWEEN 1 AND 200),
  amount              REAL CHECK (amount IS NULL OR amount >= 0),
  currency            TEXT NOT NULL DEFAULT 'USD' CHECK (length(currency) = 3),
  stage               TEXT NOT NULL,
  stage_index         INTEGER NOT NULL,
  furthest_stage_index INTEGER NOT NULL,
  status              TEXT NOT NULL DEFAULT 'open' CHECK (status IN ('open', 'won', 'lost', 'disqualified', 'nurture')),
  tier                TEXT,
  readiness           TEXT,
  segment             TEXT,
  source              TEXT,
  industry            TEXT,
  employees           INTEGER CHECK (employees IS NULL OR employees >= 0),
  annual_revenue      REAL CHECK (annual_revenue IS NULL OR annual_revenue >= 0),
  need_awareness      TEXT,
  actively_evaluating INTEGER,
  timeline_months     REAL,
  external_source     TEXT,
  external_id         TEXT,
  created_at          TEXT NOT NULL,
  stage_entered_at    TEXT NOT NULL,
  expected_close_date TEXT,
  closed_at           TEXT,
  close_reason        TEXT,
  last_activity_at    TEXT,
  updated_at          TEXT NOT NULL,
  owner_changes       INTEGER NOT NULL DEFAULT 0,
  bant_budget         TEXT,
  bant_authority      TEXT,
  bant_need           TEXT,
  bant_timeline       TEXT,
  bant_score          INTEGER,
  bant_verdict        TEXT,
${COUNTERS.map((c) => `  ${c.padEnd(19)} INTEGER NOT NULL DEFAULT 0,`).join("\n")}
  revisit_on          TEXT CHECK (revisit_on IS NULL OR status = 'nurture'),
  UNIQUE (external_source, external_id)
) STRICT;
INSERT INTO deals_v6 (${COLUMNS.join(", ")}) SELECT ${COLUMNS.join(", ")} FROM deals;
DROP TABLE deals;
ALTER TABLE deals_v6 RENAME TO deals;

CREATE INDEX deals_segment ON deals (segment, status);
CREATE INDEX deals_closed ON deals (status, closed_at);
CREATE INDEX deals_closed_cycle ON deals (status, segment, (julianday(closed_at) - julianday(created_at)), closed_at, currency, amount);
CREATE INDEX deals_cycle ON deals (status, (julianday(closed_at) - julianday(created_at)), closed_at);
CREATE INDEX deals_amount ON deals (status, currency, amount, closed_at, created_at);
CREATE INDEX deals_status_stage ON deals (status, stage_index, closed_at);
CREATE INDEX deals_owner ON deals (owner, status, closed_at, currency, amount);
CREATE INDEX deals_created ON deals (created_at, furthest_stage_index);
CREATE INDEX deals_open_facts ON deals (
  status, id, tier, readiness, stage, stage_index, created_at, stage_entered_at, last_activity_at, expected_close_date,
  owner_changes, bant_budget, bant_timeline, bant_verdict, stakeholder_count, decision_makers, stage_meetings, stage_proposals,
  n_email, n_call, n_meeting, n_demo, n_proposal, n_note, n_internal, n_approval, owner, amount, currency
) WHERE status = 'open';
CREATE INDEX deals_closed_facts ON deals (status, closed_at, stage, close_reason, created_at, segment, source) WHERE ${CLOSED};
CREATE INDEX deals_close_reasons ON deals (status, stage, close_reason, created_at) WHERE ${CLOSED};
CREATE INDEX deals_scoring ON deals (
  status, id, segment, source, bant_budget, bant_authority, bant_need, bant_timeline, bant_score, amount, furthest_stage_index
) WHERE status IN ('won', 'lost');
CREATE INDEX deals_status_stage_name ON deals (status, stage);
CREATE INDEX deals_nurture ON deals (revisit_on, id) WHERE status = 'nurture';
`;
