// Migration 1: the deal store. Never edit a shipped migration; add the next number instead.
export default /* sql */ `
CREATE TABLE deals (
  id                  INTEGER PRIMARY KEY,
  name                TEXT NOT NULL CHECK (length(name) BETWEEN 1 AND 200),
  account             TEXT NOT NULL CHECK (length(account) BETWEEN 1 AND 200),
  owner               TEXT NOT NULL CHECK (length(owner) BETWEEN 1 AND 200),
  amount              REAL CHECK (amount IS NULL OR amount >= 0),
  currency            TEXT NOT NULL DEFAULT 'USD' CHECK (length(currency) = 3),
  stage               TEXT NOT NULL,
  stage_index         INTEGER NOT NULL,
  furthest_stage_index INTEGER NOT NULL,
  status              TEXT NOT NULL DEFAULT 'open' CHECK (status IN ('open', 'won', 'lost', 'disqualified')),
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
  UNIQUE (external_source, external_id)
) STRICT;
CREATE INDEX deals_status_stage ON deals (status, stage_index);
CREATE INDEX deals_owner ON deals (owner, status);
CREATE INDEX deals_segment ON deals (segment, status);
CREATE INDEX deals_created ON deals (created_at);
CREATE INDEX deals_closed ON deals (status, closed_at);

CREATE TABLE stage_history (
  id              INTEGER PRIMARY KEY,
  deal_id         INTEGER NOT NULL REFERENCES deals (id) ON DELETE CASCADE,
  stage           TEXT NOT NULL,
  stage_index     INTEGER NOT NULL,
  tier            TEXT,
  from_stage      TEXT,
  entered_at      TEXT NOT NULL,
  exited_at       TEXT,
  days            REAL,
  exit            TEXT CHECK (exit IN ('advanced', 'closed', 'reopened')),
  gate            TEXT NOT NULL CHECK (gate IN ('created', 'passed', 'override', 'imported')),
  override_reason TEXT,
  check_id        INTEGER
) STRICT;
CREATE INDEX stage_history_deal ON stage_history (deal_id, entered_at);
CREATE INDEX stage_history_norms ON stage_history (exit, tier, stage, days);

CREATE TABLE activities (
  id               INTEGER PRIMARY KEY,
  deal_id          INTEGER NOT NULL REFERENCES deals (id) ON DELETE CASCADE,
  type             TEXT NOT NULL,
  occurred_at      TEXT NOT NULL,
  summary          TEXT NOT NULL CHECK (length(summary) BETWEEN 1 AND 4000),
  duration_minutes INTEGER CHECK (duration_minutes IS NULL OR duration_minutes >= 0),
  stage            TEXT NOT NULL,
  created_at       TEXT NOT NULL
) STRICT;
CREATE INDEX activities_deal ON activities (deal_id, type, occurred_at);
CREATE INDEX activities_type_time ON activities (type, occurred_at);

CREATE TABLE qualifications (
  id          INTEGER PRIMARY KEY,
  deal_id     INTEGER NOT NULL REFERENCES deals (id) ON DELETE CASCADE,
  recorded_at TEXT NOT NULL,
  budget      TEXT NOT NULL,
  authority   TEXT NOT NULL,
  need        TEXT NOT NULL,
  timeline    TEXT NOT NULL,
  score       INTEGER NOT NULL,
  verdict     TEXT NOT NULL,
  detail      TEXT NOT NULL
) STRICT;
CREATE INDEX qualifications_deal ON qualifications (deal_id, id);

CREATE TABLE stage_checks (
  id          INTEGER PRIMARY KEY,
  deal_id     INTEGER NOT NULL REFERENCES deals (id) ON DELETE CASCADE,
  stage       TEXT NOT NULL,
  recorded_at TEXT NOT NULL,
  criteria    TEXT NOT NULL,
  evidence    TEXT NOT NULL,
  can_advance INTEGER NOT NULL
) STRICT;
CREATE INDEX stage_checks_deal ON stage_checks (deal_id, stage, id);

CREATE TABLE stakeholders (
  id             INTEGER PRIMARY KEY,
  deal_id        INTEGER NOT NULL REFERENCES deals (id) ON DELETE CASCADE,
  name           TEXT NOT NULL CHECK (length(name) BETWEEN 1 AND 200),
  role           TEXT,
  decision_maker INTEGER NOT NULL DEFAULT 0,
  UNIQUE (deal_id, name)
) STRICT;

CREATE TABLE deal_events (
  id      INTEGER PRIMARY KEY,
  deal_id INTEGER NOT NULL REFERENCES deals (id) ON DELETE CASCADE,
  at      TEXT NOT NULL,
  kind    TEXT NOT NULL,
  detail  TEXT NOT NULL
) STRICT;
CREATE INDEX deal_events_deal ON deal_events (deal_id, id);

CREATE TABLE requests (
  request_id TEXT PRIMARY KEY,
  tool       TEXT NOT NULL,
  args_hash  TEXT NOT NULL,
  reply      TEXT NOT NULL,
  created_at TEXT NOT NULL
) STRICT, WITHOUT ROWID;
`;
