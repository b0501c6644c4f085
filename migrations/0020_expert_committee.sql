-- Committee of experts (art. 146.2.a LCSP; RGLCAP arts. 28–29): when the criteria that depend on a
-- value judgement weigh more than those scored by formulas, the judgement criteria are evaluated by
-- a committee of at least three suitably qualified experts who are not members of the body that
-- proposes the contract. Experts are assigned per tender like the committee (mesa) and the key
-- custodians; which lots need them is read from the published notice's weights
-- (src/modules/evaluation/expert.rules.ts).
ALTER TABLE tender_assignment DROP CONSTRAINT tender_assignment_role_check;
ALTER TABLE tender_assignment
  ADD CONSTRAINT tender_assignment_role_check
  CHECK (role IN ('committee_member', 'key_custodian', 'expert'));

-- An expert does not sit on the committee of the same tender (art. 146.2.a: the experts judge, the
-- committee proposes); the service refuses it with EXPERT_ON_COMMITTEE, this index keeps it true
-- for data written any other way.
CREATE UNIQUE INDEX tender_assignment_expert_not_committee
  ON tender_assignment (tender_id, user_id)
  WHERE role IN ('committee_member', 'expert');
