-- Fixes to the minor-contract fast path (0004_minor_contracts.sql) after review.

-- 1. Request rounds. A void request for quotes can be followed by a new one on the same file (after
-- an edit, or as it stands); the void round stays as history, and its invitations and quotes count
-- for nothing in the new one. Existing rows are round 1.
ALTER TABLE minor_contract ADD COLUMN round integer NOT NULL DEFAULT 1 CHECK (round >= 1);
ALTER TABLE minor_invitation ADD COLUMN round integer NOT NULL DEFAULT 1;
ALTER TABLE minor_quote ADD COLUMN round integer NOT NULL DEFAULT 1;
ALTER TABLE minor_award ADD COLUMN round integer NOT NULL DEFAULT 1;

-- Keys follow the round (constraint names are PostgreSQL's defaults from 0004).
ALTER TABLE minor_quote DROP CONSTRAINT minor_quote_tender_id_company_id_fkey;
ALTER TABLE minor_quote DROP CONSTRAINT minor_quote_tender_id_company_id_key;
ALTER TABLE minor_invitation DROP CONSTRAINT minor_invitation_tender_id_fkey;
ALTER TABLE minor_award DROP CONSTRAINT minor_award_tender_id_fkey;
ALTER TABLE minor_invitation DROP CONSTRAINT minor_invitation_pkey;
ALTER TABLE minor_contract DROP CONSTRAINT minor_contract_pkey;

ALTER TABLE minor_contract ADD PRIMARY KEY (tender_id, round);
-- At most one live (inviting or awarded) round per file: a new round only after a void one.
CREATE UNIQUE INDEX minor_contract_live_round_idx ON minor_contract (tender_id) WHERE status <> 'void';
ALTER TABLE minor_invitation ADD PRIMARY KEY (tender_id, round, company_id);
ALTER TABLE minor_invitation
  ADD CONSTRAINT minor_invitation_round_fkey FOREIGN KEY (tender_id, round)
  REFERENCES minor_contract (tender_id, round);
ALTER TABLE minor_quote ADD CONSTRAINT minor_quote_round_company_key UNIQUE (tender_id, round, company_id);
ALTER TABLE minor_quote
  ADD CONSTRAINT minor_quote_invitation_fkey FOREIGN KEY (tender_id, round, company_id)
  REFERENCES minor_invitation (tender_id, round, company_id);
-- minor_award keeps its primary key on tender_id: a file is awarded once (the award is final).
ALTER TABLE minor_award
  ADD CONSTRAINT minor_award_round_fkey FOREIGN KEY (tender_id, round)
  REFERENCES minor_contract (tender_id, round);

-- 2. Sealed quotes: the commitment recorded when a quote is submitted hashes a random 32-byte nonce
-- with the quote, so that it cannot be brute-forced over plausible amounts. The nonce is revealed
-- when the quotes are opened (event minor.quotes_opened), which lets anyone check the commitment.
-- Null for quotes submitted before this migration (their hash had no nonce).
ALTER TABLE minor_quote ADD COLUMN commitment_nonce text CHECK (commitment_nonce ~ '^[0-9a-f]{64}$');

-- 3. VAT as quoted (art. 63.4 LCSP lists the amount with VAT): the company states the rate (the
-- file's rate by default, 0 when exempt) and the amount with VAT is kept with the quote. Earlier
-- quotes take the file's rate (budget with VAT over budget without), as the award did until now.
ALTER TABLE minor_quote ADD COLUMN vat_rate numeric(5,2) CHECK (vat_rate >= 0 AND vat_rate <= 100);
ALTER TABLE minor_quote ADD COLUMN amount_incl_vat numeric(15,2);
UPDATE minor_quote q SET
  vat_rate = CASE WHEN t.budget_excl_vat = 0 THEN 0
    ELSE round((t.budget_incl_vat / t.budget_excl_vat - 1) * 100, 2) END,
  amount_incl_vat = CASE WHEN t.budget_excl_vat = 0 THEN q.amount_excl_vat
    ELSE round(q.amount_excl_vat * t.budget_incl_vat / t.budget_excl_vat, 2) END
FROM tender t
WHERE t.id = q.tender_id;
ALTER TABLE minor_quote ALTER COLUMN vat_rate SET NOT NULL;
ALTER TABLE minor_quote ALTER COLUMN amount_incl_vat SET NOT NULL;
ALTER TABLE minor_quote ADD CONSTRAINT minor_quote_incl_vat_check CHECK (amount_incl_vat >= amount_excl_vat);
