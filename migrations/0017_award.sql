-- Award of each lot (issue 5 point 6; LCSP arts. 150–153): the committee proposes the best-ranked
-- bid and checks its documentation (art. 150.2), the contracting body awards with reasons
-- (art. 151), notifies, waits the standstill where the special appeal lies (art. 153.3) and
-- formalises the contract. One row per lot once anyone acts on it; a lot without a row is still
-- at its ranking. `state` holds the whole AwardState (award.types.ts) as JSON, `status` repeats
-- its status for queries; `version` guards against two people acting at once.
CREATE TABLE lot_award (
  tender_id uuid NOT NULL REFERENCES tender(id),
  authority_id uuid NOT NULL REFERENCES authority(id),
  lot integer NOT NULL CHECK (lot > 0),
  status text NOT NULL CHECK (status IN ('ranking', 'proposed', 'documentation_requested',
    'documentation_ok', 'documentation_failed', 'awarded', 'notified', 'standstill',
    'ready_to_formalise', 'formalised', 'void')),
  state text NOT NULL,
  -- The committee's recorded draw (art. 147.2.d): bid ids in the order drawn, JSON; null without one.
  draw text,
  updated_by uuid NOT NULL REFERENCES app_user(id),
  updated_at timestamptz NOT NULL,
  version integer NOT NULL CHECK (version > 0),
  PRIMARY KEY (tender_id, lot)
);

CREATE INDEX lot_award_authority_idx ON lot_award (authority_id, tender_id);

-- The contract, created when the award is formalised (art. 153): the awarded bid's company and
-- its price excluding VAT as read out at the opening of envelope C. Contract execution and
-- modifications come later; for now the only status is 'formalised'.
CREATE TABLE contract (
  id uuid PRIMARY KEY,
  tender_id uuid NOT NULL REFERENCES tender(id),
  authority_id uuid NOT NULL REFERENCES authority(id),
  lots integer[] NOT NULL CHECK (cardinality(lots) > 0),
  bid_id uuid NOT NULL REFERENCES bid(id),
  company_id uuid NOT NULL REFERENCES company(id),
  amount_excl_vat numeric(16, 2) NOT NULL CHECK (amount_excl_vat >= 0),
  signed_at timestamptz NOT NULL,
  status text NOT NULL CHECK (status IN ('formalised')),
  created_by uuid NOT NULL REFERENCES app_user(id),
  created_at timestamptz NOT NULL
);

CREATE INDEX contract_tender_idx ON contract (authority_id, tender_id);
