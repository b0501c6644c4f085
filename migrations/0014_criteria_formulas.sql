-- Formula criteria as published (issue 5; procurement-rules.md §5 "Implementation notes"): each
-- formula criterion stores its formula spec (evaluation/formula.types.ts FormulaSpec) as one JSON
-- value, so the notice, the officer's form and the scoring read the same object. It replaces the
-- free-text formula name and its string parameters, which no computation could use: a file that
-- had one keeps it as {"legacy": "<text>"}, which the pre-publication checks refuse
-- (FORMULA_INVALID), so the officer re-declares it; published notices are frozen bytes and unaffected.
ALTER TABLE award_criterion ADD COLUMN formula_spec jsonb;
UPDATE award_criterion SET formula_spec = jsonb_build_object('legacy', formula) WHERE formula IS NOT NULL;
ALTER TABLE award_criterion DROP COLUMN formula;
ALTER TABLE award_criterion DROP COLUMN formula_params;

-- The notice's parameters for offers presumed abnormally low, per lot (art. 149.2 LCSP; each lot
-- has its own abnormality test, procurement-rules.md G4): 'rglcap85' or the notice's own tests
-- (evaluation/abnormal.types.ts AbnormalRule), and the readings of the open points of §6
-- (AbnormalSettings). Null: not declared (price-only lots then default to RGLCAP art. 85).
ALTER TABLE tender_lot ADD COLUMN abnormal jsonb;
ALTER TABLE tender_lot ADD COLUMN abnormal_settings jsonb;
