-- Minor contracts (contratos menores, art. 118 LCSP): the fast path after a `menor` file has been
-- approved. The file itself is a `tender` row; these tables hold the request for quotes, the quotes
-- and the award, which feeds the quarterly list of minor contracts (art. 63.4 LCSP).

-- One row per minor file once the officer has invited companies (1:1 with the tender).
CREATE TABLE minor_contract (
  tender_id uuid PRIMARY KEY REFERENCES tender(id),
  authority_id uuid NOT NULL REFERENCES authority(id),
  status text NOT NULL DEFAULT 'inviting' CHECK (status IN ('inviting', 'awarded', 'void')),
  -- Quotes are accepted until this instant and sealed from the authority until then.
  quote_deadline timestamptz NOT NULL,
  -- Written reasons when fewer companies than the minimum were invited.
  invitation_justification text,
  started_by uuid NOT NULL REFERENCES app_user(id),
  started_at timestamptz NOT NULL,
  void_reason text,
  voided_at timestamptz,
  version integer NOT NULL DEFAULT 1
);
CREATE INDEX minor_contract_authority_idx ON minor_contract (authority_id, status);

CREATE TABLE minor_invitation (
  tender_id uuid NOT NULL REFERENCES minor_contract(tender_id),
  authority_id uuid NOT NULL REFERENCES authority(id),
  company_id uuid NOT NULL REFERENCES company(id),
  invited_by uuid NOT NULL REFERENCES app_user(id),
  invited_at timestamptz NOT NULL,
  PRIMARY KEY (tender_id, company_id)
);
CREATE INDEX minor_invitation_company_idx ON minor_invitation (company_id);

-- One quote per invited company; a new quote before the deadline replaces the previous one.
CREATE TABLE minor_quote (
  id uuid PRIMARY KEY,
  tender_id uuid NOT NULL,
  authority_id uuid NOT NULL REFERENCES authority(id),
  company_id uuid NOT NULL,
  amount_excl_vat numeric(15,2) NOT NULL CHECK (amount_excl_vat > 0),
  note text NOT NULL DEFAULT '',
  submitted_by uuid NOT NULL REFERENCES app_user(id),
  submitted_at timestamptz NOT NULL,
  UNIQUE (tender_id, company_id),
  FOREIGN KEY (tender_id, company_id) REFERENCES minor_invitation (tender_id, company_id)
);

-- The award. Object, CPV, type and duration are copied from the file so that the quarterly list
-- and the 12-month splitting guard read what was awarded, even if the file changes later.
CREATE TABLE minor_award (
  tender_id uuid PRIMARY KEY REFERENCES minor_contract(tender_id),
  authority_id uuid NOT NULL REFERENCES authority(id),
  company_id uuid NOT NULL REFERENCES company(id),
  quote_id uuid NOT NULL REFERENCES minor_quote(id),
  main_cpv text NOT NULL,
  contract_type text NOT NULL,
  duration_months integer,
  amount_excl_vat numeric(15,2) NOT NULL CHECK (amount_excl_vat > 0),
  amount_incl_vat numeric(15,2) NOT NULL CHECK (amount_incl_vat >= amount_excl_vat),
  justification text NOT NULL,
  -- Reasons why the object is not split (art. 118.3), required when the splitting guard matched.
  splitting_justification text,
  awarded_by uuid NOT NULL REFERENCES app_user(id),
  awarded_at timestamptz NOT NULL,
  -- The award's calendar day in the authority's time zone: the quarter it is listed in.
  awarded_on date NOT NULL
);
CREATE INDEX minor_award_authority_day_idx ON minor_award (authority_id, awarded_on);
CREATE INDEX minor_award_company_idx ON minor_award (authority_id, company_id, awarded_on);
