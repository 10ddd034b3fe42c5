// Migration 10: no planner statistics. The analyses' queries are written for SQLite's planner
// without statistics (each reads the covering index it was built with, migrations 3 and 5).
// `PRAGMA optimize`, which earlier versions ran when a connection closed, left sampled ones
// (ANALYZE with a 2,000-row limit): on a 100,000-deal store they said ~2,000 deals per status
// where there are ~25,000, and the planner then sorted through a narrow index instead of
// reading a covering one (pipeline_metrics 129 ms -> 1.9 s). Removed here; the store no longer
// runs PRAGMA optimize.
export default /* sql */ `
DROP TABLE IF EXISTS sqlite_stat1;
DROP TABLE IF EXISTS sqlite_stat4;
`;
