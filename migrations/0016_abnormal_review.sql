-- The review of offers presumed abnormally low (issue 5 point 4; LCSP art. 149.4–149.7): the
-- adversarial procedure the committee runs on each offer the screening of the scoring presumes
-- abnormal, per bid and lot (a bid's offers for different lots are screened separately). No row:
-- the offer is presumed abnormal and nothing was done yet. An offer rejected here is left out of
-- the price computation (D6); an accepted one is monitored during execution (art. 149.7).
CREATE TABLE bid_abnormal_review (
  bid_id uuid NOT NULL REFERENCES bid(id),
  lot integer NOT NULL CHECK (lot > 0),
  tender_id uuid NOT NULL REFERENCES tender(id),
  authority_id uuid NOT NULL REFERENCES authority(id),
  status text NOT NULL CHECK (status IN ('presumed', 'justification_requested', 'justification_received',
    'justification_missing', 'technical_report', 'accepted', 'rejected')),
  -- Simplified procedure: the justification period is at most 5 business days (art. 159.4).
  simplified boolean NOT NULL,
  requested_at timestamptz,
  deadline timestamptz,
  received_at timestamptz,
  -- {"conclusion": "accept"|"reject", "summary": "...", "at": ISO} once the technical report is in.
  report text,
  -- {"outcome": "accepted", "reasons", "at"} or {"outcome": "rejected", "grounds": [...], "reasons", "at"}.
  decision text,
  monitoring boolean NOT NULL,
  updated_by uuid NOT NULL REFERENCES app_user(id),
  updated_at timestamptz NOT NULL,
  version integer NOT NULL CHECK (version > 0),
  PRIMARY KEY (bid_id, lot),
  CHECK ((status IN ('accepted', 'rejected')) = (decision IS NOT NULL)),
  CHECK (monitoring = (status = 'accepted'))
);

CREATE INDEX bid_abnormal_review_tender_idx ON bid_abnormal_review (authority_id, tender_id);
