// Migration 2: metric baselines for Kaizen reviews (record_baseline / compare_to_baseline).
export default /* sql */ `
CREATE TABLE baselines (
  label       TEXT PRIMARY KEY CHECK (length(label) BETWEEN 1 AND 100),
  recorded_at TEXT NOT NULL,
  as_of       TEXT NOT NULL,
  filters     TEXT NOT NULL,
  metrics     TEXT NOT NULL
) STRICT;
`;
