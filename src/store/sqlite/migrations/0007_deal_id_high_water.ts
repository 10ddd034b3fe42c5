// Migration 7: a deleted deal's id is never given to a new deal (an old "D-0300" in an email or
// an agent's context must not come to mean another deal). SQLite would reuse the largest id
// once its row is gone, so the largest id ever used is kept here.
export default /* sql */ `
CREATE TABLE deal_id_high_water (
  one    INTEGER PRIMARY KEY CHECK (one = 1),
  max_id INTEGER NOT NULL
) STRICT;
INSERT INTO deal_id_high_water (one, max_id) SELECT 1, coalesce(max(id), 0) FROM deals;
`;
