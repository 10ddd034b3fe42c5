// Migration 9: the stage layout a store was written with. Stages are a team's (data/stages.json
// or a methodology folder), and deals keep stage ids and positions, so the store records which
// stages, in which order, its positions refer to; at start-up a different layout is applied
// once (stage_remaps keeps what moved). Every store before this version was written with the
// reference's six stages, so that is the layout recorded for it.
export default /* sql */ `
CREATE TABLE stage_layout (
  position INTEGER PRIMARY KEY,
  stage    TEXT NOT NULL UNIQUE
) STRICT;
INSERT INTO stage_layout (position, stage) VALUES
  (0, 'prospecting'), (1, 'discovery'), (2, 'solution_presentation'),
  (3, 'proposal_negotiation'), (4, 'closing'), (5, 'onboarding_success');

CREATE TABLE stage_remaps (
  id         INTEGER PRIMARY KEY,
  deal_id    INTEGER NOT NULL REFERENCES deals (id) ON DELETE CASCADE,
  at         TEXT NOT NULL,
  from_stage TEXT NOT NULL,
  to_stage   TEXT NOT NULL
) STRICT;
CREATE INDEX stage_remaps_deal ON stage_remaps (deal_id, id);
`;
