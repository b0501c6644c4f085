-- Contract management after formalisation (issue 5 point 7; LCSP arts. 188–213): the contract
-- starts, may be suspended and resumed (art. 208), modified (arts. 203–205), extended (art. 29.2),
-- completed (reception, art. 210) or terminated (arts. 211–213); milestones and payments are
-- recorded as OCDS implementation data. The ContractState (contract.types.ts) is kept as JSON in
-- `state`; `status` repeats its status for queries; `version` guards against two people acting
-- at once (0 until the first event).
ALTER TABLE contract DROP CONSTRAINT contract_status_check;
ALTER TABLE contract ADD CONSTRAINT contract_status_check
  CHECK (status IN ('formalised', 'in_execution', 'suspended', 'completed', 'terminated'));
ALTER TABLE contract ADD COLUMN state text;
ALTER TABLE contract ADD COLUMN version integer NOT NULL DEFAULT 0 CHECK (version >= 0);
ALTER TABLE contract ADD COLUMN updated_by uuid REFERENCES app_user(id);
ALTER TABLE contract ADD COLUMN updated_at timestamptz;

-- One row per event of a contract, in order (`version` is the contract version it produced).
-- These are published acts (art. 63 LCSP: modifications, extensions, termination, payments).
-- Columns not used by an event's type stay null; the CHECKs below keep each type's fields.
CREATE TABLE contract_event (
  id uuid PRIMARY KEY,
  contract_id uuid NOT NULL REFERENCES contract(id),
  authority_id uuid NOT NULL REFERENCES authority(id),
  tender_id uuid NOT NULL REFERENCES tender(id),
  version integer NOT NULL CHECK (version > 0),
  type text NOT NULL CHECK (type IN ('start', 'amendment', 'extension', 'milestone', 'payment',
    'suspension', 'resumption', 'termination', 'completion')),
  -- amendment: art. 204 (foreseen in the PCAP) or art. 205 with its case (205.2.a additional
  -- works, services or supplies; b unforeseeable circumstances; c non-substantial changes)
  legal_ground text CHECK (legal_ground IN ('art_204', 'art_205')),
  ground_case text CHECK (ground_case IN ('a', 'b', 'c')),
  value_change numeric(16, 2),
  new_total numeric(16, 2) CHECK (new_total >= 0),
  -- SHA-256 of supporting documents in the blob store
  documents text[],
  reasons text,
  -- termination: the legal ground (art. 211)
  grounds text,
  -- start: end of the term; extension: the new end of the term
  end_date date,
  -- milestone
  description text,
  due_date date,
  -- payment (OCDS implementation transaction)
  amount numeric(16, 2) CHECK (amount > 0),
  paid_on date,
  invoice_ref text,
  -- completion: the date of reception (art. 210)
  completed_on date,
  created_by uuid NOT NULL REFERENCES app_user(id),
  created_at timestamptz NOT NULL,
  UNIQUE (contract_id, version),
  CHECK (type <> 'amendment' OR (legal_ground IS NOT NULL AND value_change IS NOT NULL
    AND new_total IS NOT NULL AND reasons IS NOT NULL
    AND (legal_ground = 'art_205') = (ground_case IS NOT NULL))),
  CHECK (type <> 'extension' OR (end_date IS NOT NULL AND reasons IS NOT NULL)),
  CHECK (type <> 'milestone' OR (description IS NOT NULL AND due_date IS NOT NULL)),
  CHECK (type <> 'payment' OR (amount IS NOT NULL AND paid_on IS NOT NULL AND invoice_ref IS NOT NULL)),
  CHECK (type <> 'suspension' OR reasons IS NOT NULL),
  CHECK (type <> 'termination' OR (grounds IS NOT NULL AND reasons IS NOT NULL)),
  CHECK (type <> 'completion' OR completed_on IS NOT NULL)
);

CREATE INDEX contract_event_authority_idx ON contract_event (authority_id, contract_id);
CREATE INDEX contract_event_tender_idx ON contract_event (tender_id);
