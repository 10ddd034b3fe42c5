// Migration 8: a qualification keeps the framework it was made under (BANT, MEDDICC, SPICED,
// CHAMP or a team's own; data/qualification.json) and its statuses by that framework's dimension
// ids. The budget/authority/need/timeline columns stay: they hold the signals the framework
// speaks to, in BANT's values, so readiness, the waste rules and lead scoring keep working.
// Every qualification recorded before this was BANT.
export default /* sql */ `
ALTER TABLE qualifications ADD COLUMN framework TEXT NOT NULL DEFAULT 'bant';
ALTER TABLE qualifications ADD COLUMN statuses TEXT NOT NULL DEFAULT '{}';
UPDATE qualifications
   SET statuses = json_object('budget', budget, 'authority', authority, 'need', need, 'timeline', timeline);
ALTER TABLE deals ADD COLUMN qualification_framework TEXT;
UPDATE deals SET qualification_framework = 'bant' WHERE bant_verdict IS NOT NULL;
`;
