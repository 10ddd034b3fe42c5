// Migration 4: per-deal counters kept up to date on every write (activities by type, meetings and
// proposals in the current stage, stakeholders and decision makers), so the pipeline analysis
// reads one row per deal instead of counting activities deal by deal. Backfilled here.
// The activity types as they were when this migration shipped (frozen: a new type needs its own
// migration adding its counter column).
const ACTIVITY_TYPES = ["email", "call", "meeting", "demo", "proposal", "note", "internal", "approval"];

const add = (col: string) => `ALTER TABLE deals ADD COLUMN ${col} INTEGER NOT NULL DEFAULT 0;`;

export default /* sql */ `
${ACTIVITY_TYPES.map((t) => add(`n_${t}`)).join("\n")}
${add("stage_meetings")}
${add("stage_proposals")}
${add("stakeholder_count")}
${add("decision_makers")}
UPDATE deals SET ${ACTIVITY_TYPES.map((t) => `n_${t} = s.n_${t}`).join(", ")}, stage_meetings = s.sm, stage_proposals = s.sp
  FROM (SELECT a.deal_id, ${ACTIVITY_TYPES.map((t) => `sum(a.type = '${t}') AS n_${t}`).join(", ")},
               sum(a.type = 'meeting' AND a.occurred_at >= d.stage_entered_at) AS sm,
               sum(a.type = 'proposal' AND a.occurred_at >= d.stage_entered_at) AS sp
          FROM activities a JOIN deals d ON d.id = a.deal_id GROUP BY a.deal_id) AS s
 WHERE s.deal_id = deals.id;
UPDATE deals SET stakeholder_count = s.n, decision_makers = s.dm
  FROM (SELECT deal_id, count(*) AS n, sum(decision_maker) AS dm FROM stakeholders GROUP BY deal_id) AS s
 WHERE s.deal_id = deals.id;
`;
